using System.Text.Json;
using Microsoft.Data.Sqlite;
using TapeKit.Cli;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Tests.Cli;

public sealed class HsmCommandTests : IDisposable
{
    private const string OldPolicy = """
        { "Version": 1, "Rules": [
          { "Name": "a", "Match": { "storageGroup": "sgA" }, "DiskLibrary": "DL-A", "SmallFileThreshold": 1500, "MaxMemberSize": 1500 },
          { "Name": "b", "Match": { "storageGroup": "sgB" }, "DiskLibrary": "DL-B" },
          { "Name": "default", "DiskLibrary": "DL-A" } ] }
        """;

    private const string NewPolicy = """
        { "Version": 2, "Rules": [
          { "Name": "a", "Match": { "storageGroup": "sgA" }, "DiskLibrary": "DL-B", "TapePool": "pool-b", "SmallFileThreshold": 1500, "MaxMemberSize": 1500 },
          { "Name": "b", "Match": { "storageGroup": "sgB" }, "DiskLibrary": "DL-B" },
          { "Name": "default", "DiskLibrary": "DL-A" } ] }
        """;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string SamplePolicy => Path.Combine(AppContext.BaseDirectory, "Cli", "Samples", "hsm-policy.json");

    private string Write(string name, string text)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    // ---- hsm check ----

