namespace TapeKit.Aggregation.Tar;

/// <summary>Settings of a TapeKit tar aggregation (F6).</summary>
public sealed record TarWriterOptions
{
    /// <summary>The aggregation id written into the manifest (0 for an archive made outside a tape).</summary>
    public ulong AggregationId { get; init; }

    /// <summary>The clock: the default member mtime is the aggregation's creation time, the manifest's its close time (F6.1).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether the manifest and member index carry XXH64 besides Adler-32 and XXH3-64 (F8).</summary>
    public bool WithXxHash64 { get; init; }
}
