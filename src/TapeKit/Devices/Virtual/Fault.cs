using System.Globalization;

namespace TapeKit.Devices.Virtual;

/// <summary>The kinds of injectable faults (docs/devices/virtual-cartridge.md#faults).</summary>
public enum FaultKind
{
    /// <summary><c>media-error read N</c>: reading data block N fails with <c>EIO</c>.</summary>
    MediaErrorRead,

    /// <summary><c>media-error write N</c>: the write or filemark that would create object N fails with <c>EIO</c>.</summary>
    MediaErrorWrite,

    /// <summary><c>random-media-errors seed=S read-rate=R write-rate=W</c>: sticky media errors on seeded objects.</summary>
    RandomMediaErrors,

    /// <summary><c>drive-failure after K</c>: the drive dies after K counted operations.</summary>
    DriveFailure,

    /// <summary><c>power-loss after K</c>: uncommitted objects are lost, the position is lost.</summary>
    PowerLoss,

    /// <summary><c>reset after K</c>: the position is lost, no data is lost.</summary>
    Reset,

    /// <summary><c>not-ready S</c>: after each load the drive is not ready for S simulated seconds.</summary>
    NotReady,

    /// <summary><c>early-warning at B</c>: early warning at tape offset B for this mount.</summary>
    EarlyWarningAt,

    /// <summary><c>end-of-medium at B</c>: the physical end at tape offset B for this mount.</summary>
    EndOfMediumAt,

    /// <summary><c>write-protect</c> / <c>write-protect off</c>: the cartridge's tab, effective at the next load.</summary>
    WriteProtect,

    /// <summary><c>cleaning-request</c>: <c>GMT_CLN</c> until the next load.</summary>
    CleaningRequest,

    /// <summary><c>recovered-errors N</c>: <c>mt_erreg</c> reports N at the next status query.</summary>
    RecoveredErrors,

    /// <summary><c>wrong-cartridge slot S holds V</c>: a mount of slot S's barcode loads cartridge V.</summary>
    WrongCartridge,

    /// <summary><c>load-failure V</c>: mounting V fails after the robot move.</summary>
    LoadFailure,

    /// <summary><c>robot-failure after M</c>: robot move M+1 fails before moving.</summary>
    RobotFailure,
}

