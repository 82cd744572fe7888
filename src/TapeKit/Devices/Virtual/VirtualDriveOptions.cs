using System.Globalization;
using System.Text;
using TapeKit.Devices.St;
using TapeKit.Devices.Virtual.Format;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// The configuration of one virtual drive, shared by the managed st model and the native
/// emulation's <c>drive.conf</c> (docs/devices/st-driver.md#the-native-emulation): same keys, same defaults;
/// <see cref="ToConfText"/> and <see cref="Parse"/> convert between them.
/// </summary>
public sealed record VirtualDriveOptions
{
    /// <summary>st option <c>scsi2logical</c> (0x800): logical positioning works (T19). Off by default, as in the kernel.</summary>
    public bool Scsi2Logical { get; init; }

    /// <summary>The st generation imitated (docs/devices/rules.md#dev-t24).</summary>
    public KernelProfile KernelProfile { get; init; } = KernelProfile.Modern;

    /// <summary>
    /// Deferred error reporting (T29). The models implement synchronous reporting only; this must stay
    /// <see langword="false"/> (open point O9: the asynchronous suite is not built yet).
    /// </summary>
    public bool AsyncWrites { get; init; }

    /// <summary>st option <c>MT_ST_FAST_MTEOM</c>: <c>MTEOM</c> loses the file number (T17).</summary>
    public bool FastMteom { get; init; }

    /// <summary>st option <c>MT_ST_TWO_FM</c>: close writes two filemarks and backs over one (T12).</summary>
    public bool TwoFilemarks { get; init; }

    /// <summary>st option <c>MT_ST_NOWAIT_EOF</c>: every <c>MTWEOF</c> is immediate, nothing synchronises (T20).</summary>
    public bool NowaitEof { get; init; }

    /// <summary>The smallest block the drive accepts (T3).</summary>
    public int MinBlockLength { get; init; } = 1;

    /// <summary>The largest block the drive accepts (T3).</summary>
    public int MaxBlockLength { get; init; } = 8 * 1024 * 1024;

    /// <summary>Whether the drive has a compression page (T25); without one <c>MTCOMPRESSION</c> fails with <c>EIO</c>.</summary>
    public bool CompressionSupported { get; init; } = true;

    /// <summary>Whether <c>MTSETDRVBUFFER</c> is allowed (T25).</summary>
    public bool CapSysAdmin { get; init; }

    /// <summary>Whether sync points <c>fdatasync</c> (docs/devices/virtual-cartridge.md#writing-synchronising-and-crashes).</summary>
    public CartridgeDurability Durability { get; init; } = CartridgeDurability.Process;

    /// <summary>Faults armed when the drive is created (docs/devices/virtual-cartridge.md#faults).</summary>
    public IReadOnlyList<Fault> Faults { get; init; } = [];

    /// <summary>The st option bits the drive reports (in <c>/sys/class/scsi_tape/nstN/options</c>).</summary>
    public uint DriverOptions =>
        StOption.KernelDefault
        | (Scsi2Logical ? StOption.SCSI2LOGICAL : 0)
        | (FastMteom ? StOption.FAST_MTEOM : 0)
        | (TwoFilemarks ? StOption.TWO_FM : 0)
        | (NowaitEof ? StOption.NOWAIT_EOF : 0);

    /// <summary>The <c>drive.conf</c> text of these options (every key, in the spec's order).</summary>
    /// <returns>The text.</returns>
    public string ToConfText()
    {
        var b = new StringBuilder();
        b.Append("scsi2logical = ").Append(Bit(Scsi2Logical)).Append('\n');
        b.Append("kernel-profile = ").Append(KernelProfile == KernelProfile.Modern ? "modern" : "legacy").Append('\n');
        b.Append("async-writes = ").Append(Bit(AsyncWrites)).Append('\n');
        b.Append("fast-mteom = ").Append(Bit(FastMteom)).Append('\n');
        b.Append("two-fm = ").Append(Bit(TwoFilemarks)).Append('\n');
        b.Append("nowait-eof = ").Append(Bit(NowaitEof)).Append('\n');
        b.Append(CultureInfo.InvariantCulture, $"block-limits = {MinBlockLength} {MaxBlockLength}\n");
        b.Append("compression = ").Append(CompressionSupported ? "supported" : "none").Append('\n');
        b.Append("cap-sys-admin = ").Append(Bit(CapSysAdmin)).Append('\n');
        b.Append("durability = ").Append(Durability == CartridgeDurability.Full ? "full" : "process").Append('\n');
        foreach (var fault in Faults)
        {
            b.Append("fault = ").Append(fault).Append('\n');
        }

        return b.ToString();
    }

