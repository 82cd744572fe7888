namespace TapeKit.Hsm.Tapes;

/// <summary>A drive could not be given for a cartridge: none is free, or the cartridge is busy elsewhere.</summary>
/// <remarks>
/// One of the HSM's exceptions (<see cref="HsmException"/>): transient when <see cref="Busy"/> (asking again later may
/// succeed); a failed mount carries the drive's error as its inner exception.
/// </remarks>
public sealed class TapeMountException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="vsn">The cartridge asked for.</param>
    /// <param name="message">A sentence for the operator.</param>
    /// <param name="inner">The library's error, if any.</param>
    /// <param name="busy">Nothing failed: every drive, or the cartridge, is in use by another session.</param>
    public TapeMountException(string vsn, string message, Exception? inner = null, bool busy = false)
        : base(message, inner)
    {
        Vsn = vsn;
        Busy = busy;
    }

    /// <summary>Nothing failed: every drive, or the cartridge, is in use now; retry later (a migrator answers BUSY, F1).</summary>
    public bool Busy { get; }

    /// <summary>The cartridge asked for.</summary>
    public string Vsn { get; }

    /// <summary>
    /// The drive the failure is blamed on: the library says the drive itself failed (it can load or unload nothing), so
    /// the drive is taken out of service and the cartridge and the work are not blamed; <see langword="null"/> otherwise.
    /// </summary>
    public int? FailedDrive { get; init; }

    /// <summary>The library has no cartridge of that VSN (lost, exported, removed): the tape is set aside, not retried.</summary>
    public bool CartridgeMissing { get; init; }

    /// <summary>True when <see cref="Busy"/>: a drive or the cartridge frees up; a failed mount is not retried blindly.</summary>
    public override bool IsTransient => Busy;
}
