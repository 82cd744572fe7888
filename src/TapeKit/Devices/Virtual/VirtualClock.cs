namespace TapeKit.Devices.Virtual;

/// <summary>
/// Simulated time (docs/devices/st-driver.md#simulated-time): an integer number of nanoseconds since
/// 2000-01-01T00:00:00Z that only moves when virtual devices or the host advance it. It never reads
/// the real clock and never sleeps. Timers created through it fire when simulated time passes their
/// due time, so code written against <see cref="TimeProvider"/> runs unchanged in simulation.
/// Thread-safe.
/// </summary>
public sealed class VirtualClock : TimeProvider
{
    /// <summary>The epoch of simulated time.</summary>
    public static readonly DateTimeOffset Epoch = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly List<VirtualTimer> _timers = [];
    private long _nanoseconds;

    /// <summary>Simulated nanoseconds since <see cref="Epoch"/>.</summary>
    public long Nanoseconds
    {
        get
        {
            lock (_gate)
            {
                return _nanoseconds;
            }
        }
    }

    /// <summary>Simulated time since <see cref="Epoch"/>.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Nanoseconds / 100);

    /// <inheritdoc/>
    public override long TimestampFrequency => 1_000_000_000;

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Nanoseconds / 100);

    /// <inheritdoc/>
    public override long GetTimestamp() => Nanoseconds;

    /// <summary>Moves simulated time forward, firing due timers in due-time order.</summary>
    /// <param name="duration">A non-negative duration.</param>
    public void Advance(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        AdvanceNanoseconds(checked(duration.Ticks * 100));
    }

    /// <summary>Moves simulated time forward by <paramref name="nanoseconds"/>, firing due timers.</summary>
    /// <param name="nanoseconds">A non-negative number of nanoseconds.</param>
    public void AdvanceNanoseconds(long nanoseconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(nanoseconds);
        long target;
        lock (_gate)
        {
            target = checked(_nanoseconds + nanoseconds);
        }

        AdvanceTo(target);
    }

    /// <summary>Moves simulated time forward to <paramref name="nanoseconds"/> (no-op when already later).</summary>
    /// <param name="nanoseconds">The target time.</param>
    public void AdvanceTo(long nanoseconds)
    {
        while (true)
        {
            VirtualTimer? due = null;
            lock (_gate)
            {
                foreach (var t in _timers)
                {
                    if (t.DueAt <= nanoseconds && (due is null || t.DueAt < due.DueAt))
                    {
                        due = t;
                    }
                }

                if (due is null)
                {
                    _nanoseconds = Math.Max(_nanoseconds, nanoseconds);
                    return;
                }

                _nanoseconds = Math.Max(_nanoseconds, due.DueAt);
                if (due.Period > 0)
                {
                    due.DueAt += due.Period;
                }
                else
                {
                    _timers.Remove(due);
                }
            }

            due.Fire();
        }
    }

    /// <summary>
    /// Where devices charge the end of an operation: in AutoAdvance mode (no scheduler) the clock
    /// moves there, as if the caller had waited; under a <see cref="SimulationScheduler"/> the running
    /// actor records it and waits for it with <see cref="SimulationContext.Settle"/>.
    /// </summary>
    internal void Charge(long end)
    {
        var hook = ChargeHook;
        if (hook is null)
        {
            AdvanceTo(end);
        }
        else
        {
            hook(end);
        }
    }

    /// <summary>Set by a running <see cref="SimulationScheduler"/>.</summary>
    internal Action<long>? ChargeHook { get; set; }

    /// <summary>Set by a running <see cref="SimulationScheduler"/>: the running actor's cursor (the end of what it already started).</summary>
    internal Func<long>? ActorCursor { get; set; }

    /// <summary>When a device operation requested now starts at the earliest: the clock, or the running actor's cursor when later (its calls are sequential).</summary>
    internal long DeviceNow => Math.Max(Nanoseconds, ActorCursor?.Invoke() ?? 0);

    /// <inheritdoc/>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new VirtualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class VirtualTimer(VirtualClock clock, TimerCallback callback, object? state) : ITimer
    {
        public long DueAt { get; set; }

        public long Period { get; private set; }

        public void Fire() => callback(state);

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    return true;
                }

                DueAt = clock._nanoseconds + (dueTime.Ticks * 100);
                Period = period == Timeout.InfiniteTimeSpan || period <= TimeSpan.Zero ? 0 : period.Ticks * 100;
                clock._timers.Add(this);
                return true;
            }
        }

        public void Dispose()
        {
            lock (clock._gate)
            {
                clock._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
