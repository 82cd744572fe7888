using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>
/// One rule of a policy set (docs/hsm/overview.md#policies), bindable from configuration. Patterns are anchored regular
/// expressions over attribute values; an empty <see cref="Match"/> matches every file (the catch-all).
/// </summary>
public sealed class PolicyRule
{
    /// <summary>The rule name; unique in its set; the <c>rule</c> metric tag.</summary>
    public string Name { get; set; } = "";

    /// <summary>The explicit order; rules are tried in ascending order, ties by position in the set.</summary>
    public int Order { get; set; }

    /// <summary>Attribute name → anchored pattern. All must match.</summary>
    public Dictionary<string, string> Match { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Host attributes that refine the policy key (collocation, docs/hsm/overview.md#policies).</summary>
    public List<string> CollocateBy { get; set; } = [];

    /// <summary>The home disk library.</summary>
    public string DiskLibrary { get; set; } = "";

    /// <summary>
    /// The aggregation format of aggregated files. Tar by default, as issue #5 asks: it packs small files on 512-byte
    /// boundaries, where IL spends a whole block per member. docs/hsm/overview.md#policies lists <c>Il</c> as the default; this
    /// settles the conflict in favour of the issue; a rule chooses <c>Il</c> where members are large.
    /// </summary>
    public AggregationPayloadFormat Format { get; set; } = AggregationPayloadFormat.Tar;

    /// <summary>Files strictly smaller are aggregated.</summary>
    public long SmallFileThreshold { get; set; } = ListLimits.DefaultSmallFileThreshold;

    /// <summary>Larger files are never aggregated; must not exceed <see cref="SmallFileThreshold"/>.</summary>
    public long MaxMemberSize { get; set; } = ListLimits.DefaultSmallFileThreshold;

    /// <summary>The member-count limit of a list.</summary>
    public int MaxFilesPerAggregation { get; set; } = ListLimits.DefaultMaxFiles;

    /// <summary>The byte limit of a list.</summary>
    public long MaxBytes { get; set; } = ListLimits.DefaultMaxBytes;

    /// <summary>The age limit of a list.</summary>
    public TimeSpan MaxWaitingTime { get; set; } = ListLimits.DefaultMaxWaitingTime;

    /// <summary>The tape pool; empty means the pool named like the disk library.</summary>
    public string TapePool { get; set; } = "";

    /// <summary>How many tape copies are required.</summary>
    public int CopyCount { get; set; } = 1;

    /// <summary>The priority of the rule's lists.</summary>
    public RequestPriority Priority { get; set; } = RequestPriority.Normal;

    /// <summary>The limits as a value.</summary>
    public ListLimits Limits => new(SmallFileThreshold, MaxMemberSize, MaxFilesPerAggregation, MaxBytes, MaxWaitingTime);

    /// <summary>The effective tape pool.</summary>
    public string EffectiveTapePool => string.IsNullOrEmpty(TapePool) ? DiskLibrary : TapePool;
}
