namespace TapeKit.Hsm.Model;

/// <summary>
/// The size routing and closing limits of a policy rule, copied into every list it opens
/// (docs/hsm/overview.md#list-closing).
/// </summary>
/// <param name="SmallFileThreshold">Files strictly smaller are aggregated.</param>
/// <param name="MaxMemberSize">Larger files are never aggregated; at most <paramref name="SmallFileThreshold"/>.</param>
/// <param name="MaxFiles">The member-count limit of a list.</param>
/// <param name="MaxBytes">The byte limit of a list; never exceeded.</param>
/// <param name="MaxWaitingTime">The age limit of a list, counted from its first member.</param>
public sealed record ListLimits(long SmallFileThreshold, long MaxMemberSize, int MaxFiles, long MaxBytes, TimeSpan MaxWaitingTime)
{
    /// <summary>TapeKit's default small-file threshold and maximum member size: 1 GB.</summary>
    public const long DefaultSmallFileThreshold = 1_000_000_000;

    /// <summary>TapeKit's default list byte limit: 10 GiB.</summary>
    public const long DefaultMaxBytes = 10L * 1024 * 1024 * 1024;

    /// <summary>TapeKit's default list member-count limit: 1 000.</summary>
    public const int DefaultMaxFiles = 1000;

    /// <summary>TapeKit's default list age limit: 6 h (ENDIT's archiver timeout).</summary>
    public static readonly TimeSpan DefaultMaxWaitingTime = TimeSpan.FromHours(6);

    /// <summary>The TapeKit defaults.</summary>
    public static ListLimits Default { get; } =
        new(DefaultSmallFileThreshold, DefaultSmallFileThreshold, DefaultMaxFiles, DefaultMaxBytes, DefaultMaxWaitingTime);
}
