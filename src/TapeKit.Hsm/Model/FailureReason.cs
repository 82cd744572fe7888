namespace TapeKit.Hsm.Model;

/// <summary>The reason of a <c>Failed</c> reply (docs/hsm/overview.md#messages).</summary>
public enum FailureReason
{
    /// <summary>Some members are no longer eligible; the list is superseded from catalogue truth.</summary>
    RebuildPackage,
    /// <summary>A member's write-cache copy is missing.</summary>
    SourceMissing,
    /// <summary>A member's write-cache copy differs from the client's checksum.</summary>
    SourceChecksumMismatch,
    /// <summary>The drive reported a write error.</summary>
    TapeWriteError,
    /// <summary>A synchronising flush failed.</summary>
    SyncFailed,
    /// <summary>The trailer of the last committed tape file did not match the catalogue.</summary>
    AppendCheckFailed,
    /// <summary>VOL1 did not carry the expected VSN.</summary>
    WrongVolume,
    /// <summary>Mount, load or locate failed, or no mount was granted in time.</summary>
    MountFailed,
    /// <summary>End of medium mid-aggregation; the tape is full.</summary>
    EndOfMedium,
    /// <summary>No drive was available.</summary>
    NoDriveAvailable,
    /// <summary>An unrecoverable read error.</summary>
    ReadError,
    /// <summary>A checksum mismatch while reading.</summary>
    ChecksumMismatchOnRead,
    /// <summary>No copy could be read.</summary>
    NoReadableCopy,
    /// <summary>The stage area has no room.</summary>
    StageAreaFull,
    /// <summary>The worker was fenced: its lease was taken over.</summary>
    LeaseLost,
    /// <summary>The items were cancelled by their requesters.</summary>
    Cancelled,
    /// <summary>The catalogue could not be reached.</summary>
    CatalogueUnavailable,
    /// <summary>An unexpected internal error.</summary>
    Internal,
}
