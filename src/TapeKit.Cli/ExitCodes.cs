namespace TapeKit.Cli;

/// <summary>The exit codes of the <c>tapekit</c> contract (docs/cli.md): scripts rely on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A bug in TapeKit: an exception nobody expected.</summary>
    public const int InternalError = 1;

    /// <summary>The command line itself was wrong: unknown command or option, missing or bad value.</summary>
    public const int Usage = 2;

    /// <summary>The input is invalid or corrupt: a format or checksum error.</summary>
    public const int InvalidInput = 3;

    /// <summary>Refused for safety: unsafe path, failed append check, wrong volume, write-protected.</summary>
    public const int Refused = 4;

    /// <summary>A device or I/O error.</summary>
    public const int DeviceOrIo = 5;
}
