namespace TapeLabelSets;

/// <summary>A clock that always says the same time, so the label sets are reproducible.</summary>
internal sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
