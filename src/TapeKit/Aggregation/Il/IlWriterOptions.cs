namespace TapeKit.Aggregation.Il;

/// <summary>
/// The M fields of an IL stream and the numbering (F5.2, F5.6). The defaults describe a stream
/// written outside a tape: <c>tapeMarkCount</c> 0, <c>blockCount</c> from 0, drive and volume
/// fields blank.
/// </summary>
public sealed record IlWriterOptions
{
    /// <summary><c>tapeMarkCount</c>: the fseq of the tape file (0 outside a tape).</summary>
    public ulong TapeMarkCount { get; init; }

    /// <summary><c>blockCount</c> of the first block: its logical object id on tape (HDR1 object + 4), 0 outside a tape.</summary>
    public ulong FirstBlockCount { get; init; }

    /// <summary><c>stagerVersion</c>; default TapeKit's <c>Major.Minor.Patch</c>.</summary>
    public string StagerVersion { get; init; } = TapeKitVersion.Text;

    /// <summary><c>stagerHost</c>; default the machine name, cleaned as F1.4.</summary>
    public string StagerHost { get; init; } = IlFields.Clean(Environment.MachineName);

    /// <summary><c>driveName</c>; blank outside a tape.</summary>
    public string DriveName { get; init; } = string.Empty;

    /// <summary><c>driveSerial</c>; blank outside a tape.</summary>
    public string DriveSerial { get; init; } = string.Empty;

    /// <summary><c>driveFirmware</c>; blank outside a tape.</summary>
    public string DriveFirmware { get; init; } = string.Empty;

    /// <summary><c>driveHost</c>; blank outside a tape.</summary>
    public string DriveHost { get; init; } = string.Empty;

    /// <summary><c>volDensity</c>; blank outside a tape.</summary>
    public string VolDensity { get; init; } = string.Empty;

    /// <summary><c>volId</c> (the VSN); blank outside a tape.</summary>
    public string VolId { get; init; } = string.Empty;

    /// <summary><c>volSerial</c>; blank outside a tape.</summary>
    public string VolSerial { get; init; } = string.Empty;

    /// <summary><c>deviceGroupName</c>; blank outside a tape.</summary>
    public string DeviceGroupName { get; init; } = string.Empty;

    /// <summary><c>fileNsHost</c>; default <see cref="StagerHost"/>.</summary>
    public string? FileNsHost { get; init; }

    /// <summary>The clock for <c>blockTimeStamp</c> (whole seconds, never decreasing).</summary>
    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Whether the member index carries XXH64 besides Adler-32 and XXH3-64.</summary>
    public bool WithXxHash64 { get; init; }
}
