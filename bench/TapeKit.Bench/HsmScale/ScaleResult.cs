using System.Text.Json.Serialization;

namespace TapeKit.Bench.HsmScale;

/// <summary>The figures of one catalogue size; the JSON names are the (camelCase). Times are medians in milliseconds.</summary>
internal sealed record ScaleResult
{
    public required long Files { get; init; }

    public required double TickIdleMs { get; init; }

    public required double TickLiveMs { get; init; }

    public required double ClaimMs { get; init; }

    public required double AppendMs { get; init; }

    public required double CommitMs { get; init; }

    public required double RecallPlanMs { get; init; }

    /// <summary>The purge survey (<see langword="null"/> when not measured).</summary>
    public required double? PurgeSurveyMs { get; init; }

    /// <summary>The invariant check (<see langword="null"/> when not measured).</summary>
    public required double? CheckMs { get; init; }

    public required double IngestFilesPerSecond { get; init; }

    public required double BytesWrittenPerFile { get; init; }

    public required long PeakMemoryBytes { get; init; }

    /// <summary>Recalls waiting while the planner was timed (100 000, or half a smaller catalogue).</summary>
    [JsonIgnore]
    public long PendingRecalls { get; init; }

    /// <summary>How long the bulk load took.</summary>
    [JsonIgnore]
    public TimeSpan LoadTime { get; init; }

    /// <summary>The catalogue file's size after the load.</summary>
    [JsonIgnore]
    public long DatabaseBytes { get; init; }

    /// <summary>Violations <c>hsm check</c> found in the loaded catalogue (0 when the loader wrote what the HSM would).</summary>
    [JsonIgnore]
    public int? Violations { get; init; }
}
