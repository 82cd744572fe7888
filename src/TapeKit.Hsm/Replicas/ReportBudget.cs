namespace TapeKit.Hsm.Replicas;

/// <summary>
/// The Librarian's report budget (docs/hsm/replicas.md#reporting-without-overload rule 3, <c>ReportBudget</c>): a token bucket shared by all reporters, kept as a
/// generic cell-rate algorithm (one "theoretical arrival time"). A report is admitted when a token is there; a reporter
/// with more to send is booked the next free token and told its time (<c>nextReportAfter</c>), so that returning nodes
/// queue in time instead of colliding. Over any window of length <c>w</c> at most <c>burst + rate·w</c> reports are
/// admitted. A reporter turned away is booked too (its <c>retryAt</c> is its slot). The budget is the Librarian
/// process's soft state; a restart starts it full.
/// </summary>
public sealed class ReportBudget
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly TimeSpan _tolerance;
    private readonly Dictionary<string, DateTimeOffset> _booked = new(StringComparer.Ordinal);
    private DateTimeOffset _tat = DateTimeOffset.MinValue;

    /// <summary>Creates a budget.</summary>
    /// <param name="reportsPerSecond">The sustained rate.</param>
    /// <param name="burst">How many may pass at once after a quiet spell (at least 1).</param>
    /// <param name="time">The clock.</param>
    public ReportBudget(double reportsPerSecond, int burst, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(reportsPerSecond, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _interval = TimeSpan.FromSeconds(1 / reportsPerSecond);
        _tolerance = _interval * (burst - 1);
    }

    /// <summary>How many reports were admitted.</summary>
    public long Admitted { get; private set; }

    /// <summary>How many were turned away as too early.</summary>
    public long Refused { get; private set; }

    /// <summary>
    /// Admits a report of <paramref name="reporter"/> now: on its booking if it holds one that is due, otherwise on a free
    /// token. When not admitted, <paramref name="retryAt"/> says when to come back.
    /// </summary>
    /// <param name="reporter">The node.</param>
    /// <param name="retryAt">When not admitted: the earliest time to try again.</param>
    public bool TryAdmit(string reporter, out DateTimeOffset retryAt)
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            if (_booked.TryGetValue(reporter, out DateTimeOffset slot))
            {
                if (now >= slot)
                {
                    _booked.Remove(reporter);
                    Admitted++;
                    retryAt = now;
                    return true;
                }

                Refused++;
                retryAt = slot;
                return false;
            }

            DateTimeOffset earliest = Earliest();
            if (now >= earliest)
            {
                _tat = Later(_tat, now) + _interval;
                Admitted++;
                retryAt = now;
                return true;
            }

            // Over the budget: the reporter is booked the next free token, so that many reporters turned away at once come
            // back one after the other instead of colliding again.
            Refused++;
            retryAt = BookLocked(reporter, now);
            return false;
        }
    }

    /// <summary>Books the next free token for <paramref name="reporter"/> (replacing a booking it holds) and returns its time.</summary>
    /// <param name="reporter">The node.</param>
    public DateTimeOffset Book(string reporter)
    {
        DateTimeOffset now = _time.GetUtcNow();
        lock (_gate)
        {
            return _booked.TryGetValue(reporter, out DateTimeOffset held) ? held : BookLocked(reporter, now);
        }
    }

    private DateTimeOffset BookLocked(string reporter, DateTimeOffset now)
    {
        DateTimeOffset slot = Later(now, Earliest());
        _tat = Later(_tat, slot) + _interval;
        _booked[reporter] = slot;
        return slot;
    }

    private DateTimeOffset Earliest() => _tat == DateTimeOffset.MinValue ? DateTimeOffset.MinValue : _tat - _tolerance;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
