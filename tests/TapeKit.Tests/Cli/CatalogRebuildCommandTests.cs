using System.Globalization;
using System.Text.Json;
using TapeKit.Checksums;
using TapeKit.Cli;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Tests.Cli;

/// <summary><c>tapekit catalog rebuild --db FILE.db</c>: the SQLite catalogue rebuilt from tapes alone (spec/hsm.md §5.5).</summary>
public sealed class CatalogRebuildCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly byte[] _plain = Bytes(70_000, 1), _small = Bytes(5000, 2), _big = Bytes(300_000, 3);

    public CatalogRebuildCommandTests()
    {
        // T1: a plain AUL file (HDR1 id 1A2B), a tar ALB of src/ (aggregation A1B2), an IL ALB of src/ (aggregation C3).
        // T2: a tar ALB of src/ (aggregation D4). The members carry no file id, so they are known by name, size and checksums.
        Directory.CreateDirectory(_dir.Combine("src"));
        File.WriteAllBytes(_dir.File("plain"), _plain);
        File.WriteAllBytes(_dir.Combine("src", "a"), _small);
        File.WriteAllBytes(_dir.Combine("src", "b"), _big);
        Tape1 = _dir.File("T1");
        Tape2 = _dir.File("T2");
        Ok(CliRun.Of("vtape", "create", Tape1, "--vsn", "T00001", "--media", "lto9"));
        Ok(CliRun.Of("vtape", "create", Tape2, "--vsn", "T00002", "--media", "lto8"));
        Ok(CliRun.Of("tape", "write", "--tape", Tape1, "--format", "aul", "--file-id", "1A2B", _dir.File("plain")));
        Ok(CliRun.Of("tape", "write", "--tape", Tape1, "--format", "alb", "--payload", "tar", "--file-id", "A1B2", _dir.File("src")));
        Ok(CliRun.Of("tape", "write", "--tape", Tape1, "--format", "alb", "--payload", "il", "--block-size", "65536", "--file-id", "C3", _dir.File("src")));
        Ok(CliRun.Of("tape", "write", "--tape", Tape2, "--format", "alb", "--payload", "tar", "--file-id", "D4", _dir.File("src")));
    }

    private string Tape1 { get; }

    private string Tape2 { get; }

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData("catalog.db")]
    [InlineData("catalog.json")]
    public void A_rebuilt_catalogue_is_not_readable_by_other_users(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        string db = _dir.File(name);
        Ok(CliRun.Of("catalog", "rebuild", "--db", db, "--tape", Tape2));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(db) & (UnixFileMode)0xFFF);
    }

    [Fact]
    public async Task Rebuild_writes_tapes_aggregations_members_and_archived_purged_files_with_tape_checksums()
    {
        string db = _dir.File("catalog.db");
        CliRun run = Ok(CliRun.Of("catalog", "rebuild", "--db", db, "--tape", Tape1, "--tape", Tape2, "--pool", "pool-1", "--disk-library", "DL-X"));
        Assert.Equal($"{db}: 2 tapes, 4 tape files, 6 members; 3 files ARCHIVED and PURGED, 2 conflicts, 1 tape files retired, 0 skipped\n", run.Stdout);
        Assert.Equal(
            ["tapekit: warning: file 1 is written twice on tape T00001 (fseq 2 and 3); the later write wins.",
             "tapekit: warning: file 2 is written twice on tape T00001 (fseq 2 and 3); the later write wins."],
            run.StderrLines);

        using JsonDocument dump1 = JsonDocument.Parse(Ok(CliRun.Of("tape", "dump", "--json", "--tape", Tape1)).StdoutBytes);
        using JsonDocument dump2 = JsonDocument.Parse(Ok(CliRun.Of("tape", "dump", "--json", "--tape", Tape2)).StdoutBytes);
        await using SqliteHsmStore store = await HsmStores.OpenReadOnlyAsync(db);
        await using ICatalogTransaction txn = await store.Catalog.BeginAsync();

        TapeRecord[] tapes = [.. await txn.QueryTapesAsync()];
        Assert.Equal(["T00001", "T00002"], tapes.Select(t => t.Vsn));
        Assert.Equal(["LTO-9", "LTO-8"], tapes.Select(t => t.MediaType));
        Assert.All(tapes, t => Assert.Equal(("pool-1", TapeState.Filling, "AUL"), (t.Pool, t.State, t.LabelFormat)));
        Assert.Equal([3, 1], tapes.Select(t => t.LastFseq));
        Assert.Equal(_plain.Length + (2L * (_small.Length + _big.Length)), tapes[0].BytesUsed);
        Assert.Equal(18_000_000_000_000, tapes[0].CapacityEstimate);

        FileRecord[] files = [.. await txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true })];
        Assert.Equal([1L, 2L, 0x1A2B], files.Select(f => f.FileId));
        Assert.All(files, f => Assert.Equal((CacheStatus.Purged, ArchiveStatus.Archived, "rebuilt", "DL-X", "pool-1", 0), (f.CacheStatus, f.ArchiveStatus, f.Decision.RuleName, f.Decision.DiskLibrary, f.Decision.TapePool, f.Decision.PolicyVersion)));
        FileRecord small = files[0], big = files[1], plain = files[2];
        Assert.Equal(("src/a", (long)_small.Length), (small.NamespacePath, small.Size));
        Assert.Equal(("src/b", (long)_big.Length), (big.NamespacePath, big.Size));
        Assert.Equal(new Checksum("adler32", ChecksumText.Adler32Hex(Adler32.Compute(_small))), small.Checksums[0]);
        Assert.Equal(new Checksum("xxh3", ChecksumText.Hash64Hex(XxHash3Checksum.Compute(_big))), big.Checksums[1]);
        Assert.Equal(new Checksum("adler32", ChecksumText.Adler32Hex(Adler32.Compute(_plain))), Assert.Single(plain.Checksums));
        Assert.Equal((70_000L, ArchiveStrategy.Direct, AggregationPayloadFormat.None, 1), (plain.Size, plain.Decision.Strategy, plain.Decision.Format, plain.Decision.CopyCount));
        Assert.Equal((ArchiveStrategy.Aggregate, 2), (big.Decision.Strategy, big.Decision.CopyCount));

        // Copies: the IL file on T1 (copy 1) and the tar file on T2 (copy 2); the earlier tar file on T1 is retired.
        var copies = (await txn.GetCopiesOfFileAsync(big.FileId)).OrderBy(c => c.Aggregation.CopyNb).ToArray();
        Assert.Equal([(0xC3L, 1, AggregationPayloadFormat.Il, "T00001", 3), (0xD4L, 2, AggregationPayloadFormat.Tar, "T00002", 1)],
            copies.Select(c => (c.Aggregation.AggregationId, c.Aggregation.CopyNb, c.Aggregation.Format, c.Aggregation.TapeFile!.Value.Vsn, c.Aggregation.TapeFile!.Value.Fseq)));
        Assert.All(copies, c => Assert.Equal(AggregationState.OnTape, c.Aggregation.State));
        AggregationRecord retired = (await txn.GetAggregationAsync(0xA1B2))!;
        Assert.Equal((AggregationState.Retired, 2, 0, "T00001", 2), (retired.State, retired.MemberCount, retired.ActiveMemberCount, retired.TapeFile!.Value.Vsn, retired.TapeFile!.Value.Fseq));
        Assert.Empty(await txn.GetAggregationMembersAsync(0xA1B2));
        var direct = Assert.Single(await txn.GetCopiesOfFileAsync(plain.FileId));
        Assert.Equal((AggregationPayloadFormat.None, 1, 0, 0L, 0L), (direct.Aggregation.Format, direct.Aggregation.CopyNb, direct.Member.Index, direct.Member.BlockIndex, direct.Member.PayloadOffset));

        // Every locator agrees with what `tape dump` reads from the tapes.
        foreach ((JsonDocument dump, string vsn) in new[] { (dump1, "T00001"), (dump2, "T00002") })
        {
            foreach (JsonElement file in dump.RootElement.EnumerateArray())
            {
                long fseq = file.GetProperty("fseq").GetInt64();
                long id = long.Parse(file.GetProperty("fileId").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (file.GetProperty("payload").GetString() == "opaque")
                {
                    Assert.Equal(new TapeFileLocator(vsn, (int)fseq, file.GetProperty("firstDataObjectId").GetInt64()), direct.Aggregation.TapeFile);
                    Assert.Equal(file.GetProperty("blocks").GetInt64(), direct.Member.BlockCount);
                    continue;
                }

                AggregationRecord aggregation = (await txn.GetAggregationAsync(id))!;
                long first = file.GetProperty("firstDataObjectId").GetInt64();
                Assert.Equal(new TapeFileLocator(vsn, (int)fseq, first), aggregation.TapeFile);
                Assert.Equal(file.GetProperty("blocks").GetInt64(), aggregation.BlockCount);
                IReadOnlyList<AggregationMemberRecord> members = await txn.GetAggregationMembersAsync(id);
                if (aggregation.State == AggregationState.Retired)
                {
                    continue;
                }

                Assert.Equal(
                    file.GetProperty("members").EnumerateArray().Select(m => (m.GetProperty("name").GetString() == "src/a" ? small.FileId : big.FileId,
                        m.GetProperty("offset").GetInt64(), m.GetProperty("objectId").GetInt64() - first, m.GetProperty("offsetInBlock").GetInt32())),
                    members.Select(m => (m.FileId, m.PayloadOffset, m.BlockIndex, m.OffsetInBlock)));
            }
        }

        // The big member spans ⌈300 000 / (65 536 − 1 024)⌉ = 5 IL blocks; in the 256 KiB tar blocks, 2.
        Assert.Equal([5L, 2L], copies.Select(c => c.Member.BlockCount));

        // The rebuilt catalogue satisfies the invariants.
        Ok(CliRun.Of("hsm", "check", "--db", db));
    }

    [Fact]
    public async Task Rebuild_refuses_a_non_empty_catalogue_with_exit_4_unless_forced()
    {
        string db = _dir.File("catalog.db");
        Ok(CliRun.Of("catalog", "rebuild", "--db", db, "--tape", Tape1));
        byte[] before = File.ReadAllBytes(db);

        CliRun refused = CliRun.Of("catalog", "rebuild", "--db", db, "--tape", Tape2);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Equal([$"tapekit: --db {db}: the file exists and is not an empty catalogue; a rebuild would replace it. Give --force to replace it."], refused.StderrLines);
        Assert.Equal(before, File.ReadAllBytes(db));
        Assert.Equal(["catalog.db"], Directory.GetFiles(_dir.Path).Select(Path.GetFileName).Where(n => n!.Contains("catalog", StringComparison.Ordinal)));

        Ok(CliRun.Of("catalog", "rebuild", "--db", db, "--tape", Tape2, "--force"));
        await using SqliteHsmStore store = await HsmStores.OpenReadOnlyAsync(db);
        await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
        Assert.Equal("T00002", Assert.Single(await txn.QueryTapesAsync()).Vsn);
        Assert.Equal(2, (await txn.QueryFilesAsync(new FileQuery())).Count);
    }

    [Fact]
    public async Task Rebuild_writes_into_an_empty_catalogue_but_refuses_a_file_that_is_not_one()
    {
        string empty = _dir.File("empty.db");
        await (await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = empty }, TimeProvider.System)).DisposeAsync();
        Ok(CliRun.Of("catalog", "rebuild", "--db", empty, "--tape", Tape2));

        string other = _dir.File("notes.txt");
        File.WriteAllText(other, "not a catalogue");
        CliRun refused = CliRun.Of("catalog", "rebuild", "--db", other, "--tape", Tape2);
        Assert.Equal(ExitCodes.Refused, refused.ExitCode);
        Assert.Single(refused.StderrLines);
        Assert.Equal("not a catalogue", File.ReadAllText(other));
    }

    [Fact]
    public void Rebuild_usage_errors_exit_2_and_the_json_form_is_unchanged()
    {
        Assert.Equal(ExitCodes.Usage, CliRun.Of("catalog", "rebuild", "--db", _dir.File("c.db"), "--tape", Tape1, "--tape", Tape1).ExitCode);
        Assert.Equal(ExitCodes.Usage, CliRun.Of("catalog", "rebuild", "--db", _dir.File("c.json"), "--tape", Tape1, "--pool", "p").ExitCode);
        Assert.False(File.Exists(_dir.File("c.db")));
        Assert.False(File.Exists(_dir.File("c.json")));

        CliRun json = Ok(CliRun.Of("catalog", "rebuild", "--db", _dir.File("c.json"), "--tape", Tape1, "--tape", Tape2));
        Assert.Equal($"{_dir.File("c.json")}: 2 tapes, 4 tape files, 6 members\n", json.Stdout);
        using JsonDocument catalog = JsonDocument.Parse(File.ReadAllBytes(_dir.File("c.json")));
        Assert.Equal(["T00001", "T00002"], catalog.RootElement.GetProperty("tapes").EnumerateArray().Select(t => t.GetProperty("vsn").GetString()));
    }

    private static byte[] Bytes(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static CliRun Ok(CliRun run)
    {
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.Stderr}");
        return run;
    }
}
