using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Recall;

/// <summary>Recall and mount policy settings (docs/hsm/overview.md#recalls; each default is on its property).</summary>
public sealed class RecallOptions
{
    /// <summary>A queue with this many bytes is due (500 GB; CTA <c>minimum_queued_bytes</c>).</summary>
    public long MinQueuedBytes { get; set; } = 500_000_000_000;

    /// <summary>A queue with this many files is due (10 000; CTA <c>minimum_queued_files</c>).</summary>
    public int MinQueuedFiles { get; set; } = 10_000;

    /// <summary>The minimum age of the oldest request per priority (Low 4 h, Normal 30 min, High 2 min, Urgent 0).</summary>
    public Dictionary<RequestPriority, TimeSpan> MinRequestAge { get; set; } = new()
    {
        [RequestPriority.Low] = TimeSpan.FromHours(4),
        [RequestPriority.Normal] = TimeSpan.FromMinutes(30),
        [RequestPriority.High] = TimeSpan.FromMinutes(2),
        [RequestPriority.Urgent] = TimeSpan.Zero,
    };

    /// <summary>Wait this long after the newest arrival before mounting an aged queue (600 s; ENDIT).</summary>
    public TimeSpan FillWait { get; set; } = TimeSpan.FromSeconds(600);

    /// <summary>Never wait longer than this for a queue to fill (7 200 s; ENDIT).</summary>
    public TimeSpan FillWaitMax { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>A VSN is not mounted again for recall within this delay of its last unmount (7 200 s; ENDIT).</summary>
    public TimeSpan RemountDelay { get; set; } = TimeSpan.FromSeconds(7200);

    /// <summary>At most this many bytes per batch (100 GB; CTA <c>fetch_max_bytes</c>).</summary>
    public long FetchMaxBytes { get; set; } = 100_000_000_000;

    /// <summary>At most this many files per batch (5 000; CTA <c>fetch_max_files</c>).</summary>
    public int FetchMaxFiles { get; set; } = 5000;

    /// <summary>Read the whole aggregation when this fraction of it is requested (0.5).</summary>
    public double ReadAheadFraction { get; set; } = 0.5;

    /// <summary>Read the whole aggregation when it is at most this large (1 GB).</summary>
    public long WholeReadBelowBytes { get; set; } = 1_000_000_000;

    /// <summary>No new stages for a disk library whose stage area is at least this full (0.90).</summary>
    public double StageHighWatermark { get; set; } = 0.90;

    /// <summary>Stages resume at or below this fill (0.75).</summary>
    public double StageLowWatermark { get; set; } = 0.75;

    /// <summary>The minimum request age for a priority.</summary>
    /// <param name="priority">The priority.</param>
    public TimeSpan MinAgeFor(RequestPriority priority) =>
        MinRequestAge.TryGetValue(priority, out TimeSpan age) ? age : TimeSpan.Zero;
}
