using System.CommandLine;
using System.Text.Json;
using TapeKit.Cli.Hsm;
using TapeKit.Cli.Tapes;
using TapeKit.Devices;
using TapeKit.Hsm.Rebuild;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit catalog rebuild --db FILE --tape PATH…</c>: rebuilds the catalogue from the tapes alone
/// (<c>docs/hsm/overview.md#rebuilding-the-catalogue-from-tapes</c>). <c>--db FILE.json</c> writes the JSON listing of tape files and ALB members
/// (unchanged); any other name writes an SQLite HSM catalogue (<see cref="SqliteCatalogRebuild"/>), refusing
/// (exit 4) to replace a catalogue that is not empty unless <c>--force</c>.
/// </summary>
public static class CatalogCommands
{
    /// <summary>Builds the <c>catalog</c> command group.</summary>
    /// <param name="console">The streams the commands use.</param>
    /// <returns>The command.</returns>
    public static Command Create(CliConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var catalog = new Command("catalog", "Catalogue tools.");
        var db = new Option<string>("--db")
        {
            Description = "The catalogue to write: FILE.json, a JSON listing of tape files and members; any other name, an SQLite HSM catalogue "
                + "(tapes, aggregations ON_TAPE with tape file locators and members, files ARCHIVED and PURGED with the checksums the tapes record).",
            Required = true,
        };
        var tapes = new Option<string[]>("--tape") { Description = "Virtual cartridge directories to scan (repeatable); for SQLite, copies are numbered in this order.", Required = true, AllowMultipleArgumentsPerToken = true };
        var force = new Option<bool>("--force") { Description = "SQLite: replace a catalogue that is not empty (without it, exit 4). A JSON file is always replaced." };
        var pool = new Option<string>("--pool") { Description = "SQLite: the tape pool of the tapes and files (tapes do not record it).", DefaultValueFactory = _ => CatalogRebuild.RuleName };
        var diskLibrary = new Option<string>("--disk-library") { Description = "SQLite: the home disk library of the files (tapes do not record it).", DefaultValueFactory = _ => CatalogRebuild.RuleName };
        var rebuild = new Command("rebuild", "Rebuild the catalogue of tape files and members from the tapes alone: to JSON (--db FILE.json) or to an SQLite HSM catalogue (any other name).");
        rebuild.Options.Add(db);
        rebuild.Options.Add(tapes);
        rebuild.Options.Add(force);
        rebuild.Options.Add(pool);
        rebuild.Options.Add(diskLibrary);
        rebuild.SetAction(parse =>
        {
            string path = parse.GetValue(db)!;
            bool sqlite = !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);
            foreach (Option only in new Option[] { pool, diskLibrary })
            {
                if (!sqlite && parse.GetResult(only) is { Implicit: false })
                {
                    throw new CliUsageException($"{only.Name} applies to an SQLite catalogue; --db {path} names a JSON one.");
                }
            }

            var progress = CliProgress.For(console, parse);
            if (sqlite)
            {
                return RebuildSqlite(console, path, parse.GetValue(tapes)!, new RebuildOptions(parse.GetValue(pool)!, parse.GetValue(diskLibrary)!), parse.GetValue(force), progress);
            }

            string full = Path.GetFullPath(path);
            string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tapekit-{Guid.NewGuid():N}.partial");
            long files = 0, members = 0;
            try
            {
                // A catalogue names every file of the tapes: 0600 like the SQLite form, whatever the umask would allow.
                var create = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
                if (!OperatingSystem.IsWindows())
                {
                    create.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                using (var stream = new FileStream(temp, create))
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WriteStartArray("tapes");
                    foreach (string tape in parse.GetValue(tapes)!)
                    {
                        using ITapeDrive drive = progress.Counting(CliTapes.Open(console, tape, null));
                        AulVolume volume = AulVolume.Mount(drive, CliTapes.ExpectedVsn(null, tape), LabelReadMode.Strict);
                        json.WriteStartObject();
                        json.WriteString("vsn", volume.Vsn);
                        json.WriteString("ownerId", volume.Volume.OwnerId);
                        json.WriteStartArray("files");
                        foreach (TapeFileInfo file in progress.Show($"Scanning {volume.Vsn}", null, () => volume.Scan(withMembers: true, onFile: progress.Listed)))
                        {
                            TapeFileJson.Write(json, volume.Vsn, file, withLabels: false);
                            files++;
                            members += file.Members.Count;
                        }

                        json.WriteEndArray();
                        json.WriteEndObject();
                    }

                    json.WriteEndArray();
                    json.WriteEndObject();
                    json.Flush();
                    stream.Flush(flushToDisk: true); // whole on disk before its name says it is complete
                }

                File.Move(temp, full, overwrite: true);
            }
            catch
            {
                File.Delete(temp);
                throw;
            }

            using var stdout = new StreamWriter(console.Output, leaveOpen: true);
            stdout.WriteLine($"{full}: {parse.GetValue(tapes)!.Length} tapes, {files} tape files, {members} members");
            return ExitCodes.Success;
        });
        catalog.Subcommands.Add(rebuild);
        return catalog;
    }

    private static int RebuildSqlite(CliConsole console, string path, string[] tapes, RebuildOptions options, bool force, CliProgress progress)
    {
        if (string.IsNullOrWhiteSpace(options.Pool) || string.IsNullOrWhiteSpace(options.DiskLibrary))
        {
            throw new CliUsageException("--pool and --disk-library need a name.");
        }

        RebuildReport report = SqliteCatalogRebuild.Run(console, path, tapes, options, force, progress);
        foreach (string line in report.Skipped.Concat(report.Conflicts))
        {
            console.Error.WriteLine("tapekit: warning: " + line);
        }

        using var stdout = new StreamWriter(console.Output, leaveOpen: true);
        stdout.WriteLine(System.FormattableString.Invariant(
            $"{Path.GetFullPath(path)}: {report.Tapes} tapes, {report.TapeFiles} tape files, {report.Members} members; {report.Files} files ARCHIVED and PURGED, {report.Conflicts.Count} conflicts, {report.RetiredAggregations} tape files retired, {report.Skipped.Count} skipped"));
        return ExitCodes.Success;
    }
}
