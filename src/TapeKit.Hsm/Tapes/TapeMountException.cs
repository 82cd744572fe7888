namespace TapeKit.Hsm.Tapes;

/// <summary>A drive could not be given for a cartridge: none is free, or the cartridge is busy elsewhere.</summary>
public sealed class TapeMountException : IOException
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
}
