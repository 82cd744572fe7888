using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using TapeKit.Aggregation;
using TapeKit.Checksums;
using TapeKit.Cli.Tapes;
using TapeKit.Devices;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit tape write|dump|read|verify</c>: tape files on a virtual cartridge (<c>--tape</c>) or an
/// st device (<c>--device</c>). Exit codes: 3 label, format or checksum error; 4 refused for safety
/// (wrong volume, failed append check, write-protected); 5 device error (media error included).
/// </summary>
public static class TapeCommands
{
    /// <summary>Builds the <c>tape</c> command group.</summary>
    /// <param name="console">The streams the commands use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var tape = new Command("tape", "Write, dump, read and verify AUL, NL and ALB tape files.");
        tape.Subcommands.Add(Write(console));
        tape.Subcommands.Add(Dump(console));
        tape.Subcommands.Add(Read(console));
        tape.Subcommands.Add(Verify(console));
        return tape;
    }

    private static (Option<string?> Tape, Option<string?> Device, Option<string?> Vsn, Option<bool> Lenient) Target(Command command)
    {
        var tape = new Option<string?>("--tape") { Description = "A virtual cartridge directory." };
        var device = new Option<string?>("--device") { Description = "An st device, e.g. /dev/nst0." };
        var vsn = new Option<string?>("--vsn") { Description = "The VSN expected in VOL1 (default: the virtual cartridge's barcode; required with --device)." };
        var lenient = new Option<bool>("--lenient") { Description = "Read labels with Lenient checks (rule F3, docs/formats/rules.md)." };
        command.Options.Add(tape);
        command.Options.Add(device);
        command.Options.Add(vsn);
        command.Options.Add(lenient);
        return (tape, device, vsn, lenient);
    }

    /// <summary>Opens the tape a command names with <c>--tape</c> or <c>--device</c>.</summary>
    private static ITapeDrive Open(CliConsole console, ParseResult parse, (Option<string?> Tape, Option<string?> Device, Option<string?> Vsn, Option<bool> Lenient) target) =>
        CliTapes.Open(console, parse.GetValue(target.Tape), parse.GetValue(target.Device));

    /// <summary>The mount check of the tape a command names, with its <c>--vsn</c> and <c>--lenient</c>.</summary>
    private static AulVolume Mount(ITapeDrive drive, ParseResult parse, (Option<string?> Tape, Option<string?> Device, Option<string?> Vsn, Option<bool> Lenient) target) =>
        AulVolume.Mount(
            drive,
            CliTapes.ExpectedVsn(parse.GetValue(target.Vsn), parse.GetValue(target.Tape)),
            parse.GetValue(target.Lenient) ? LabelReadMode.Lenient : LabelReadMode.Strict);

    private static Command Write(CliConsole console)
    {
        var command = new Command("write", "Append tape files: one AUL or NL file per input file, or ALB aggregations of all inputs.");
        var target = Target(command);
        var format = new Option<string>("--format") { Description = "aul, nl or alb.", Required = true };
        format.AcceptOnlyFromAmong("aul", "nl", "alb");
        var payload = new Option<string>("--payload") { Description = "ALB payload: tar (default) or il.", DefaultValueFactory = _ => "tar" };
        payload.AcceptOnlyFromAmong("tar", "il");
        var blockSize = new Option<int>("--block-size") { Description = "Data block size S.", DefaultValueFactory = _ => BlockSizes.Default };
        var after = new Option<long?>("--after") { Description = "The fseq of the last file on the tape, from your catalogue (default: found by a label scan)." };
        var firstId = new Option<string?>("--file-id") { Description = "Hex id of the first file (AUL) or aggregation (ALB); the next ones count up (default: random)." };
        var marks = new Option<string>("--marks") { Description = "sync: every tape mark synchronises; buffered: CTA's immediate marks with a flush every 200 files or 32 GB.", DefaultValueFactory = _ => "buffered" };
        marks.AcceptOnlyFromAmong("sync", "buffered");
        var json = new Option<bool>("--json") { Description = "Print the files written as JSON: an array of { vsn, fseq, blockId, headerObjectId, firstDataObjectId, fileId, blockSize, blocks, bytes, payload, members: [ { name, size, offset, objectId, offsetInBlock, adler32, xxh3 } ] }." };
        var readAhead = AggCommands.ReadAheadOption();
        var paths = new Argument<string[]>("PATH") { Description = "Files (and, for alb, directories) to write.", Arity = ArgumentArity.OneOrMore };
        foreach (Option o in new Option[] { format, payload, blockSize, after, firstId, marks, json, readAhead })
        {
            command.Options.Add(o);
        }

        command.Arguments.Add(paths);
        command.SetAction(parse =>
        {
            int size = parse.GetValue(blockSize);
            string kind = parse.GetValue(format)!;
            var inputs = parse.GetValue(paths)!;
            ulong nextId = ParseId(parse.GetValue(firstId));
            var written = new List<TapeFileInfo>();
            string vsnText = string.Empty;
            var progress = CliProgress.For(console, parse, parse.GetValue(json));
            using (ITapeDrive drive = progress.Counting(Open(console, parse, target)))
            {
                if (kind == "nl")
                {
                    long existing = parse.GetValue(after) ?? progress.Show("Counting the files on the NL tape", null, () => NlTape.Scan(drive).Count);
                    WriteEach(drive.DeviceName, data => NlTape.AppendFile(drive, existing++, data, size));
                }
                else
                {
                    AulVolume volume = Mount(drive, parse, target);
                    vsnText = volume.Vsn;
                    long last = parse.GetValue(after) ?? volume.CountFiles();
                    var writer = new LabelWriter();
                    TapeMarkPolicy policy = parse.GetValue(marks) == "sync" ? TapeMarkPolicy.SynchronousMarks : TapeMarkPolicy.CtaDefault;
                    using AulAppendSession session = volume.Append(last, writer, policy);
                    if (kind == "aul")
                    {
                        WriteEach(vsnText, data => session.WriteFile(nextId++, data, size));
                    }
                    else
                    {
                        var format = parse.GetValue(payload) == "il" ? AggregationFormat.Il : AggregationFormat.Tar;
                        List<MemberSource> members = AggCommands.Collect(inputs, console.Error);
                        var candidates = members
                            .Select(m => new PlanCandidate<MemberSource>(m, m.Size ?? throw new InvalidOperationException($"The size of {m.Name} is unknown.")));
                        progress.Show($"Writing to {vsnText}", members.Sum(m => m.Size ?? 0), () =>
                        {
                            foreach (AggregationPlan<MemberSource> plan in AggregationPlanner.Plan(candidates, AggregationLimits.Default))
                            {
                                // Members read ahead on other threads; the drive is written on this one, so its errors are seen at their block.
                                int ahead = parse.GetValue(readAhead);
                                using MemberReadAhead? feeder = ahead == 0 ? null : MemberReadAhead.Start(plan.Members, new ReadAheadOptions { MaxMembers = ahead });
                                written.Add(session.WriteAggregation(nextId++, progress.Each(feeder ?? (IEnumerable<MemberSource>)plan.Members, m => m.Size), format, size));
                            }
                        });
                    }
                }
            }

            Report(console, vsnText, written, parse.GetValue(json));
            return ExitCodes.Success;

            // One tape file per input file (AUL, NL), under one bar over their total size.
            void WriteEach(string where, Func<Stream, TapeFileInfo> write) => progress.Show($"Writing to {where}", progress.SizeOf(inputs), () =>
            {
                foreach (string path in progress.Each(inputs, progress.SizeOf))
                {
                    using Stream data = CliFiles.OpenInput(path, console);
                    written.Add(write(data));
                }
            });
        });
        return command;
    }

    private static Command Dump(CliConsole console)
    {
        var command = new Command("dump", "List every tape file with its labels, block counts, payload kind and members.");
        var target = Target(command);
        var nl = new Option<bool>("--nl") { Description = "The tape has no labels (NL)." };
        var json = new Option<bool>("--json") { Description = "Print JSON: an array of { vsn, fseq, blockId, headerObjectId, firstDataObjectId, fileId, blockSize, blocks, bytes, payload, labels: [ { kind, objectId, …fields as label decode --json } ], members: [ { name, size, offset, objectId, offsetInBlock, adler32, xxh3 } ] }." };
        command.Options.Add(nl);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var progress = CliProgress.For(console, parse, parse.GetValue(json));
            using ITapeDrive drive = progress.Counting(Open(console, parse, target));
            if (parse.GetValue(nl))
            {
                Report(console, string.Empty, progress.Show($"Reading {drive.DeviceName}", null, () => NlTape.Scan(drive)), parse.GetValue(json), withLabels: false);
                return ExitCodes.Success;
            }

            AulVolume volume = Mount(drive, parse, target);
            Report(console, volume.Vsn, progress.Show($"Reading {volume.Vsn}", null, () => volume.Scan(onFile: progress.Listed)), parse.GetValue(json), withLabels: true);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Read(CliConsole console)
    {
        var command = new Command("read", "Read one tape file, or one member of an ALB file by locating to its blocks.");
        var target = Target(command);
        var fseq = new Option<long>("--fseq") { Description = "The file's fseq.", Required = true };
        var member = new Option<string?>("--member") { Description = "The member to read from an ALB file." };
        var output = new Option<string>("--out") { Description = "Where to write the data (written to a temporary file, renamed once verified).", Required = true };
        var nl = new Option<bool>("--nl") { Description = "The tape has no labels (NL)." };
        command.Options.Add(fseq);
        command.Options.Add(member);
        command.Options.Add(output);
        command.Options.Add(nl);
        command.SetAction(parse =>
        {
            long n = parse.GetValue(fseq);
            string? name = parse.GetValue(member);
            var progress = CliProgress.For(console, parse);
            using ITapeDrive drive = progress.Counting(Open(console, parse, target));
            string what = string.Create(CultureInfo.InvariantCulture, $"file {n}");
            WriteVerified(parse.GetValue(output)!, stream =>
            {
                if (parse.GetValue(nl))
                {
                    progress.Show($"Reading {what}", null, () => NlTape.ReadFile(drive, n, stream));
                    return;
                }

                AulVolume volume = Mount(drive, parse, target);
                TapeFileInfo file = progress.Show($"Finding {what} on {volume.Vsn}", null, () => FileAt(volume, n));
                if (name is null)
                {
                    progress.Show($"Reading {what}", file.DataBytes, () => volume.ReadFile(n, file.FileId, stream, file.CtaBlockId));
                    return;
                }

                AggregationMember entry = file.Members.FirstOrDefault(m => m.Name == name)
                    ?? throw new CliUsageException($"File {n} on {volume.Vsn} has no member '{name}'.");
                progress.Show($"Reading {name}", entry.Size, () => volume.ReadMember(file, file.Payload == PayloadKind.Il ? AggregationFormat.Il : AggregationFormat.Tar, entry, stream));
            });
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Verify(CliConsole console)
    {
        var command = new Command("verify", "Read everything back and check labels, block counts and member checksums.");
        var target = Target(command);
        command.SetAction(parse =>
        {
            var progress = CliProgress.For(console, parse);
            using ITapeDrive drive = progress.Counting(Open(console, parse, target));
            AulVolume volume = Mount(drive, parse, target);
            IReadOnlyList<TapeFileInfo> files = progress.Show($"Verifying {volume.Vsn}", null, () => volume.Scan(withMembers: true, onFile: progress.Listed));
            long members = files.Sum(f => (long)f.Members.Count);
            using var stdout = new StreamWriter(console.Output, leaveOpen: true);
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{volume.Vsn}: {files.Count} files, {files.Sum(f => f.DataBlocks)} data blocks, {members} members verified"));
            return ExitCodes.Success;
        });
        return command;
    }

    private static TapeFileInfo FileAt(AulVolume volume, long fseq)
    {
        IReadOnlyList<TapeFileInfo> files = volume.Scan(withMembers: true);
        return files.FirstOrDefault(f => f.FileSequence == fseq)
            ?? throw new CliUsageException(string.Create(CultureInfo.InvariantCulture, $"Tape {volume.Vsn} has {files.Count} files; there is no file {fseq}."));
    }

    private static void WriteVerified(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tapekit-{Guid.NewGuid():N}.partial");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    private static void Report(CliConsole console, string vsn, IReadOnlyList<TapeFileInfo> files, bool asJson, bool withLabels = false)
    {
        if (asJson)
        {
            using var json = new Utf8JsonWriter(console.Output, new JsonWriterOptions { Indented = true });
            json.WriteStartArray();
            foreach (TapeFileInfo file in files)
            {
                TapeFileJson.Write(json, vsn, file, withLabels);
            }

            json.WriteEndArray();
            json.Flush();
            console.Output.WriteByte((byte)'\n');
            console.Output.Flush();
            return;
        }

        using var stdout = new StreamWriter(console.Output, leaveOpen: true);
        stdout.WriteLine($"{"fseq",5} {"blockId",9} {"fileId",-17} {"blocks",8} {"bytes",14} {"payload",-8} {"members",7}");
        foreach (TapeFileInfo f in files)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{f.FileSequence,5} {f.CtaBlockId,9} {f.FileId,-17:X} {f.DataBlocks,8} {f.DataBytes,14} {TapeFileJson.PayloadName(f.Payload),-8} {f.Members.Count,7}"));
        }
    }

    private static ulong ParseId(string? text)
    {
        if (text is null)
        {
            // Without a catalogue, ids are random non-zero 63-bit numbers (docs/formats/README.md#choice-ids).
            return (ulong)Random.Shared.NextInt64(1, long.MaxValue);
        }

        string digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (!ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong id) || id == 0)
        {
            throw new CliUsageException($"--file-id takes a non-zero hexadecimal id; '{text}' is not one.");
        }

        return id;
    }
}
