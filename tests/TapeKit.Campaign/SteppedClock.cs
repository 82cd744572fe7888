namespace TapeKit.Campaign;

/// <summary>
/// The catalogue's clock of an in-process case: the real clock plus an offset the case moves forward a round at a time
/// (so leases, ages and list timers pass in a few rounds), with real timers (so a component that waits — a drive
/// scheduler polling for a free drive — waits real milliseconds instead of forever, as it would on a fake clock nobody
/// advances while the round runs).
/// </summary>
internal sealed class SteppedClock : TimeProvider
{
    private long _offsetTicks;

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward.</summary>
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}
