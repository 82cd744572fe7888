using System.Text.Json;
using System.Text.Json.Serialization;
using TapeKit.Devices.Virtual;

namespace TapeGateway;

/// <summary>One mode's figures. Times are simulated: they come from the virtual drives' timing model.</summary>
public sealed record ModeReport
{
    /// <summary>The mode: <c>classic</c> or <c>tapekit</c>.</summary>
    public string Mode { get; init; } = "";

    /// <summary>Files with a tape copy after the archive phase.</summary>
    public int FilesArchived { get; init; }

    /// <summary>Their bytes.</summary>
    public long BytesArchived { get; init; }

    /// <summary>Tape files written (aggregations and files of their own).</summary>
    public int TapeFiles { get; init; }

    /// <summary>Of which aggregations (ALB files with an IL or tar payload).</summary>
    public int Aggregations { get; init; }

    /// <summary>Tapes written to.</summary>
    public int TapesUsed { get; init; }

    /// <summary>Robot mounts of the archive phase.</summary>
    public int ArchiveMounts { get; init; }

    /// <summary>Simulated drive seconds of the archive phase (mounts, positioning, streaming, marks).</summary>
    public double ArchiveDriveSeconds { get; init; }

    /// <summary>Archive drive seconds per file archived.</summary>
    public double ArchiveSecondsPerFile { get; init; }

    /// <summary>Archive phase: bytes archived / (archive drive seconds × the drive's native rate).</summary>
    public double DriveEfficiency { get; init; }

    /// <summary>Files asked for.</summary>
    public int FilesRequested { get; init; }

    /// <summary>Requests answered (read, or failed for good).</summary>
    public int FilesRecalled { get; init; }

    /// <summary>Recalled files whose every byte equals the original.</summary>
    public int FilesVerified { get; init; }

    /// <summary>Requested files not delivered intact.</summary>
    public int FilesLost { get; init; }

    /// <summary>Robot mounts of the recall phase.</summary>
    public int RecallMounts { get; init; }

    /// <summary>Files recalled per recall mount.</summary>
    public double FilesPerRecallMount { get; init; }

    /// <summary>Mean simulated time from a request to its file's last byte, in seconds.</summary>
    public double MeanRecallLatencySeconds { get; init; }

    /// <summary>Its 95th percentile.</summary>
    public double P95RecallLatencySeconds { get; init; }

    /// <summary>Robot mounts of both phases.</summary>
    public int Mounts { get; init; }

    /// <summary>Simulated busy time of all drives over both phases (set-up labelling excluded).</summary>
    public double SimulatedDriveSeconds { get; init; }

    /// <summary>Where those seconds went.</summary>
    public DriveTime DriveTime { get; init; } = DriveTime.Zero;

    /// <summary>Wall-clock seconds of the mode's run.</summary>
    public double WallSeconds { get; init; }
}

/// <summary>The demo's figures: the workload, then one object per mode. <c>demo --json</c> prints them camelCase.</summary>
public sealed record DemoReport
{
    /// <summary>Files generated.</summary>
    public int Files { get; init; }

    /// <summary>Recalls asked for.</summary>
    public int Recalls { get; init; }

    /// <summary>Hours (simulated) over which the recalls arrive.</summary>
    public double RecallWindowHours { get; init; }

    /// <summary>The seed.</summary>
    public int Seed { get; init; }

    /// <summary>The media profile.</summary>
    public string Media { get; init; } = "";

    /// <summary>CASTOR-classic: one AUL file per file, synchronous marks, FIFO recalls mounted on demand.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModeReport? Classic { get; init; }

    /// <summary>TapeKit: ALB/IL aggregations (AUL for large files), buffered marks, the recall planner.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModeReport? Tapekit { get; init; }

    /// <summary>The JSON form.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, GatewayJson.Default.DemoReport);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(DemoReport))]
internal sealed partial class GatewayJson : JsonSerializerContext;
