namespace TapeKit.Hsm.Replicas;

/// <summary>
/// When a node re-verifies its copies (docs/hsm/replicas.md#reporting-without-overload rule 5): every copy once per <see cref="CheckPeriod"/>, in a random order
/// drawn afresh each period, spread evenly over the period, never closer together than <see cref="MinInterval"/> (a
/// node with more copies than the period holds at that interval takes longer than a period). Only mismatches are
/// reported (P6). Randomness and time are injected, so a test can replay a schedule.
/// </summary>
public sealed class ChecksumScanSchedule
{
    private readonly Random _random;

    /// <summary>Creates a schedule.</summary>
    /// <param name="checkPeriod">Every copy is checked once per period.</param>
    /// <param name="minInterval">The least time between two checks.</param>
    /// <param name="random">The source of the order.</param>
    public ChecksumScanSchedule(TimeSpan checkPeriod, TimeSpan minInterval, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(checkPeriod, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThan(minInterval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(random);
        CheckPeriod = checkPeriod;
        MinInterval = minInterval;
        _random = random;
    }

    /// <summary>The period.</summary>
    public TimeSpan CheckPeriod { get; }

    /// <summary>The least interval.</summary>
    public TimeSpan MinInterval { get; }

    /// <summary>The interval between two checks for <paramref name="count"/> copies.</summary>
    /// <param name="count">How many copies.</param>
    public TimeSpan IntervalFor(int count) => count <= 0 ? CheckPeriod : TimeSpan.FromTicks(Math.Max(MinInterval.Ticks, CheckPeriod.Ticks / count));

    /// <summary>
    /// One period's plan: each item once, in a fresh random order, the first at <paramref name="start"/> plus a random
    /// fraction of one interval (so that nodes started together do not check in step), then one interval apart.
    /// </summary>
    /// <typeparam name="T">The item type (a file id, a path).</typeparam>
    /// <param name="items">The copies to check.</param>
    /// <param name="start">The period's start.</param>
    public IReadOnlyList<(T Item, DateTimeOffset At)> PlanPeriod<T>(IReadOnlyCollection<T> items, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(items);
        T[] order = [.. items];
        _random.Shuffle(order);
        TimeSpan interval = IntervalFor(order.Length);
        DateTimeOffset at = start + TimeSpan.FromTicks((long)(_random.NextDouble() * interval.Ticks));
        var plan = new (T, DateTimeOffset)[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            plan[i] = (order[i], at);
            at += interval;
        }

        return plan;
    }
}