    [Fact]
    public async Task Check_passes_on_a_consistent_store_reports_counts_and_changes_nothing()
    {
        string db = _dir.File("hsm.db");
        PolicySelector selector = HsmStores.Selector(OldPolicy);
        await using (SqliteHsmStore store = await HsmStores.CreateAsync(db))
        {
            await HsmStores.IngestAsync(store, selector, "sgA", 100);
            await HsmStores.IngestAsync(store, selector, "sgB", 200);
            await HsmStores.InsertAsync(store, selector, "sgA", 300, CacheStatus.Purged, ArchiveStatus.Archived, copiesOnTape: 1);
        }

        byte[] before = File.ReadAllBytes(db);
        string[] filesBefore = Directory.GetFiles(_dir.Path);

        CliRun run = Ok(CliRun.Of("hsm", "check", "--db", db, "--json", "--list-timer", "3600"));
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        JsonElement root = json.RootElement;
        Assert.Equal(db, root.GetProperty("db").GetString());
        Assert.True(root.GetProperty("ok").GetBoolean());
        Assert.Equal(0, root.GetProperty("violations").GetArrayLength());
        Assert.Equal(3, root.GetProperty("files").GetInt32());
        Assert.Equal(0, root.GetProperty("deleted").GetInt32());
        Assert.Equal(3600, root.GetProperty("listTimerSeconds").GetDouble());
        Assert.Equal("live", root.GetProperty("scope").GetString());
        Assert.Equal(2, root.GetProperty("cacheStatus").GetProperty("CACHED").GetInt32());
        Assert.Equal(1, root.GetProperty("cacheStatus").GetProperty("PURGED").GetInt32());
        Assert.Equal(2, root.GetProperty("archiveStatus").GetProperty("NONE").GetInt32());
        Assert.Equal(1, root.GetProperty("archiveStatus").GetProperty("ARCHIVED").GetInt32());
        Assert.Equal(string.Empty, run.Stderr);

        CliRun text = Ok(CliRun.Of("hsm", "check", "--db", db, "--list-timer", "3600"));
        Assert.Equal($"{db}: 3 files (0 deleted); cache CACHED 2, PURGED 1; archive ARCHIVED 1, NONE 2; I1–I4 hold.\n", text.Stdout);

        // Read-only in spirit: not a byte changed, no file left beside it.
        Assert.Equal(before, File.ReadAllBytes(db));
        Assert.Equal(filesBefore, Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task Check_exits_3_printing_each_violation_as_one_line()
    {
        string db = _dir.File("bad.db");
        PolicySelector selector = HsmStores.Selector(OldPolicy);
        long cached, purgedNone, archivedNoCopy;
        await using (SqliteHsmStore store = await HsmStores.CreateAsync(db))
        {
            cached = (await HsmStores.IngestAsync(store, selector, "sgA", 100)).FileId;
            purgedNone = (await HsmStores.InsertAsync(store, selector, "sgB", 100, CacheStatus.Purged, ArchiveStatus.None, copiesOnTape: 0)).FileId;
            archivedNoCopy = (await HsmStores.InsertAsync(store, selector, "sgB", 100, CacheStatus.Cached, ArchiveStatus.Archived, copiesOnTape: 0)).FileId;
        }

        // The live check reads the files whose states still move: the PURGED-but-NONE file (I1) is one, the
        // archived file in the cache is settled bulk that only the full audit reads.
        CliRun live = CliRun.Of("hsm", "check", "--db", db);
        Assert.Equal(ExitCodes.InvalidInput, live.ExitCode);
        Assert.Equal([$"I1: file {purgedNone} is Purged but None."], live.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[..^1]);

        // With the default grace the fresh CACHED file is allowed to be in no list yet; I1 and I3 still fail.
        CliRun run = CliRun.Of("hsm", "check", "--db", db, "--full");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Equal($"I1: file {purgedNone} is Purged but None.", lines[0]);
        Assert.Equal($"I3: file {archivedNoCopy} is ARCHIVED with 0 of 1 copies ON_TAPE.", lines[1]);
        Assert.EndsWith("2 violations.", lines[2], StringComparison.Ordinal);
        Assert.Equal([$"tapekit: {db}: 2 invariant violations."], run.StderrLines);

        // Without grace, the CACHED file in no archive list breaks I2 too.
        CliRun strict = CliRun.Of("hsm", "check", "--db", db, "--json", "--list-timer", "0", "--full");
        Assert.Equal(ExitCodes.InvalidInput, strict.ExitCode);
        using JsonDocument json = JsonDocument.Parse(strict.StdoutBytes);
        Assert.False(json.RootElement.GetProperty("ok").GetBoolean());
        string[] violations = [.. json.RootElement.GetProperty("violations").EnumerateArray().Select(v => v.GetString()!)];
        Assert.Equal(3, violations.Length);
        Assert.Contains($"I2: file {cached} is CACHED, NONE and not deleted but in 0 live archive lists.", violations);
        Assert.Single(strict.StderrLines);
    }

    [Fact]
    public void Check_of_a_missing_store_exits_5_naming_it_and_creates_nothing()
    {
        string db = _dir.File("missing.db");
        CliRun run = CliRun.Of("hsm", "check", "--db", db);
        Assert.Equal(ExitCodes.DeviceOrIo, run.ExitCode);
        Assert.Equal([$"tapekit: {db}: no such HSM store (the file does not exist)."], run.StderrLines);
        Assert.Equal(string.Empty, run.Stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_dir.Path));
    }

    [Fact]
    public void Check_of_a_file_that_is_not_a_store_exits_3_and_a_bad_timer_exits_2()
    {
        string junk = Write("junk.db", new string('x', 8192));
        CliRun run = CliRun.Of("hsm", "check", "--db", junk);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.Contains("not a TapeKit HSM store", run.Stderr, StringComparison.Ordinal);
        Assert.Equal(new string('x', 8192), File.ReadAllText(junk));

        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "check", "--db", junk, "--list-timer", "-1").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "check").ExitCode);
    }

    [Fact]
    public async Task Check_of_a_store_damaged_inside_its_tables_exits_3_naming_the_damage_not_an_internal_error()
    {
        // The first page (the schema) is intact, so the store opens; the damage is found by the reads of the check.
        string db = _dir.File("damaged.db");
        PolicySelector selector = HsmStores.Selector(OldPolicy);
        await using (SqliteHsmStore store = await HsmStores.CreateAsync(db))
        {
            for (int i = 0; i < 400; i++)
            {
                await HsmStores.IngestAsync(store, selector, "sgA", 100 + i);
            }
        }

        SqliteConnection.ClearAllPools();
        byte[] bytes = File.ReadAllBytes(db);
        int pageSize = (bytes[16] << 8) | bytes[17];
        Assert.True(bytes.Length / pageSize > 8, "the store spans enough pages to damage one in the middle");
        for (int page = bytes.Length / pageSize * 2 / 3; page < bytes.Length / pageSize; page++)
        {
            bytes.AsSpan(page * pageSize, pageSize).Fill(0x5A);
        }

        File.WriteAllBytes(db, bytes);

        CliRun run = CliRun.Of("hsm", "check", "--db", db);
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        Assert.Single(run.StderrLines);
        Assert.DoesNotContain("internal error", run.Stderr, StringComparison.Ordinal);
        Assert.Contains(db, run.Stderr, StringComparison.Ordinal);
        Assert.Contains("damaged", run.Stderr, StringComparison.Ordinal);
    }

    // ---- hsm policy explain ----

    [Fact]
    public void Explain_names_the_matching_rule_why_earlier_rules_fail_and_the_decision()
    {
        CliRun run = Ok(CliRun.Of("hsm", "policy", "explain", "--policy", SamplePolicy, "--json",
            "--attr", "library=CD-10KCF1", "--attr", "storageGroup=lqcd", "--attr", "fileFamily=lqcd-FNAL-HISQ", "--attr", "wrapper=cern", "--attr", "size=5000000000"));
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        JsonElement root = json.RootElement;
        Assert.Equal(12, root.GetProperty("version").GetInt32());
        Assert.Equal("cern", root.GetProperty("attributes").GetProperty("wrapper").GetString());
        Assert.Equal(5_000_000_000, root.GetProperty("attributes").GetProperty("size").GetInt64());
        JsonElement[] rules = [.. root.GetProperty("rules").EnumerateArray()];
        Assert.Equal(["lqcd-hisq-cpio", "lqcd-hisq-cern"], rules.Select(r => r.GetProperty("rule").GetString()));
        Assert.Equal([false, true], rules.Select(r => r.GetProperty("matched").GetBoolean()));
        JsonElement failed = Assert.Single(rules[0].GetProperty("attributes").EnumerateArray(), a => !a.GetProperty("matched").GetBoolean());
        Assert.Equal(("wrapper", "cern", "cpio_odc"), (failed.GetProperty("attribute").GetString(), failed.GetProperty("value").GetString(), failed.GetProperty("pattern").GetString()));
        Assert.Equal("lqcd-hisq-cern", root.GetProperty("matchedRule").GetString());
        Assert.Contains("aggregate as Il", root.GetProperty("sizeRouting").GetString(), StringComparison.Ordinal);
        JsonElement d = root.GetProperty("decision");
        Assert.Equal("lqcd-hisq-cern", d.GetProperty("ruleName").GetString());
        Assert.Equal("lqcd-hisq-cern|CD-10KCF1|lqcd|lqcd-FNAL-HISQ|cern", d.GetProperty("policyKey").GetString());
        Assert.Equal("CD-DiskSF", d.GetProperty("diskLibrary").GetString());
        Assert.Equal("Aggregate", d.GetProperty("strategy").GetString());
        Assert.Equal("Il", d.GetProperty("format").GetString());
        Assert.Equal("CD-DiskSF", d.GetProperty("tapePool").GetString());
        Assert.Equal(1, d.GetProperty("copyCount").GetInt32());
        Assert.Equal("Normal", d.GetProperty("priority").GetString());
        Assert.Equal(12, d.GetProperty("policyVersion").GetInt32());
        Assert.Equal(8_600_000_000, d.GetProperty("limits").GetProperty("maxBytes").GetInt64());
        Assert.Equal(10_000, d.GetProperty("limits").GetProperty("maxFiles").GetInt32());
        Assert.Equal("1.00:00:00", d.GetProperty("limits").GetProperty("maxWaitingTime").GetString());
        Assert.Equal(0, root.GetProperty("warnings").GetArrayLength());
    }

    [Fact]
    public void Explain_in_text_routes_by_size_and_refines_the_key_by_collocation()
    {
        CliRun run = Ok(CliRun.Of("hsm", "policy", "explain", "--policy", SamplePolicy,
            "--attr", "storageGroup=daq", "--attr", "dataset=run7", "--attr", "size=2000000"));
        string[] lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("  rule lqcd-hisq-cpio: no match: library='' does not match /CD-10KCF1/, storageGroup='daq' does not match /lqcd/, fileFamily='' does not match /lqcd-FNAL-HISQ/, wrapper='' does not match /cpio_odc/", lines[1]);
        Assert.Equal("  rule raw-two-copies: matches: storageGroup='daq' ~ /raw|daq/", lines[3]);
        Assert.StartsWith("→ rule raw-two-copies decides (the rule after it is not tried); size 2000000 ≥ smallFileThreshold 1000000", lines[4], StringComparison.Ordinal);
        Assert.Contains("  policyKey              raw-two-copies||daq|run7|direct", lines);
        Assert.Contains("  strategy               Direct", lines);
        Assert.Contains("  tapePool               raw", lines);
        Assert.Contains("  copyCount              2", lines);
        Assert.Contains("  priority               High", lines);

        CliRun fallback = Ok(CliRun.Of("hsm", "policy", "explain", "--policy", SamplePolicy, "--attr", "storageGroup=other"));
        Assert.Contains("  rule default: matches (catch-all)", fallback.Stdout, StringComparison.Ordinal);
        Assert.Contains("  format                 Tar", fallback.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_reads_a_policy_set_inside_an_appsettings_file()
    {
        string path = Write("appsettings.json", """
            { "Logging": { "LogLevel": { "Default": "Information" } },
              "TapeKit": { "Hsm": { "Policies": { "Version": 7, "Rules": [
                { "Name": "small", "Order": 2, "Match": { "owner": "alice|bob" }, "DiskLibrary": "DL-A", "MaxMemberSize": "1000", "SmallFileThreshold": "1000" },
                { "Name": "default", "Order": 9, "DiskLibrary": "DL-B", "Format": "il" } ] } } } }
            """);
        using JsonDocument json = JsonDocument.Parse(Ok(CliRun.Of("hsm", "policy", "explain", "--policy", path, "--json", "--attr", "owner=bob", "--attr", "size=999")).StdoutBytes);
        Assert.Equal("small", json.RootElement.GetProperty("matchedRule").GetString());
        Assert.Equal(7, json.RootElement.GetProperty("decision").GetProperty("policyVersion").GetInt32());
        Assert.Equal("DL-A", json.RootElement.GetProperty("decision").GetProperty("diskLibrary").GetString());
        Assert.Equal("bob", json.RootElement.GetProperty("attributes").GetProperty("owner").GetString());
    }

    [Theory]
    [InlineData("""{ "Rules": [ { "Name": "x", "DiskLibary": "DL-A" }, { "Name": "d", "DiskLibrary": "DL-A" } ] }""", "rule #1 'x': unknown field \"DiskLibary\"")]
    [InlineData("""{ "Rules": [ { "Name": "x", "Match": { "storageGroup": "a" }, "DiskLibrary": "DL-A", "MaxMemberSize": 20, "SmallFileThreshold": 10 }, { "Name": "d", "DiskLibrary": "DL-A" } ] }""", "Rule 'x': MaxMemberSize 20 exceeds SmallFileThreshold 10.")]
    [InlineData("""{ "Rules": [ { "Name": "x", "Match": { "storageGroup": "a" }, "DiskLibrary": "DL-A" } ] }""", "The last rule 'x' is not a catch-all")]
    [InlineData("""{ "Rules": [ { "Name": "x", "Match": { "storageGroup": "(" }, "DiskLibrary": "DL-A" }, { "Name": "d", "DiskLibrary": "DL-A" } ] }""", "Rule 'x': the pattern of 'storageGroup' does not compile")]
    [InlineData("""{ "Rules": [ { "Name": "d", "DiskLibrary": "DL-A", "Format": "Zip" } ] }""", "rule #1 'd': field \"Format\" is \"Zip\"; expected one of Il, Tar")]
    [InlineData("""{ "Rules": [ { "Name": "d", "DiskLibrary": "DL-A", "MaxWaitingTime": "6 hours" } ] }""", "rule #1 'd': field \"MaxWaitingTime\" is \"6 hours\", not a duration")]
    [InlineData("""{ "Rules": [ { "Name": "d", "DiskLibrary": "DL-A", "CopyCount": "two" } ] }""", "rule #1 'd': field \"CopyCount\" must be an integer")]
    [InlineData("""{ "Rules": [ { "Name": "d", "DiskLibrary": "DL-A" }, { "Name": "d", "DiskLibrary": "DL-B" } ] }""", "Rule 'd': the name is used twice.")]
    [InlineData("""{ "Version": 3 }""", "the set has no \"Rules\" array")]
    [InlineData("""{ "Rules": [ { "Name": "d", "DiskLibrary": "DL-A" } ] """, "not valid JSON")]
    public void An_invalid_policy_file_exits_3_with_one_line_naming_the_rule_and_field(string policy, string expected)
    {
        string path = Write("bad-policy.json", policy);
        CliRun run = CliRun.Of("hsm", "policy", "explain", "--policy", path, "--attr", "storageGroup=a");
        Assert.Equal(ExitCodes.InvalidInput, run.ExitCode);
        string line = Assert.Single(run.StderrLines);
        Assert.StartsWith($"tapekit: {path}: ", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Stdout);
    }

    [Fact]
    public void Explain_usage_errors_exit_2_and_a_missing_policy_file_exits_5()
    {
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "policy", "explain", "--policy", SamplePolicy, "--attr", "storageGroup").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "policy", "explain", "--policy", SamplePolicy, "--attr", "size=12k").ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("hsm", "policy", "explain", "--policy", SamplePolicy, "--attr", "wrapper=a", "--attr", "wrapper=b").ExitCode);
        CliRun missing = CliRun.Of("hsm", "policy", "explain", "--policy", _dir.File("none.json"));
        Assert.Equal(ExitCodes.DeviceOrIo, missing.ExitCode);
        Assert.Single(missing.StderrLines);
    }

    [Fact]
    public void A_shadowed_rule_is_a_warning_not_an_error()
    {
        string path = Write("shadow.json", """
            { "Rules": [ { "Name": "a", "Match": { "storageGroup": "x" }, "DiskLibrary": "DL-A" },
                         { "Name": "b", "Match": { "storageGroup": "x" }, "DiskLibrary": "DL-B" },
                         { "Name": "d", "DiskLibrary": "DL-A" } ] }
            """);
        CliRun run = Ok(CliRun.Of("hsm", "policy", "explain", "--policy", path, "--json", "--attr", "storageGroup=x"));
        Assert.Equal([$"tapekit: warning: {path}: Rule 'b' can never match: rule 'a' comes first with identical patterns."], run.StderrLines);
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        Assert.Equal(1, json.RootElement.GetProperty("warnings").GetArrayLength());
    }

    // ---- hsm policy diff ----

    [Fact]
    public async Task Diff_counts_the_files_whose_decision_would_change_and_into_what_without_writing()
    {
        string db = _dir.File("hsm.db");
        string oldPath = Write("old.json", OldPolicy), newPath = Write("new.json", NewPolicy);
        PolicySelector selector = HsmStores.Selector(OldPolicy);
        var sgA = new List<long>();
        await using (SqliteHsmStore store = await HsmStores.CreateAsync(db))
        {
            sgA.Add((await HsmStores.IngestAsync(store, selector, "sgA", 100)).FileId);
            sgA.Add((await HsmStores.IngestAsync(store, selector, "sgA", 200)).FileId);
            long direct = (await HsmStores.IngestAsync(store, selector, "sgA", 5000)).FileId;
            await HsmStores.IngestAsync(store, selector, "sgB", 100);
            await HsmStores.IngestAsync(store, selector, "sgB", 100);
            await HsmStores.IngestAsync(store, selector, "sgC", 100);
            await HsmStores.InsertAsync(store, selector, "sgA", 300, CacheStatus.Purged, ArchiveStatus.Archived, copiesOnTape: 1);
            sgA.Add(direct);
        }

        byte[] before = File.ReadAllBytes(db);
        CliRun run = Ok(CliRun.Of("hsm", "policy", "diff", "--old", oldPath, "--new", newPath, "--db", db, "--json"));
        using JsonDocument json = JsonDocument.Parse(run.StdoutBytes);
        JsonElement root = json.RootElement;
        Assert.Equal("unarchived", root.GetProperty("scope").GetString());
        Assert.Equal(1, root.GetProperty("old").GetProperty("version").GetInt32());
        Assert.Equal(2, root.GetProperty("new").GetProperty("version").GetInt32());
        Assert.Equal(6, root.GetProperty("filesEvaluated").GetInt32());
        Assert.Equal(3, root.GetProperty("filesChanged").GetInt32());
        Assert.Equal(0, root.GetProperty("storedDecisionMismatches").GetInt32());
        JsonElement[] changes = [.. root.GetProperty("changes").EnumerateArray()];
        Assert.Equal(2, changes.Length);
        Assert.Equal(2, changes[0].GetProperty("files").GetInt32());
        Assert.Equal(("a", "DL-A", "DL-A", "Aggregate", "Tar"), Side(changes[0].GetProperty("from")));
        Assert.Equal(("a", "DL-B", "pool-b", "Aggregate", "Tar"), Side(changes[0].GetProperty("to")));
        Assert.Equal(sgA.Take(2), changes[0].GetProperty("sampleFileIds").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal(0, changes[0].GetProperty("keyChanges").GetInt32());
        Assert.Equal(1, changes[1].GetProperty("files").GetInt32());
        Assert.Equal(("a", "DL-A", "DL-A", "Direct", "None"), Side(changes[1].GetProperty("from")));
        Assert.Equal(("a", "DL-B", "pool-b", "Direct", "None"), Side(changes[1].GetProperty("to")));
        JsonElement ruleA = Assert.Single(root.GetProperty("rules").EnumerateArray(), r => r.GetProperty("rule").GetString() == "a");
        Assert.Equal(3, ruleA.GetProperty("files").GetInt32());
        Assert.Equal(3, ruleA.GetProperty("diskLibraryChanges").GetInt32());
        Assert.Equal(2, Assert.Single(root.GetProperty("rules").EnumerateArray(), r => r.GetProperty("rule").GetString() == "b").GetProperty("files").GetInt32());

        using JsonDocument all = JsonDocument.Parse(Ok(CliRun.Of("hsm", "policy", "diff", "--old", oldPath, "--new", newPath, "--db", db, "--json", "--all")).StdoutBytes);
        Assert.Equal(7, all.RootElement.GetProperty("filesEvaluated").GetInt32());
        Assert.Equal(4, all.RootElement.GetProperty("filesChanged").GetInt32());

        CliRun text = Ok(CliRun.Of("hsm", "policy", "diff", "--old", oldPath, "--new", newPath, "--db", db));
        Assert.Contains("6 files evaluated (not deleted, not yet archived); 3 would change decision from version 1 to 2.", text.Stdout, StringComparison.Ordinal);
        Assert.Contains($"  2 files: rule a (unchanged); diskLibrary DL-A → DL-B; tapePool DL-A → pool-b (e.g. files {sgA[0]}, {sgA[1]})", text.Stdout, StringComparison.Ordinal);

        // The candidate against itself changes nothing; the stored decisions disagree with it for the 3 sgA files.
        using JsonDocument same = JsonDocument.Parse(Ok(CliRun.Of("hsm", "policy", "diff", "--old", newPath, "--new", newPath, "--db", db, "--json")).StdoutBytes);
        Assert.Equal(0, same.RootElement.GetProperty("filesChanged").GetInt32());
        Assert.Equal(3, same.RootElement.GetProperty("storedDecisionMismatches").GetInt32());
        Assert.Equal(0, same.RootElement.GetProperty("changes").GetArrayLength());

        Assert.Equal(before, File.ReadAllBytes(db));
    }

    [Fact]
    public void Diff_error_exits_missing_db_5_bad_policy_3()
    {
        string oldPath = Write("old.json", OldPolicy), bad = Write("bad.json", """{ "Rules": [] }""");
        string db = _dir.File("none.db");
        CliRun missing = CliRun.Of("hsm", "policy", "diff", "--old", oldPath, "--new", oldPath, "--db", db);
        Assert.Equal(ExitCodes.DeviceOrIo, missing.ExitCode);
        Assert.Equal([$"tapekit: {db}: no such HSM store (the file does not exist)."], missing.StderrLines);
        Assert.False(File.Exists(db));

        CliRun invalid = CliRun.Of("hsm", "policy", "diff", "--old", oldPath, "--new", bad, "--db", db);
        Assert.Equal(ExitCodes.InvalidInput, invalid.ExitCode);
        Assert.Contains("The set has no rules", Assert.Single(invalid.StderrLines), StringComparison.Ordinal);
    }

    private static (string?, string?, string?, string?, string?) Side(JsonElement e) => (
        e.GetProperty("rule").GetString(), e.GetProperty("diskLibrary").GetString(), e.GetProperty("tapePool").GetString(),
        e.GetProperty("strategy").GetString(), e.GetProperty("format").GetString());

    private static CliRun Ok(CliRun run)
    {
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
        return run;
    }
}
