namespace TapeKit.Hsm.RabbitMq;

/// <summary>In-process wake-ups of waiters on a queue: a publish, a nack or a promotion of this bus signals them at once.</summary>
internal sealed class QueueWakeUps
{
    private readonly object _gate = new();
    private readonly Dictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);

    /// <summary>A task that completes at the next wake-up of <paramref name="queue"/>.</summary>
    /// <param name="queue">The logical queue.</param>
    public Task Signal(string queue)
    {
        lock (_gate)
        {
            if (!_signals.TryGetValue(queue, out TaskCompletionSource? signal))
            {
                _signals[queue] = signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            return signal.Task;
        }
    }

    /// <summary>Wakes the waiters on <paramref name="queue"/>.</summary>
    /// <param name="queue">The logical queue.</param>
    public void Wake(string queue)
    {
        TaskCompletionSource? signal;
        lock (_gate)
        {
            if (_signals.Remove(queue, out signal) is false)
            {
                return;
            }
        }

        signal!.TrySetResult();
    }

    /// <summary>Wakes every waiter (the connection came back: whatever they wait for may have changed).</summary>
    public void WakeAll()
    {
        List<TaskCompletionSource> signals;
        lock (_gate)
        {
            signals = [.. _signals.Values];
            _signals.Clear();
        }

        foreach (TaskCompletionSource signal in signals)
        {
            signal.TrySetResult();
        }
    }
}
