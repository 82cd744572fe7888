namespace TapeKit.Devices;

/// <summary>What a <see cref="ITapeDrive.ReadBlock"/> found.</summary>
public enum TapeReadKind
{
    /// <summary>A data block; its length is in <see cref="TapeReadResult.Length"/>.</summary>
    Data,

    /// <summary>A filemark: the tape is now at the start of the next file.</summary>
    Filemark,

    /// <summary>End of data after a filemark: nothing more is recorded (the next read throws <see cref="TapeErrorKind.EndOfData"/>).</summary>
    EndOfData,
}

/// <summary>The result of one <see cref="ITapeDrive.ReadBlock"/>.</summary>
/// <param name="Kind">What was read.</param>
/// <param name="Length">The block length for <see cref="TapeReadKind.Data"/>; 0 otherwise.</param>
public readonly record struct TapeReadResult(TapeReadKind Kind, int Length);

/// <summary>The outcome of a successful write.</summary>
public enum TapeWriteStatus
{
    /// <summary>Written before early warning.</summary>
    Written,

    /// <summary>Written, and the handle is past early warning: finish the current tape file now (P5).</summary>
    WrittenPastEarlyWarning,
}

/// <summary>Which end of the medium a write met.</summary>
public enum EndOfMediumKind
{
    /// <summary>Early warning; the write was not done (only when <see cref="TapeOpenOptions.RetryAfterEarlyWarning"/> is off).</summary>
    EarlyWarning,

    /// <summary>The block no longer fits before the physical end of the medium; nothing was written.</summary>
    Physical,
}