    /// <summary>Parses <c>drive.conf</c> text: one <c>key = value</c> per line, <c>#</c> comments; unknown keys are errors.</summary>
    /// <param name="text">The configuration text.</param>
    /// <returns>The options.</returns>
    /// <exception cref="ArgumentException">A line is malformed; the message names it.</exception>
    public static VirtualDriveOptions Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var o = new VirtualDriveOptions();
        var faults = new List<Fault>();
        int lineNo = 0;
        foreach (string raw in text.Split('\n'))
        {
            lineNo++;
            string line = raw.Split('#')[0].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            int eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new ArgumentException($"drive.conf line {lineNo}: \"{line}\" is not \"key = value\".", nameof(text));
            }

            string key = line[..eq].Trim();
            string value = line[(eq + 1)..].Trim();
            try
            {
                o = key switch
                {
                    "scsi2logical" => o with { Scsi2Logical = ParseBit(value) },
                    "kernel-profile" => o with
                    {
                        KernelProfile = value switch
                        {
                            "modern" => KernelProfile.Modern,
                            "legacy" => KernelProfile.Legacy,
                            _ => throw new FormatException("expected modern or legacy"),
                        },
                    },
                    "async-writes" => ParseBit(value)
                        ? throw new FormatException("asynchronous error reporting (T29) is not implemented by TapeKit's st models; use 0")
                        : o with { AsyncWrites = false },
                    "fast-mteom" => o with { FastMteom = ParseBit(value) },
                    "two-fm" => o with { TwoFilemarks = ParseBit(value) },
                    "nowait-eof" => o with { NowaitEof = ParseBit(value) },
                    "block-limits" => ParseLimits(o, value),
                    "compression" => o with
                    {
                        CompressionSupported = value switch
                        {
                            "supported" => true,
                            "none" => false,
                            _ => throw new FormatException("expected supported or none"),
                        },
                    },
                    "cap-sys-admin" => o with { CapSysAdmin = ParseBit(value) },
                    "durability" => o with
                    {
                        Durability = value switch
                        {
                            "full" => CartridgeDurability.Full,
                            "process" => CartridgeDurability.Process,
                            _ => throw new FormatException("expected full or process"),
                        },
                    },
                    "fault" => AddFault(o, faults, value),
                    _ => throw new FormatException("unknown key"),
                };
            }
            catch (FormatException e)
            {
                throw new ArgumentException($"drive.conf line {lineNo}: \"{line}\": {e.Message}.", nameof(text), e);
            }
            catch (ArgumentException e) when (key == "fault")
            {
                throw new ArgumentException($"drive.conf line {lineNo}: {e.Message}", nameof(text), e);
            }
        }

        return o with { Faults = faults };
    }

    private static VirtualDriveOptions AddFault(VirtualDriveOptions o, List<Fault> faults, string value)
    {
        faults.Add(Fault.Parse(value));
        return o;
    }

    private static VirtualDriveOptions ParseLimits(VirtualDriveOptions o, string value)
    {
        string[] parts = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2
            || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int min)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int max)
            || min < 1 || max < min || max > 0xFFFFFF)
        {
            throw new FormatException("expected \"min max\" with 1 ≤ min ≤ max ≤ 16777215");
        }

        return o with { MinBlockLength = min, MaxBlockLength = max };
    }

    private static bool ParseBit(string value) => value switch
    {
        "0" => false,
        "1" => true,
        _ => throw new FormatException("expected 0 or 1"),
    };

    private static char Bit(bool b) => b ? '1' : '0';
}
