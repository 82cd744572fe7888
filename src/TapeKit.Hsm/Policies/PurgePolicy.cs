using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>Purge settings per disk library and area (docs/hsm/overview.md#purging).</summary>
public sealed class PurgeOptions
{
    /// <summary>A copy is eligible only when last accessed at least this long ago (1 h; Enstore <c>max_time_in_cache</c>).</summary>
    public TimeSpan MinAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Purge when the used fraction reaches this (0.90); <see langword="null"/> with <see cref="LowWatermark"/> = purge every eligible file.</summary>
    public double? HighWatermark { get; set; } = 0.90;

    /// <summary>Purge until the used fraction is at most this (0.80).</summary>
    public double? LowWatermark { get; set; } = 0.80;

    /// <summary>The period of the purger's run (6 min).</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(6);

    /// <summary>At most this many members per purge list (500, as Enstore).</summary>
    public int PurgeListSize { get; set; } = 500;
}

/// <summary>A cache copy the purger may consider, with what eligibility needs to know.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Size">Its size.</param>
/// <param name="CacheStatus">Its cache status.</param>
/// <param name="ArchiveStatus">Its archive status.</param>
/// <param name="AllCopiesOnTrustedTapes">Every required copy is <c>ON_TAPE</c> on a tape not <c>NEEDS_ATTENTION</c>, <c>DISABLED</c> or <c>BROKEN</c>.</param>
/// <param name="Pinned">A pin holds the copy.</param>
/// <param name="LastAccessAt">The last access.</param>
/// <param name="Speculative">Cached by a speculative read (purged first).</param>
public sealed record PurgeCandidate(
    long FileId, long Size, CacheStatus CacheStatus, ArchiveStatus ArchiveStatus, bool AllCopiesOnTrustedTapes, bool Pinned,
    DateTimeOffset LastAccessAt, bool Speculative);

/// <summary>The usage of one cache area.</summary>
/// <param name="UsedBytes">Bytes in use.</param>
/// <param name="CapacityBytes">The area's capacity.</param>
public readonly record struct AreaUsage(long UsedBytes, long CapacityBytes)
{
    /// <summary>The used fraction (0 for an area of no capacity).</summary>
    public double UsedFraction => CapacityBytes <= 0 ? 0 : (double)UsedBytes / CapacityBytes;
}

/// <summary>The purger's choice for one area, with its explanation (P6).</summary>
/// <param name="Batches">Purge lists to create, each at most <see cref="PurgeOptions.PurgeListSize"/> file ids.</param>
/// <param name="BytesToFree">Bytes the plan frees.</param>
/// <param name="Reason">Why (watermark crossed, no watermarks configured, or nothing to do).</param>
public sealed record PurgePlan(IReadOnlyList<IReadOnlyList<long>> Batches, long BytesToFree, string Reason)
{
    /// <summary>All chosen file ids in purge order.</summary>
    public IEnumerable<long> FileIds => Batches.SelectMany(b => b);
}

/// <summary>
/// Age + watermark purge selection (docs/hsm/overview.md#purging). Order: speculative copies first, then least recently
/// accessed, ties by larger size first, then by file id for determinism.
/// </summary>
public sealed class PurgePolicy
{
    /// <summary>Creates the policy.</summary>
    /// <param name="options">The settings.</param>
    public PurgePolicy(PurgeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.HighWatermark.HasValue != options.LowWatermark.HasValue
            || options.HighWatermark is { } h && options.LowWatermark is { } l && !(0 <= l && l <= h && h <= 1))
        {
            throw new ArgumentException("Purge watermarks must both be set with 0 ≤ LowWatermark ≤ HighWatermark ≤ 1, or both unset.", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.PurgeListSize);
        Options = options;
    }

    /// <summary>The settings.</summary>
    public PurgeOptions Options { get; }

    /// <summary>True when the candidate may be purged now.</summary>
    /// <param name="candidate">The candidate.</param>
    /// <param name="now">The current time.</param>
    public bool IsEligible(PurgeCandidate candidate, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        return candidate.CacheStatus == CacheStatus.Cached
            && candidate.ArchiveStatus == ArchiveStatus.Archived
            && candidate.AllCopiesOnTrustedTapes
            && !candidate.Pinned
            && now - candidate.LastAccessAt >= Options.MinAge;
    }

    /// <summary>
    /// True when the area's usage asks for no purge at all (watermarks set, usage below the high one, not forced): a
    /// survey need not read a single candidate.
    /// </summary>
    /// <param name="usage">The area's usage now.</param>
    /// <param name="force">Back-pressure asks for space.</param>
    public bool NothingToPurge(AreaUsage usage, bool force = false) =>
        !force && Options.HighWatermark is { } high && Options.LowWatermark is not null && usage.UsedFraction < high;

    /// <summary>Plans a purge of one area.</summary>
    /// <param name="usage">The area's usage now.</param>
    /// <param name="candidates">The area's cache copies.</param>
    /// <param name="now">The current time.</param>
    /// <param name="force">Back-pressure asks for space: purge down to the low watermark even below the high one.</param>
    public PurgePlan Plan(AreaUsage usage, IEnumerable<PurgeCandidate> candidates, DateTimeOffset now, bool force = false)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        List<PurgeCandidate> ordered = [.. candidates
            .Where(c => IsEligible(c, now))
            .OrderByDescending(c => c.Speculative)
            .ThenBy(c => c.LastAccessAt)
            .ThenByDescending(c => c.Size)
            .ThenBy(c => c.FileId)];

        long target;
        string reason;
        if (Options.HighWatermark is not { } high || Options.LowWatermark is not { } low)
        {
            target = long.MaxValue;
            reason = "no watermarks configured: every eligible copy is purged";
        }
        else if (usage.UsedFraction >= high || force)
        {
            long lowBytes = (long)Math.Floor(usage.CapacityBytes * low);
            target = Math.Max(0, usage.UsedBytes - lowBytes);
            reason = force && usage.UsedFraction < high
                ? $"back-pressure: used {usage.UsedFraction:P1}, purging to the low watermark {low:P0}"
                : $"used {usage.UsedFraction:P1} ≥ high watermark {high:P0}: purging to the low watermark {low:P0}";
        }
        else
        {
            return new PurgePlan([], 0, $"used {usage.UsedFraction:P1} < high watermark {high:P0}: nothing to purge");
        }

        var chosen = new List<long>();
        long freed = 0;
        foreach (PurgeCandidate c in ordered)
        {
            if (freed >= target)
            {
                break;
            }

            chosen.Add(c.FileId);
            freed += c.Size;
        }

        IReadOnlyList<IReadOnlyList<long>> batches = [.. chosen.Chunk(Options.PurgeListSize).Select(b => (IReadOnlyList<long>)b)];
        return new PurgePlan(batches, freed, reason);
    }
}
