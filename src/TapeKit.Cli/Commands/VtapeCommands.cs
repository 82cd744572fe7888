using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit vtape create|dump|verify</c>: virtual cartridges in the format of
/// docs/devices/virtual-cartridge.md. <c>create</c> makes a blank cartridge; writing its volume label is the
/// tape-layout layer's job.
/// </summary>
public static class VtapeCommands
{
    /// <summary>Builds the <c>vtape</c> command group.</summary>
    /// <param name="console">The streams to use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var vtape = new Command("vtape", "Create, dump and verify virtual tape cartridges (the directories a virtual library keeps its tapes in).");
        vtape.Subcommands.Add(CreateCommand(console));
        vtape.Subcommands.Add(DumpCommand(console));
        vtape.Subcommands.Add(VerifyCommand(console));
        return vtape;
    }

    private static Command CreateCommand(CliConsole console)
    {
        var path = new Argument<string>("path") { Description = "The new cartridge directory, conventionally <VSN>.tkvt." };
        var vsn = new Option<string>("--vsn") { Description = "The barcode: 1 to 16 characters A-Z, 0-9.", Required = true };
        var media = new Option<string>("--media") { Description = "The media profile (lto7, lto8, lto9, lto10, lto10p, ts1160, ts1170).", DefaultValueFactory = _ => "lto9" };
        var capacity = new Option<long?>("--capacity") { Description = "Capacity in bytes instead of the profile's native capacity." };
        var synthetic = new Option<ulong?>("--synthetic-seed") { Description = "A synthetic cartridge: payloads are discarded and generated from this seed on read." };
        var protect = new Option<bool>("--write-protect") { Description = "Set the write-protect tab." };
        var noLabel = new Option<bool>("--no-label") { Description = "Leave the cartridge blank (for NL use) instead of prelabelling it." };
        var command = new Command("create", "Create a blank virtual cartridge.");
        command.Arguments.Add(path);
        command.Options.Add(vsn);
        command.Options.Add(media);
        command.Options.Add(noLabel);
        command.Options.Add(capacity);
        command.Options.Add(synthetic);
        command.Options.Add(protect);
        command.SetAction(parse =>
        {
            string id = parse.GetValue(vsn)!;
            if (!IsVsn(id))
            {
                throw new CliUsageException($"--vsn \"{id}\" is not 1 to 16 characters A-Z, 0-9.");
            }

            MediaProfile profile;
            try
            {
                profile = MediaProfile.Get(parse.GetValue(media)!);
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(e.Message);
            }

            if (parse.GetValue(capacity) is long c && c <= 0)
            {
                throw new CliUsageException("--capacity must be positive.");
            }

            bool label = !parse.GetValue(noLabel);
            if (label && id.Length > 6)
            {
                throw new CliUsageException($"--vsn \"{id}\" has more than 6 characters, which VOL1 cannot hold; use a shorter VSN or --no-label for an NL cartridge.");
            }

            string directory = parse.GetValue(path)!;
            VirtualCartridge.Create(directory, id, profile, new VirtualCartridgeOptions
            {
                Capacity = parse.GetValue(capacity),
                SyntheticSeed = parse.GetValue(synthetic),
                WriteProtected = parse.GetValue(protect) && !label,
            });
            if (label)
            {
                // vtape create prelabels (VOL1, PRELABEL HDR1, tape mark), as labelling a new cartridge does.
                using (ITapeDrive drive = VirtualTapeDrive.Open(directory))
                {
                    AulVolume.Prelabel(drive, new LabelWriter(), id);
                }

                if (parse.GetValue(protect))
                {
                    VirtualCartridge.SetWriteProtect(directory, true);
                }
            }
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command DumpCommand(CliConsole console)
    {
        var path = new Argument<string>("path") { Description = "The cartridge directory." };
        var canonical = new Option<bool>("--canonical") { Description = "The canonical dump: one line per object (index, kind, length, position, CRC32C) and the commit record, as native/tapekit_vtape dump prints it." };
        var json = new Option<bool>("--json") { Description = "Print the cartridge description and commit as JSON: { vsn, mediaProfile, formatVersion, densityCode, capacity, earlyWarningDistance, filemarkFootprint, writeProtected, synthetic, commit: { sequence, objects, dataLength, tapeLength, filemarks }, objects: [ { id, kind, length, tapeOffset, payloadCrc32c } ] }." };
        var command = new Command("dump", "Print a cartridge's objects and commit.");
        command.Arguments.Add(path);
        command.Options.Add(canonical);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(path)!;
            if (parse.GetValue(json))
            {
                WriteJson(console, VirtualCartridge.ReadInfo(dir), VirtualCartridge.CanonicalDump(dir));
                return ExitCodes.Success;
            }

            string text = VirtualCartridge.CanonicalDump(dir);
            if (!parse.GetValue(canonical))
            {
                var info = VirtualCartridge.ReadInfo(dir);
                text = string.Create(CultureInfo.InvariantCulture,
                    $"# {info.Vsn} {info.MediaProfile} format {info.FormatVersion} capacity {info.Capacity} early-warning-distance {info.EarlyWarningDistance}{(info.WriteProtected ? " write-protected" : "")}{(info.Synthetic ? " synthetic" : "")}\n# id kind length tape-offset payload-crc32c\n") + text;
            }

            Write(console, text);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command VerifyCommand(CliConsole console)
    {
        var path = new Argument<string>("path") { Description = "The cartridge directory." };
        var command = new Command("verify", "Check a cartridge against the format; exit 3 if it is damaged.");
        command.Arguments.Add(path);
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(path)!;
            var problems = VirtualCartridge.Verify(dir);
            foreach (string problem in problems)
            {
                console.Error.WriteLine("tapekit: " + problem.ReplaceLineEndings(" "));
            }

            if (problems.Count > 0)
            {
                return ExitCodes.InvalidInput;
            }

            var info = VirtualCartridge.ReadInfo(dir);
            Write(console, string.Create(CultureInfo.InvariantCulture, $"{info.Vsn}: {info.ObjectCount} objects, {info.FilemarkCount} filemarks, {info.DataLength} data bytes: ok\n"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static bool IsVsn(string vsn) => vsn.Length is >= 1 and <= 16 && vsn.All(c => c is (>= 'A' and <= 'Z') or (>= '0' and <= '9'));

    private static void Write(CliConsole console, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        console.Output.Write(bytes);
        console.Output.Flush();
    }

    private static void WriteJson(CliConsole console, VirtualCartridgeInfo info, string canonical)
    {
        using (var json = new Utf8JsonWriter(console.Output, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("vsn", info.Vsn);
            json.WriteString("mediaProfile", info.MediaProfile);
            json.WriteString("formatVersion", info.FormatVersion);
            json.WriteNumber("densityCode", info.DensityCode);
            json.WriteNumber("capacity", info.Capacity);
            json.WriteNumber("earlyWarningDistance", info.EarlyWarningDistance);
            json.WriteNumber("filemarkFootprint", info.FilemarkFootprint);
            json.WriteBoolean("writeProtected", info.WriteProtected);
            json.WriteBoolean("synthetic", info.Synthetic);
            json.WriteStartObject("commit");
            json.WriteNumber("sequence", info.CommitSequence);
            json.WriteNumber("objects", info.ObjectCount);
            json.WriteNumber("dataLength", info.DataLength);
            json.WriteNumber("tapeLength", info.TapeLength);
            json.WriteNumber("filemarks", info.FilemarkCount);
            json.WriteEndObject();
            json.WriteStartArray("objects");
            foreach (string line in canonical.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("commit", StringComparison.Ordinal)))
            {
                string[] f = line.Split(' ');
                json.WriteStartObject();
                json.WriteNumber("id", long.Parse(f[0], CultureInfo.InvariantCulture));
                json.WriteString("kind", f[1]);
                json.WriteNumber("length", long.Parse(f[2], CultureInfo.InvariantCulture));
                json.WriteNumber("tapeOffset", long.Parse(f[3], CultureInfo.InvariantCulture));
                json.WriteString("payloadCrc32c", f[4]);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        console.Output.Write("\n"u8);
        console.Output.Flush();
    }
}