/// <summary>
/// One fault in the text form shared by the managed models and the native emulation's
/// <c>drive.conf</c> (docs/devices/virtual-cartridge.md#faults): <see cref="Parse"/> reads a line and
/// <see cref="ToString"/> renders it back exactly.
/// </summary>
/// <param name="Kind">What fails.</param>
/// <param name="Number">N, K, S, B or M of the text form; the seed for random media errors.</param>
/// <param name="Sticky">Fires every time until cleared (<c>sticky</c>) rather than once.</param>
/// <param name="ReadRate">Random media errors: the read error rate, 0 … 1.</param>
/// <param name="WriteRate">Random media errors: the write error rate, 0 … 1.</param>
/// <param name="Vsn">The cartridge named by library faults.</param>
/// <param name="Off">For <see cref="FaultKind.WriteProtect"/>: clear the tab instead of setting it.</param>
public sealed record Fault(FaultKind Kind, long Number = 0, bool Sticky = false, double ReadRate = 0, double WriteRate = 0, string? Vsn = null, bool Off = false)
{
    /// <summary>Parses one fault line; a malformed line is an <see cref="ArgumentException"/> naming it.</summary>
    /// <param name="line">The text form, e.g. <c>media-error read 12 sticky</c>.</param>
    /// <returns>The fault.</returns>
    public static Fault Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] w = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        try
        {
            Fault? fault = w switch
            {
                ["media-error", "read", var n, .. var rest] => new(FaultKind.MediaErrorRead, Long(n), ParseSticky(rest)),
                ["media-error", "write", var n, .. var rest] => new(FaultKind.MediaErrorWrite, Long(n), ParseSticky(rest)),
                ["random-media-errors", var s, var r, var wr] when s.StartsWith("seed=", StringComparison.Ordinal)
                    && r.StartsWith("read-rate=", StringComparison.Ordinal) && wr.StartsWith("write-rate=", StringComparison.Ordinal) =>
                    new(FaultKind.RandomMediaErrors, (long)ULong(s[5..]), true, Rate(r[10..]), Rate(wr[11..])),
                ["drive-failure", "after", var k] => new(FaultKind.DriveFailure, Long(k), true),
                ["power-loss", "after", var k] => new(FaultKind.PowerLoss, Long(k)),
                ["reset", "after", var k] => new(FaultKind.Reset, Long(k)),
                ["not-ready", var s] => new(FaultKind.NotReady, Long(s)),
                ["early-warning", "at", var b] => new(FaultKind.EarlyWarningAt, Long(b)),
                ["end-of-medium", "at", var b] => new(FaultKind.EndOfMediumAt, Long(b)),
                ["write-protect"] => new(FaultKind.WriteProtect),
                ["write-protect", "off"] => new(FaultKind.WriteProtect, Off: true),
                ["cleaning-request"] => new(FaultKind.CleaningRequest),
                ["recovered-errors", var n] => new(FaultKind.RecoveredErrors, Long(n)),
                ["wrong-cartridge", "slot", var s, "holds", var v] => new(FaultKind.WrongCartridge, Long(s), Vsn: v),
                ["load-failure", var v, .. var rest] => new(FaultKind.LoadFailure, Vsn: v, Sticky: ParseSticky(rest)),
                ["robot-failure", "after", var m, .. var rest] => new(FaultKind.RobotFailure, Long(m), ParseSticky(rest)),
                _ => null,
            };
            return fault ?? throw new ArgumentException($"\"{line}\" is not a fault line (a kind such as media-error, write-protect, load-failure or robot-failure, then its arguments).", nameof(line));
        }
        catch (FormatException e)
        {
            throw new ArgumentException($"\"{line}\" is not a fault line: {e.Message}", nameof(line), e);
        }
    }

    /// <summary>The text form of the fault.</summary>
    /// <returns>One line without a line break.</returns>
    public override string ToString()
    {
        string n = Number.ToString(CultureInfo.InvariantCulture);
        string once = Sticky ? " sticky" : " once";
        return Kind switch
        {
            FaultKind.MediaErrorRead => "media-error read " + n + once,
            FaultKind.MediaErrorWrite => "media-error write " + n + once,
            FaultKind.RandomMediaErrors => $"random-media-errors seed={(ulong)Number} read-rate={ReadRate.ToString("R", CultureInfo.InvariantCulture)} write-rate={WriteRate.ToString("R", CultureInfo.InvariantCulture)}",
            FaultKind.DriveFailure => "drive-failure after " + n,
            FaultKind.PowerLoss => "power-loss after " + n,
            FaultKind.Reset => "reset after " + n,
            FaultKind.NotReady => "not-ready " + n,
            FaultKind.EarlyWarningAt => "early-warning at " + n,
            FaultKind.EndOfMediumAt => "end-of-medium at " + n,
            FaultKind.WriteProtect => Off ? "write-protect off" : "write-protect",
            FaultKind.CleaningRequest => "cleaning-request",
            FaultKind.RecoveredErrors => "recovered-errors " + n,
            FaultKind.WrongCartridge => $"wrong-cartridge slot {n} holds {Vsn}",
            FaultKind.LoadFailure => "load-failure " + Vsn + once,
            FaultKind.RobotFailure => "robot-failure after " + n + once,
            _ => Kind.ToString(),
        };
    }

    /// <summary>The threshold below which a SplitMix64 hash selects an object: rate × 2⁶⁴, saturated.</summary>
    internal static ulong Threshold(double rate) => rate >= 1.0 ? ulong.MaxValue : rate <= 0 ? 0 : (ulong)(rate * 18446744073709551616.0);

    private static bool ParseSticky(string[] rest) => rest switch
    {
        [] or ["once"] => false,
        ["sticky"] => true,
        _ => throw new FormatException($"expected \"once\" or \"sticky\", found \"{string.Join(' ', rest)}\""),
    };

    private static long Long(string s) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out long v)
        ? v
        : throw new FormatException($"\"{s}\" is not a non-negative integer");

    private static ulong ULong(string s) => ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v)
        ? v
        : throw new FormatException($"\"{s}\" is not a non-negative integer");

    private static double Rate(string s) => double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double v) && v is >= 0 and <= 1
        ? v
        : throw new FormatException($"\"{s}\" is not a rate between 0 and 1");
}
