using System.Collections.Concurrent;
using System.CommandLine;
using System.Runtime.ExceptionServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;
using TapeKit.IO;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit agg pack|list|extract|verify</c>: aggregations as files (the CLI contract, docs/cli.md). Exit
/// codes: 3 for a format or checksum error, 4 when extraction refuses an unsafe member, 5 for I/O.
/// </summary>
/// <remarks>
/// Choices TapeKit made where the contract is silent:
/// <list type="bullet">
/// <item><c>pack</c> writes one aggregation of everything given (the F7 limits belong to the
/// planner, not to this command); a file argument becomes a member under its own name, a directory
/// its regular files under <c>dir/relative/path</c> in ordinal order; symbolic links (also to
/// directories, which are not followed), FIFOs, devices and sockets are skipped with a warning; the output
/// appears under its name only when complete (temporary file, rename).</item>
/// <item><c>list</c> reads and checks every block, so its checksums are computed, not copied; JSON
/// rows carry an extra <c>type</c> key (<c>file</c>, <c>directory</c>, <c>symlink</c>, …) and
/// non-file rows have <c>null</c> checksums. For IL, <c>name</c> is the header's <c>fileName</c>
/// (the last 649 bytes, F5.3).</item>
/// <item><c>verify</c> of a tar archive without a TapeKit manifest checks its structure only, says so
/// in a warning on stderr, and exits 0: there is no checksum to compare.</item>
/// <item><c>extract --member NAME</c> for a name the aggregation lacks is a usage error (exit 2).</item>
/// </list>
/// </remarks>
public static class AggCommands
{
    /// <summary>Builds the <c>agg</c> command group.</summary>
    /// <param name="console">The streams the commands use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var agg = new Command("agg", "Pack, list, extract and verify IL and tar aggregations.");
        agg.Subcommands.Add(Pack(console));
        agg.Subcommands.Add(List(console));
        agg.Subcommands.Add(Extract(console));
        agg.Subcommands.Add(Verify(console));
        return agg;
    }

    private static Command Pack(CliConsole console)
    {
        var format = new Option<string>("--format") { Description = "Payload format: il or tar.", Required = true };
        format.AcceptOnlyFromAmong("il", "tar");
        var output = new Option<string>("--out") { Description = "The aggregation file to write.", Required = true };
        var blockSize = new Option<int>("--block-size") { Description = "Tape block size S in bytes (a multiple of 512; IL: more than 1024).", DefaultValueFactory = _ => BlockSizes.Default };
        var json = new Option<bool>("--json") { Description = "Print the member index as JSON: an array of { name, type, size, offset, adler32, xxh3 }." };
        var readAhead = ReadAheadOption();
        var driveThread = new Option<bool>("--drive-thread")
        {
            Description = "Write the blocks on a thread of their own, through a pipe, while the next ones are packed: for an output whose writes wait (a network file system, a slow disk). A local file gains nothing from it.",
        };
        var paths = new Argument<string[]>("PATH") { Description = "Files and directories to pack.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("pack", "Pack files and directories into one aggregation.");
        command.Options.Add(format);
        command.Options.Add(output);
        command.Options.Add(blockSize);
        command.Options.Add(json);
        command.Options.Add(readAhead);
        command.Options.Add(driveThread);
        command.Arguments.Add(paths);
        command.SetAction(parse =>
        {
            string outPath = parse.GetValue(output)!;
            int size = parse.GetValue(blockSize);
            bool il = parse.GetValue(format) == "il";
            if (size <= 0 || size % 512 != 0 || (il && size <= IlHeader.Size))
            {
                throw new CliUsageException($"--block-size {size} is not a multiple of 512{(il ? " greater than 1024" : string.Empty)}.");
            }

            var progress = CliProgress.For(console, parse, parse.GetValue(json));
            // A progress bar needs the total first. Without one, the trees are walked while the first files are already
            // read and packed, and each file is measured by its reader, not by the listing.
            IEnumerable<MemberSource> members = progress.Enabled
                ? Collect(parse.GetValue(paths)!, console.Error)
                : CollectAsPacked(parse.GetValue(paths)!, console.Error);
            string full = Path.GetFullPath(outPath);
            string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tapekit-{Guid.NewGuid():N}.partial");
            int ahead = parse.GetValue(readAhead);
            IReadOnlyList<AggregationMember> index;
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
                // The disk writes while the rest is packed: the final flush to disk waits for the last 8 MiB only.
                using (var sink = new StreamBlockSink(stream, size) { WritebackInterval = 8L << 20 })
                {
                    var measured = members as List<MemberSource>;
                    long total = measured?.Sum(m => m.Size ?? 0) ?? 0;
                    index = progress.Show($"Packing {Path.GetFileName(full)}", total, () =>
                    {
                        // The feeder: members read ahead on other threads. By default the blocks go to the file from this
                        // thread: a write into the page cache is a copy, and the drive thread cost more in hand-overs than
                        // it saved there (measured: 403 against 372 ms on 20 000 × 4 KiB, 719 against 651 ms on 256 × 4 MiB).
                        var options = new ReadAheadOptions { MaxMembers = ahead };
                        using MemberReadAhead? feeder = ahead == 0 ? null
                            : measured is not null ? MemberReadAhead.Start(measured, options) : MemberReadAhead.StartStreaming(members, options);
                        IEnumerable<MemberSource> source = feeder ?? (IEnumerable<MemberSource>)members;
                        if (!parse.GetValue(driveThread))
                        {
                            return Pack(progress, source, progress.Counting(sink), il);
                        }

                        // Progress counts on the writer's side (one thread); without a terminal the writer fills the pipe.
                        using var drive = new PipelinedBlockSink(sink);
                        var packed = Pack(progress, source, progress.Counting(drive), il);
                        drive.Complete();
                        return packed;
                    });
                    sink.Flush(toDisk: true);
                }

                File.Move(temp, full, overwrite: true);
            }
            catch
            {
                File.Delete(temp);
                throw;
            }

            using var stdout = Writer(console);
            if (parse.GetValue(json))
            {
                WriteJson(stdout, index.Select(m => (m.Name, "file", m.Size, m.PayloadOffset, (MemberDigest?)m.Digest)));
            }
            else
            {
                stdout.WriteLine($"{index.Count} members packed into {outPath} ({(il ? "IL" : "tar")}, block size {size}).");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The <c>--read-ahead</c> option of the commands that write aggregations from files.</summary>
    internal static Option<int> ReadAheadOption()
    {
        var option = new Option<int>("--read-ahead")
        {
            Description = "Files read ahead of the writer, on other threads (0: one after the other, on the writer's thread).",
            DefaultValueFactory = _ => new ReadAheadOptions().MaxMembers,
        };
        option.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 0)
            {
                result.AddError("--read-ahead must be 0 or more.");
            }
        });
        return option;
    }

    private static IReadOnlyList<AggregationMember> Pack(CliProgress progress, IEnumerable<MemberSource> members, IBlockSink sink, bool il)
    {
        IAggregationWriter writer = il ? new IlAggregationWriter(sink) : new TarAggregationWriter(sink);
        foreach (var member in progress.Each(members, m => m.Size))
        {
            writer.Add(member);
        }

        return writer.Complete();
    }

    private static Command List(CliConsole console)
    {
        var json = new Option<bool>("--json") { Description = "Print JSON: an array of { name, type, size, offset, adler32, xxh3 } (offset: of the first data byte; checksums null for members that are not files)." };
        var file = new Argument<string>("FILE") { Description = "The aggregation file." };
        var command = new Command("list", "List the members of an aggregation with their checksums (verifying them).");
        command.Options.Add(json);
        command.Arguments.Add(file);
        command.SetAction(parse =>
        {
            bool asJson = parse.GetValue(json);
            using var reader = AggregationReader.OpenFile(parse.GetValue(file)!);
            using var stdout = Writer(console);
            var rows = new List<(string, string, long, long, MemberDigest?)>();
            try
            {
                while (reader.ReadNext() is { } entry)
                {
                    var digest = reader.CopyDataTo(null);
                    var row = (entry.Name, TypeName(entry.Type), entry.Size, entry.DataOffset, entry.Type == AggregationEntryType.File ? digest : (MemberDigest?)null);
                    rows.Add(row);
                    if (!asJson)
                    {
                        stdout.WriteLine(TextRow(row));
                    }
                }
            }
            finally
            {
                Warnings(reader, console.Error);
            }

            if (asJson)
            {
                WriteJson(stdout, rows);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Extract(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "The aggregation file." };
        var to = new Option<string>("--to") { Description = "The directory to extract into.", Required = true };
        var member = new Option<string[]>("--member") { Description = "Extract only these members.", AllowMultipleArgumentsPerToken = true };
        var command = new Command("extract", "Extract members safely: verified before they appear, never outside the target.");
        command.Arguments.Add(file);
        command.Options.Add(to);
        command.Options.Add(member);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            string[]? names = parse.GetValue(member);
            var progress = CliProgress.For(console, parse);
            AggregationReader? last = null;
            try
            {
                // Two passes: every member is verified before any is written.
                var result = progress.Show($"Extracting {Path.GetFileName(path)}", 2 * progress.SizeOf(path), () =>
                    SafeExtractor.Extract(() => last = OpenFile(path, progress), parse.GetValue(to)!, names is { Length: > 0 } ? names : null));
                using var stdout = Writer(console);
                stdout.WriteLine($"{result.Extracted.Count} members extracted to {parse.GetValue(to)}.");
                return ExitCodes.Success;
            }
            finally
            {
                if (last is not null)
                {
                    Warnings(last, console.Error);
                }
            }
        });
        return command;
    }

    private static Command Verify(CliConsole console)
    {
        var file = new Argument<string>("FILE") { Description = "The aggregation file." };
        var command = new Command("verify", "Read every block and recompute every checksum; exit 3 on any mismatch.");
        command.Arguments.Add(file);
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            var progress = CliProgress.For(console, parse);
            using var reader = OpenFile(path, progress);
            IReadOnlyList<AggregationMember> members;
            try
            {
                members = progress.Show($"Verifying {Path.GetFileName(path)}", progress.SizeOf(path), reader.VerifyAll);
            }
            finally
            {
                Warnings(reader, console.Error);
            }

            using var stdout = Writer(console);
            stdout.WriteLine($"{members.Count} members verified ({(reader.Format == AggregationFormat.Il ? "IL" : "tar")}, block size {reader.BlockSize}).");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// The members for the PATH arguments, each file measured now: a file under its own name, a directory's regular
    /// files under dir/relative/path, in ordinal order. Anything else (a symbolic link, a FIFO, a device, a socket) is
    /// skipped with a warning; a symbolic link to a directory is not followed.
    /// </summary>
    internal static List<MemberSource> Collect(string[] paths, TextWriter error)
    {
        var members = new List<MemberSource>();
        foreach ((string full, string baseName, FileNodeStatus status) in Roots(paths))
        {
            if (status.Type != FileNodeType.Directory)
            {
                AddIfFile(members, FileMember(full, baseName, status, error));
                continue;
            }

            List<(string Path, string Name)> files = [.. FilesBelow(full, baseName, error)];
            FileNodeStatus[] statuses = InspectAll(files);
            for (int i = 0; i < files.Count; i++)
            {
                AddIfFile(members, FileMember(files[i].Path, files[i].Name, statuses[i], error));
            }
        }

        return members.Count > 0 ? members : throw NothingToPack();
    }

    /// <summary>
    /// The members of <see cref="Collect"/>, in the same order, as the trees are walked: nothing is looked at per file
    /// here, each file's reader takes its size, mode and time from the open file (<see cref="MemberSource.TakesFileMetadata"/>).
    /// The PATH arguments themselves are checked now; what the walk meets (a name that cannot be a member, a directory
    /// that cannot be read) is thrown where the walk meets it.
    /// </summary>
    internal static IEnumerable<MemberSource> CollectAsPacked(string[] paths, TextWriter error)
    {
        var roots = Roots(paths);
        return Walk(TextWriter.Synchronized(error)); // the warnings come from the thread that walks

        IEnumerable<MemberSource> Walk(TextWriter warnings)
        {
            int count = 0;
            foreach ((string full, string baseName, FileNodeStatus status) in roots)
            {
                if (status.Type != FileNodeType.Directory)
                {
                    if (FileMember(full, baseName, status, warnings) is { } member)
                    {
                        count++;
                        yield return member;
                    }

                    continue;
                }

                foreach ((string path, string name) in FilesBelow(full, baseName, warnings))
                {
                    count++;
                    yield return MemberSource.FromFile(path, name) with { TakesFileMetadata = true };
                }
            }

            if (count == 0)
            {
                throw NothingToPack();
            }
        }
    }

    /// <summary>Each PATH argument, made absolute, with its own status (a symbolic link not followed).</summary>
    private static List<(string Full, string BaseName, FileNodeStatus Status)> Roots(string[] paths)
    {
        var roots = new List<(string, string, FileNodeStatus)>(paths.Length);
        foreach (string path in paths)
        {
            string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            try
            {
                roots.Add((full, Path.GetFileName(full), FileNodes.Inspect(full)));
            }
            catch (FileNotFoundException)
            {
                throw new FileNotFoundException($"{path} does not exist.", path);
            }
        }

        return roots;
    }

    /// <summary>The regular files below <paramref name="full"/>, in order, with their member names; the other nodes skipped with a warning.</summary>
    private static IEnumerable<(string Path, string Name)> FilesBelow(string full, string baseName, TextWriter error)
    {
        int prefix = Path.EndsInDirectorySeparator(full) ? full.Length : full.Length + 1; // "/" keeps its separator
        foreach (FileNodeEntry node in DirectoryTree.Enumerate(full))
        {
            if (node.Type == FileNodeType.Directory)
            {
                continue;
            }

            if (node.Type != FileNodeType.Regular)
            {
                Skip(node.Path, node.Type, error);
                continue;
            }

            string relative = node.Path[prefix..];
            if (Path.DirectorySeparatorChar != '/')
            {
                relative = relative.Replace(Path.DirectorySeparatorChar, '/');
            }

            yield return (node.Path, CheckedName(node.Path, baseName.Length == 0 ? relative : baseName + "/" + relative));
        }
    }

    private static CliUsageException NothingToPack() => new("Nothing to pack: the paths hold no regular file.");

    /// <summary>
    /// One <see cref="FileNodes.Inspect"/> per file, on every core: a system call each, which on a tree of small files is
    /// most of the listing's time, while nothing else runs yet. The first file that fails (in order) throws its error.
    /// </summary>
    private static FileNodeStatus[] InspectAll(List<(string Path, string Name)> files)
    {
        var statuses = new FileNodeStatus[files.Count];
        var errors = new ExceptionDispatchInfo?[files.Count];
        Parallel.ForEach(Partitioner.Create(0, files.Count, Math.Max(256, files.Count / (4 * Environment.ProcessorCount))), range =>
        {
            for (int i = range.Item1; i < range.Item2; i++)
            {
                try
                {
                    statuses[i] = FileNodes.Inspect(files[i].Path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    errors[i] = ExceptionDispatchInfo.Capture(e);
                }
            }
        });
        foreach (ExceptionDispatchInfo? failure in errors)
        {
            failure?.Throw();
        }

        return statuses;
    }

    /// <summary>The member for a file already looked at, or <see langword="null"/> (with a warning) when it is not a regular file.</summary>
    private static MemberSource? FileMember(string path, string name, FileNodeStatus status, TextWriter error)
    {
        if (status.Type != FileNodeType.Regular)
        {
            Skip(path, status.Type, error);
            return null;
        }

        CheckedName(path, name);

        // An empty file is packed without opening it: there is nothing to read, and the open would be a system call.
        var source = status.Size == 0 ? MemberSource.FromMemory(ReadOnlyMemory<byte>.Empty, name) : MemberSource.FromFile(path, name, status.Size);
        return source with
        {
            ModificationTime = status.ModifiedAt,
            Mode = OperatingSystem.IsWindows() ? Convert.ToInt32("644", 8) : (int)status.Mode & 0xFFF,
        };
    }

    private static void AddIfFile(List<MemberSource> members, MemberSource? member)
    {
        if (member is not null)
        {
            members.Add(member);
        }
    }

    private static void Skip(string path, FileNodeType type, TextWriter error) =>
        error.WriteLine($"tapekit: warning: skipping {path}: {FileNodes.Describe(type)}.");

    /// <summary>The member name for <paramref name="path"/>, or a usage error saying why it cannot be one (F12).</summary>
    private static string CheckedName(string path, string name) =>
        MemberName.Problem(name) is { } problem
            ? throw new CliUsageException($"{path} cannot be a member: its name \"{MemberName.Printable(name)}\" {problem}.")
            : name;

    private static string TypeName(AggregationEntryType type) => type switch
    {
        AggregationEntryType.File => "file",
        AggregationEntryType.Directory => "directory",
        AggregationEntryType.HardLink => "hardlink",
        AggregationEntryType.SymbolicLink => "symlink",
        AggregationEntryType.CharacterDevice => "chardev",
        AggregationEntryType.BlockDevice => "blockdev",
        _ => "fifo",
    };

    private static string TextRow((string Name, string Type, long Size, long Offset, MemberDigest? Digest) row) =>
        row.Digest is { } d
            ? $"{ChecksumText.Adler32Hex(d.Adler32)}  {ChecksumText.Hash64Hex(d.XxHash3)}  {row.Size,12}  {row.Offset,12}  {MemberName.Printable(row.Name)}"
            : $"{row.Type,-8}  {string.Empty,16}  {row.Size,12}  {row.Offset,12}  {MemberName.Printable(row.Name)}";

    private static void WriteJson(StreamWriter stdout, IEnumerable<(string Name, string Type, long Size, long Offset, MemberDigest? Digest)> rows)
    {
        stdout.Flush();
        using (var json = new Utf8JsonWriter(stdout.BaseStream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartArray();
            foreach (var row in rows)
            {
                json.WriteStartObject();
                json.WriteString("name", row.Name);
                json.WriteString("type", row.Type);
                json.WriteNumber("size", row.Size);
                json.WriteNumber("offset", row.Offset);
                if (row.Digest is { } d)
                {
                    json.WriteString("adler32", ChecksumText.Adler32Hex(d.Adler32));
                    json.WriteString("xxh3", ChecksumText.Hash64Hex(d.XxHash3));
                }
                else
                {
                    json.WriteNull("adler32");
                    json.WriteNull("xxh3");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        stdout.BaseStream.WriteByte((byte)'\n');
    }

    private static void Warnings(AggregationReader reader, TextWriter error)
    {
        foreach (string warning in reader.Warnings)
        {
            error.WriteLine($"tapekit: warning: {warning}");
        }
    }

    /// <summary>Opens an aggregation file as <see cref="AggregationReader.OpenFile"/> does, counting what is read.</summary>
    private static AggregationReader OpenFile(string path, CliProgress progress)
    {
        if (!progress.Enabled)
        {
            return AggregationReader.OpenFile(path);
        }

        var stream = progress.Counting(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess));
        try
        {
            return AggregationReader.Open(stream, ownsStream: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static StreamWriter Writer(CliConsole console) =>
        new(console.Output, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 4096, leaveOpen: true) { AutoFlush = true };
}
