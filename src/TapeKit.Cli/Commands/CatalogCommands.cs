using System.CommandLine;
using System.Text.Json;
using TapeKit.Cli.Tapes;
using TapeKit.Devices;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Cli.Commands;

/// <summary>
/// <c>tapekit catalog rebuild --db FILE --tape PATH…</c>: rebuilds the list of tape files and ALB
/// members from the tapes alone (<c>spec/hsm.md</c> §5.5), into a JSON file.
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
        var db = new Option<string>("--db") { Description = "The catalogue file to write (.json).", Required = true };
        var tapes = new Option<string[]>("--tape") { Description = "Virtual cartridge directories to scan (repeatable).", Required = true, AllowMultipleArgumentsPerToken = true };
        var rebuild = new Command("rebuild", "Rebuild the catalogue of tape files and members from the tapes alone.");
        rebuild.Options.Add(db);
        rebuild.Options.Add(tapes);
        rebuild.SetAction(parse =>
        {
            string path = parse.GetValue(db)!;
            if (!path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                throw new CliUsageException($"--db {path}: this tool writes a JSON catalogue (name it *.json); the SQLite catalogue is rebuilt through TapeKit.Hsm.Sqlite.");
            }

            string full = Path.GetFullPath(path);
            string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.tapekit-{Guid.NewGuid():N}.partial");
            long files = 0, members = 0;
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write))
                using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
                {
                    json.WriteStartObject();
                    json.WriteStartArray("tapes");
                    foreach (string tape in parse.GetValue(tapes)!)
                    {
                        using ITapeDrive drive = CliTapes.Open(console, tape, null);
                        AulVolume volume = AulVolume.Mount(drive, CliTapes.ExpectedVsn(null, tape), LabelReadMode.Strict);
                        json.WriteStartObject();
                        json.WriteString("vsn", volume.Vsn);
                        json.WriteString("ownerId", volume.Volume.OwnerId);
                        json.WriteStartArray("files");
                        foreach (TapeFileInfo file in volume.Scan(withMembers: true))
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
}
