namespace TapeKit.Layout;

/// <summary>
/// How a writer lays tape marks (<c>docs/formats/aul.md#1-what-is-on-the-tape</c>, <c>docs/devices/st-driver.md#simulated-time</c>): every
/// mark synchronous — CASTOR's way, seconds per file — or buffered (immediate) marks with a
/// synchronising flush every <see cref="FlushEveryFiles"/> files or <see cref="FlushEveryBytes"/>
/// bytes, CTA's way. A file is durable only once a synchronising mark covers it.
/// </summary>
public sealed record TapeMarkPolicy
{
    private TapeMarkPolicy(bool synchronous, int everyFiles, long everyBytes)
    {
        Synchronous = synchronous;
        FlushEveryFiles = everyFiles;
        FlushEveryBytes = everyBytes;
    }

    /// <summary>Every tape mark synchronises: each file is durable when its writing returns.</summary>
    public static TapeMarkPolicy SynchronousMarks { get; } = new(true, 1, 0);

    /// <summary>CTA's defaults: buffered marks, a synchronising flush every 200 files or 32 GB.</summary>
    public static TapeMarkPolicy CtaDefault { get; } = Buffered(200, 32_000_000_000);

    /// <summary>Whether every mark is synchronous.</summary>
    public bool Synchronous { get; }

    /// <summary>Flush after this many files since the last flush (1 with synchronous marks).</summary>
    public int FlushEveryFiles { get; }

    /// <summary>Flush once this many payload bytes were written since the last flush (0: no byte rule).</summary>
    public long FlushEveryBytes { get; }

    /// <summary>Buffered (immediate) marks with a synchronising flush by count and by bytes.</summary>
    /// <param name="everyFiles">Files between flushes, at least 1.</param>
    /// <param name="everyBytes">Payload bytes between flushes; 0 for no byte rule.</param>
    /// <returns>The policy.</returns>
    public static TapeMarkPolicy Buffered(int everyFiles, long everyBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everyFiles, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(everyBytes);
        return new TapeMarkPolicy(false, everyFiles, everyBytes);
    }

    internal bool FlushDue(int filesSinceFlush, long bytesSinceFlush) =>
        Synchronous || filesSinceFlush >= FlushEveryFiles || (FlushEveryBytes > 0 && bytesSinceFlush >= FlushEveryBytes);
}
