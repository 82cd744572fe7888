using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TapeKit.Devices;
using TapeKit.Devices.Linux;
using TapeKit.Devices.Virtual;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit mt --device DEV status|rewind|fsf N|bsf N|fsr N|bsr N|eod|weof N|tell|seek N|offline</c>:
/// <c>mt</c>-like control of a drive through <see cref="ITapeDrive"/>. DEV is an st node
/// (<c>/dev/nst0</c>, Linux) or a virtual cartridge directory, which is loaded into a fresh virtual
/// drive for the one command and therefore starts at the beginning of the tape, as a freshly loaded
/// cartridge does.
/// </summary>
public static class MtCommands
{
    /// <summary>Builds the <c>mt</c> command.</summary>
    /// <param name="console">The streams to use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var device = new Option<string>("--device") { Description = "An st device (/dev/nst0) or a virtual cartridge directory.", Required = true, Recursive = true };
        var json = new Option<bool>("--json") { Description = "Print JSON: status prints { device, fileNumber, blockNumber, blockSize, densityCode, partition, flags, generalStatus, recoveredErrors, logicalPositioning }, tell prints { position }; the other commands print nothing.", Recursive = true };
        var mt = new Command("mt", "Control a tape drive like mt(1).");
        mt.Options.Add(device);
        mt.Options.Add(json);
        mt.Subcommands.Add(Simple(console, device, json, "status", "Show the drive's status (MTIOCGET).", d => Status(d)));
        mt.Subcommands.Add(Simple(console, device, json, "rewind", "Rewind to the beginning of the tape (MTREW).", d => { d.Rewind(); return null; }));
        mt.Subcommands.Add(Simple(console, device, json, "eod", "Space to end of data (MTEOM).", d => { d.SeekEndOfData(); return null; }));
        mt.Subcommands.Add(Simple(console, device, json, "tell", "Print the logical object identifier of the next object (MTIOCPOS).", d => new Dictionary<string, object> { ["position"] = d.ReadPosition() }));
        mt.Subcommands.Add(Simple(console, device, json, "offline", "Rewind and eject (MTOFFL).", d => { d.Unload(); return null; }));
        mt.Subcommands.Add(Counted(console, device, json, "fsf", "Space forward N filemarks (MTFSF).", (d, n) => d.SpaceFilemarks(n)));
        mt.Subcommands.Add(Counted(console, device, json, "bsf", "Space backward N filemarks (MTBSF).", (d, n) => d.SpaceFilemarks(-n)));
        mt.Subcommands.Add(Counted(console, device, json, "fsr", "Space forward N blocks (MTFSR).", (d, n) => d.SpaceBlocks(n)));
        mt.Subcommands.Add(Counted(console, device, json, "bsr", "Space backward N blocks (MTBSR).", (d, n) => d.SpaceBlocks(-n)));
        mt.Subcommands.Add(Counted(console, device, json, "weof", "Write N synchronising filemarks at the current position (MTWEOF).", (d, n) => d.WriteFilemarks(n)));
        mt.Subcommands.Add(Counted(console, device, json, "seek", "Position before logical object N (MTSEEK).", (d, n) => d.Locate(n), allowZero: true));
        return mt;
    }

    private static Command Simple(CliConsole console, Option<string> device, Option<bool> json, string name, string description, Func<ITapeDrive, Dictionary<string, object>?> action)
    {
        var command = new Command(name, description);
        command.SetAction(parse => Run(console, parse.GetValue(device)!, parse.GetValue(json), action));
        return command;
    }

    private static Command Counted(CliConsole console, Option<string> device, Option<bool> json, string name, string description, Action<ITapeDrive, int> action, bool allowZero = false)
    {
        var count = new Argument<int>("count") { Description = "How many (1 … 8388607)." };
        var command = new Command(name, description);
        command.Arguments.Add(count);
        command.SetAction(parse =>
        {
            int n = parse.GetValue(count);
            if (n < (allowZero ? 0 : 1) || n > 0x7FFFFF)
            {
                throw new CliUsageException($"{name}: the count {n} is outside {(allowZero ? 0 : 1)} … 8388607.");
            }

            return Run(console, parse.GetValue(device)!, parse.GetValue(json), d =>
            {
                action(d, n);
                return null;
            });
        });
        return command;
    }

    private static int Run(CliConsole console, string device, bool json, Func<ITapeDrive, Dictionary<string, object>?> action)
    {
        using var drive = CliTapes.Open(console, device);
        var result = action(drive);
        if (result is null)
        {
            return ExitCodes.Success;
        }

        if (json)
        {
            using (var writer = new Utf8JsonWriter(console.Output, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                foreach (var (key, value) in result)
                {
                    switch (value)
                    {
                        case bool b:
                            writer.WriteBoolean(key, b);
                            break;
                        case long l:
                            writer.WriteNumber(key, l);
                            break;
                        case int i:
                            writer.WriteNumber(key, i);
                            break;
                        case null:
                            writer.WriteNull(key);
                            break;
                        default:
                            writer.WriteString(key, Convert.ToString(value, CultureInfo.InvariantCulture));
                            break;
                    }
                }

                writer.WriteEndObject();
            }

            console.Output.Write("\n"u8);
        }
        else
        {
            var text = new StringBuilder();
            foreach (var (key, value) in result)
            {
                text.Append(key).Append(": ").Append(value switch
                {
                    null => "unknown",
                    bool b => b ? "yes" : "no",
                    _ => Convert.ToString(value, CultureInfo.InvariantCulture),
                }).Append('\n');
            }

            console.Output.Write(Encoding.UTF8.GetBytes(text.ToString()));
        }

        console.Output.Flush();
        return ExitCodes.Success;
    }

    private static Dictionary<string, object> Status(ITapeDrive drive)
    {
        var s = drive.GetStatus();
        var flags = new List<string>();
        if (s.AtBeginningOfTape)
        {
            flags.Add("BOT");
        }

        if (s.AtStartOfFile)
        {
            flags.Add("EOF");
        }

        if (s.PastEarlyWarning)
        {
            flags.Add("EOT");
        }

        if (s.AtEndOfData)
        {
            flags.Add("EOD");
        }

        if (s.WriteProtected)
        {
            flags.Add("WR_PROT");
        }

        if (s.Online)
        {
            flags.Add("ONLINE");
        }

        if (s.NoMedium)
        {
            flags.Add("DR_OPEN");
        }

        return new Dictionary<string, object>
        {
            ["device"] = drive.DeviceName,
            ["fileNumber"] = s.FileNumber is int f ? f : null!,
            ["blockNumber"] = s.BlockNumber is int b ? b : null!,
            ["blockSize"] = s.BlockSize,
            ["densityCode"] = "0x" + s.DensityCode.ToString("x2", CultureInfo.InvariantCulture),
            ["partition"] = s.Partition,
            ["flags"] = string.Join(' ', flags),
            ["generalStatus"] = "0x" + s.RawGeneralStatus.ToString("x8", CultureInfo.InvariantCulture),
            ["recoveredErrors"] = s.RecoveredErrors,
            ["logicalPositioning"] = drive.Capabilities.LogicalPositioning,
        };
    }
}
