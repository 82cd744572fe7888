using System.Globalization;
using TapeKit.Devices.St;

namespace TapeKit.Conformance.Devices;

/// <summary>What one tape-script step does (spec/tape-devices.md §8.6).</summary>
public enum StStepKind
{
    /// <summary><c>open nst0|st0 rdwr|rdonly [nonblock]</c>.</summary>
    Open,

    /// <summary><c>close</c>.</summary>
    Close,

    /// <summary><c>read N</c>.</summary>
    Read,

    /// <summary><c>write N seed=S</c>.</summary>
    Write,

    /// <summary><c>ioctl MTxxx N</c>.</summary>
    MtOp,

    /// <summary><c>ioctl MTIOCGET</c>.</summary>
    MtGet,

    /// <summary><c>ioctl MTIOCPOS</c>.</summary>
    MtPos,

    /// <summary><c>attr options|position_lost_in_reset</c>.</summary>
    Attribute,

    /// <summary><c>fault power-loss</c> (immediate).</summary>
    PowerLoss,

    /// <summary><c>fault LINE</c>.</summary>
    Fault,

    /// <summary><c>swap</c>: the library exchanges the cartridge for the other one (only while no descriptor is open).</summary>
    Swap,
}

/// <summary>One step of a tape script; <see cref="ToString"/> is its script line.</summary>
/// <param name="Kind">What it does.</param>
/// <param name="A">Open: 0 = nst0, 1 = st0; read/write: the count; ioctl: the op code.</param>
/// <param name="B">Open: flags; write: the payload seed; ioctl: the count.</param>
/// <param name="Text">Attribute name or fault line.</param>
public sealed record StStep(StStepKind Kind, int A = 0, int B = 0, string? Text = null)
{
    /// <summary>The open flags a step with <see cref="A"/>/<see cref="B"/> uses.</summary>
    public int OpenFlagsValue => (B & 1) != 0 ? OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC : OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC | ((B & 2) != 0 ? OpenFlags.O_NONBLOCK : 0);

    /// <summary>The device path of an open step.</summary>
    public string Path => A == 0 ? "/dev/nst0" : "/dev/st0";

    /// <inheritdoc/>
    public override string ToString()
    {
        var inv = CultureInfo.InvariantCulture;
        return Kind switch
        {
            StStepKind.Open => $"open {(A == 0 ? "nst0" : "st0")} {((B & 1) != 0 ? "rdonly" : "rdwr")}{((B & 2) != 0 ? " nonblock" : "")}",
            StStepKind.Close => "close",
            StStepKind.Read => string.Create(inv, $"read {A}"),
            StStepKind.Write => string.Create(inv, $"write {A} seed={B}"),
            StStepKind.MtOp => string.Create(inv, $"ioctl {MtOpCode.Name((short)A)} {B}"),
            StStepKind.MtGet => "ioctl MTIOCGET",
            StStepKind.MtPos => "ioctl MTIOCPOS",
            StStepKind.Attribute => "attr " + Text,
            StStepKind.PowerLoss => "fault power-loss",
            StStepKind.Swap => "swap",
            _ => "fault " + Text,
        };
    }

    /// <summary>Parses one script line (the inverse of <see cref="ToString"/>).</summary>
    /// <param name="line">A tape-script line.</param>
    /// <returns>The step.</returns>
    public static StStep Parse(string line)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        int Int(string s) => int.Parse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return w switch
        {
            ["open", var dev, var access, .. var rest] => new StStep(StStepKind.Open, dev == "nst0" ? 0 : 1, (access == "rdonly" ? 1 : 0) | (rest is ["nonblock"] ? 2 : 0)),
            ["close"] => new StStep(StStepKind.Close),
            ["read", var n] => new StStep(StStepKind.Read, Int(n)),
            ["write", var n, var seed] when seed.StartsWith("seed=", StringComparison.Ordinal) => new StStep(StStepKind.Write, Int(n), Int(seed[5..])),
            ["ioctl", "MTIOCGET"] => new StStep(StStepKind.MtGet),
            ["ioctl", "MTIOCPOS"] => new StStep(StStepKind.MtPos),
            ["ioctl", var op, var n] => new StStep(StStepKind.MtOp, OpCode(op), Int(n)),
            ["attr", var name] => new StStep(StStepKind.Attribute, Text: name),
            ["fault", "power-loss"] => new StStep(StStepKind.PowerLoss),
            ["swap"] => new StStep(StStepKind.Swap),
            ["fault", ..] => new StStep(StStepKind.Fault, Text: line.Trim()["fault ".Length..]),
            _ => throw new FormatException($"\"{line}\" is not a tape-script line."),
        };
    }

    private static short OpCode(string name)
    {
        for (short op = 0; op < 64; op++)
        {
            if (MtOpCode.Name(op) == name)
            {
                return op;
            }
        }

        throw new FormatException($"\"{name}\" is not an MTIOCTOP operation.");
    }

    /// <summary>The payload of a write step: deterministic bytes from the seed.</summary>
    public static byte[] Payload(int length, int seed)
    {
        var data = new byte[length];
        ulong state = (ulong)seed;
        for (int i = 0; i < length; i++)
        {
            state = unchecked((state * 6364136223846793005UL) + 1442695040888963407UL);
            data[i] = (byte)(state >> 56);
        }

        return data;
    }
}
