using System.CommandLine;
using System.Text.Json;
using System.Text.RegularExpressions;
using TapeKit.Cli;

namespace TapeKit.Tests.Cli;

/// <summary>
/// Every JSON property a command prints is named in the description of its <c>--json</c> option, so <c>--help</c> and
/// the generated <c>docs/cli.md</c> list the fields scripts can rely on (label fields are listed from the label layouts).
/// </summary>
public sealed class CliJsonDescriptionTests
{
    [Fact]
    public void Agg_tape_vtape_and_mt_name_every_json_property_they_print()
    {
        using var dir = new TempDirectory();
        string src = dir.File("src");
        Directory.CreateDirectory(src);
        File.WriteAllBytes(Path.Combine(src, "a"), new byte[3000]);
        File.WriteAllBytes(Path.Combine(src, "b"), new byte[70000]);
        string tape = dir.File("J00001");
        Assert.Equal(ExitCodes.Success, CliRun.Of("vtape", "create", tape, "--vsn", "J00001").ExitCode);

        Check(["agg", "pack"], "--format", "tar", "--out", dir.File("x.agg"), src);
        Check(["agg", "list"], dir.File("x.agg"));
        Check(["tape", "write"], "--tape", tape, "--format", "alb", src);
        Check(["tape", "dump"], "--tape", tape);
        Check(["vtape", "dump"], tape);
        Check(["mt", "status"], "--device", tape);
        Check(["mt", "tell"], "--device", tape);
    }

    [Fact]
    public async Task Hsm_recall_failed_and_retry_name_every_json_property_they_print()
    {
        using var dir = new TempDirectory();
        string db = dir.File("hsm.db");
        var selector = HsmStores.Selector("""{ "Version": 1, "Rules": [ { "Name": "default", "DiskLibrary": "DL-A" } ] }""");
        long id;
        await using (TapeKit.Hsm.Sqlite.SqliteHsmStore store = await HsmStores.CreateAsync(db))
        {
            id = (await HsmStores.InsertAsync(store, selector, "sg", 10, TapeKit.Hsm.Model.CacheStatus.Failed, TapeKit.Hsm.Model.ArchiveStatus.Archived, copiesOnTape: 1)).FileId;
        }

        Check(["hsm", "recall", "failed"], "--db", db);
        Check(["hsm", "recall", "retry"], "--db", db, "--reason", "repaired", id.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static void Check(string[] command, params string[] args)
    {
        CliRun run = CliRun.Of([.. command, "--json", .. args]);
        Assert.True(run.ExitCode == ExitCodes.Success, $"tapekit {string.Join(' ', command)}: {run.Stderr}");
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        var names = new SortedSet<string>(StringComparer.Ordinal);
        Collect(json.RootElement, names);
        Assert.NotEmpty(names);

        string description = JsonOption(command).Description!;
        var described = Regex.Matches(description, "[A-Za-z][A-Za-z0-9]*").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.True(names.IsSubsetOf(described),
            $"tapekit {string.Join(' ', command)} --json prints {string.Join(", ", names.Except(described))}, which its --json description does not name.");
    }

    private static void Collect(JsonElement element, SortedSet<string> names)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    names.Add(property.Name);
                    if (property.Name is not ("labels" or "warnings"))
                    {
                        Collect(property.Value, names);
                    }
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    Collect(item, names);
                }

                break;
        }
    }

    private static Option JsonOption(string[] path)
    {
        Command command = TapeKitCli.CreateCommandTree(new CliConsole(Stream.Null, Stream.Null, TextWriter.Null, OutputIsTerminal: false));
        var chain = new List<Command> { command };
        foreach (string name in path)
        {
            command = command.Subcommands.Single(c => c.Name == name);
            chain.Add(command);
        }

        return chain.AsEnumerable().Reverse().SelectMany(c => c.Options).First(o => o.Name == "--json");
    }
}
