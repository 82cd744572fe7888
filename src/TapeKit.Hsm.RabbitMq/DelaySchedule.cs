namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// When to look into a queue's holding queue of delayed messages: at once the first time, then at the earliest
/// not-before seen there or set by this process, and at least every poll interval (other processes delay messages too).
/// </summary>
/// <param name="pollInterval">The longest time between two looks.</param>
internal sealed class DelaySchedule(TimeSpan pollInterval)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, DateTimeOffset> _nextLook = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _expected = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SemaphoreSlim> _looking = new(StringComparer.Ordinal);

    /// <summary>Whether the holding queue of <paramref name="queue"/> is due for a look.</summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="now">The bus's time.</param>
    public bool IsDue(string queue, DateTimeOffset now)
    {
        lock (_gate)
        {
            return !_nextLook.TryGetValue(queue, out DateTimeOffset next) || next <= now;
        }
    }

    /// <summary>The next look at <paramref name="queue"/>'s holding queue, if one is planned.</summary>
    /// <param name="queue">The logical queue.</param>
    public DateTimeOffset? NextLook(string queue)
    {
        lock (_gate)
        {
            return _nextLook.TryGetValue(queue, out DateTimeOffset next) ? next : null;
        }
    }

    /// <summary>A message of <paramref name="queue"/> was delayed until <paramref name="notBefore"/>.</summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="notBefore">When it becomes visible.</param>
    public void Expect(string queue, DateTimeOffset notBefore)
    {
        lock (_gate)
        {
            if (!_nextLook.TryGetValue(queue, out DateTimeOffset next) || notBefore < next)
            {
                _nextLook[queue] = notBefore;
            }

            if (!_expected.TryGetValue(queue, out DateTimeOffset expected) || notBefore < expected)
            {
                _expected[queue] = notBefore;
            }
        }
    }

    /// <summary>
    /// A look is over: the next one at the earliest message still waiting, or one this process delayed meanwhile (the
    /// look may have missed it), or after the poll interval.
    /// </summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="now">The bus's time.</param>
    /// <param name="earliestWaiting">The earliest not-before still waiting, if any.</param>
    public void Looked(string queue, DateTimeOffset now, DateTimeOffset? earliestWaiting)
    {
        DateTimeOffset next = now + pollInterval;
        if (earliestWaiting is { } e && e < next)
        {
            next = e;
        }

        lock (_gate)
        {
            if (_expected.Remove(queue, out DateTimeOffset expected) && expected < next)
            {
                next = expected;
            }

            _nextLook[queue] = next;
        }
    }

    /// <summary>The gate that keeps this process to one look at a time per queue.</summary>
    /// <param name="queue">The logical queue.</param>
    public SemaphoreSlim Gate(string queue)
    {
        lock (_gate)
        {
            if (!_looking.TryGetValue(queue, out SemaphoreSlim? gate))
            {
                _looking[queue] = gate = new SemaphoreSlim(1, 1);
            }

            return gate;
        }
    }
}
