namespace TapeKit.Bench.HsmScale;

/// <summary>
/// What an aged catalogue of <see cref="Files"/> files holds: one open list of files cached and awaiting archive, and
/// otherwise archived files in <c>DONE</c> lists of 1 000 with their <c>ON_TAPE</c> aggregation — of which some are still
/// cached (purge candidates), most are purged, and up to 100 000 (at most half the catalogue) wait for a recall.
/// </summary>
internal sealed record AgedCatalogShape(long Files)
{
    /// <summary>Recalls the planner is measured with (the 100 000, or half the catalogue when smaller).</summary>
    public long TargetRecalls => Math.Min(100_000, Files / 2);

    /// <summary>Files cached and awaiting archive, all in the one open (<c>FILLING</c>) list of the aged policy.</summary>
    public int AwaitingArchive => (int)Math.Min(500, Files / 100);

    /// <summary>Archived files (all the others).</summary>
    public long Archived => Files - AwaitingArchive;

    /// <summary>Share of archived files still cached (purge candidates).</summary>
    public const double CachedShare = 0.2;

    /// <summary>Aggregations written per tape before the next tape is used.</summary>
    public const int AggregationsPerTape = 20;

    public long ArchiveLists => (Archived + BenchPolicies.FilesPerList - 1) / BenchPolicies.FilesPerList;

    public int Tapes => (int)((ArchiveLists + AggregationsPerTape - 1) / AggregationsPerTape);

    /// <summary>The state of archived file number <paramref name="index"/>: a fixed pseudo-random draw spreads each state over every tape.</summary>
    public ArchivedFileState StateOf(long index)
    {
        double u = Uniform(index);
        double recall = (double)TargetRecalls / Archived;
        return u < recall ? ArchivedFileState.RecallPending : u < recall + CachedShare ? ArchivedFileState.Cached : ArchivedFileState.Purged;
    }

    private static double Uniform(long index)
    {
        // SplitMix64: a cheap, well-mixed hash of the index.
        ulong z = (ulong)index + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}

/// <summary>Where an archived file of the aged catalogue stands.</summary>
internal enum ArchivedFileState
{
    /// <summary>Archived and still in the cache.</summary>
    Cached,
    /// <summary>Archived and purged.</summary>
    Purged,
    /// <summary>Archived, purged, then missed in the cache: a pending recall (<c>STAGING_REQUESTED</c>).</summary>
    RecallPending,
}
