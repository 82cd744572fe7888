using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

public sealed class SqliteHsmStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));

    public void Dispose() => _dir.Dispose();

    private SqliteHsmOptions Options(string name = "s.db") => new() { Path = _dir.File(name) };

    private static object? Scalar(string path, string sql)
    {
        using var c = new SqliteConnection($"Data Source={path};Pooling=False");
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [Fact]
    public async Task A_new_file_is_created_at_the_latest_schema_in_WAL_mode_and_reopening_keeps_it()
    {
        SqliteHsmOptions o = Options();
        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(o, _time))
        {
            Assert.Equal(SqliteSchema.LatestVersion, store.SchemaVersion);
        }

        await using (SqliteHsmStore again = await SqliteHsmStore.OpenAsync(o, _time))
        {
            Assert.Equal(SqliteSchema.LatestVersion, again.SchemaVersion);
        }

        Assert.Equal("wal", Scalar(o.Path, "PRAGMA journal_mode"));
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(o.Path, "SELECT version FROM schema_version"));
    }

    [Fact]
    public async Task A_version_1_file_is_backed_up_then_migrated_forward_keeping_its_rows()
    {
        SqliteHsmOptions o = Options();

        // A file written by a build that knew only version 1: its statements, one row of its own.
        string v1 = string.Join(";\n", ["CREATE TABLE schema_version (version INTEGER NOT NULL)", .. SqliteSchema.Migrations[0],
            "INSERT INTO schema_version (version) VALUES (1)", "INSERT INTO bindings VALUES ('hsm.commands', 'DL-A', 'DL-A')", "SELECT 1"]);
        Scalar(o.Path, v1);

        // What a migration killed half-way through its backup left: a cut-off copy, and one under the final name.
        File.WriteAllText(o.Path + ".v1.bak.partial", "cut off");
        File.WriteAllText(o.Path + ".v1.bak", "an earlier attempt's copy");
        await using (SqliteHsmStore migrated = await SqliteHsmStore.OpenAsync(o, _time))
        {
            Assert.Equal(SqliteSchema.LatestVersion, migrated.SchemaVersion);
        }

        Assert.Equal(0L, Scalar(o.Path, "SELECT COUNT(*) FROM tapes"));
        Assert.Equal(0L, Scalar(o.Path, "SELECT COUNT(*) FROM instances"));

        Assert.Equal(0L, Scalar(o.Path, "SELECT COUNT(*) FROM aggregations"));
        Assert.Equal(1L, Scalar(o.Path, "SELECT COUNT(*) FROM bindings"));
        Assert.Equal(0L, Scalar(o.Path, "SELECT value FROM sequences WHERE name = 'file_id'"));
        string backup = o.Path + ".v1.bak";
        Assert.True(File.Exists(backup));
        Assert.Equal(1L, Scalar(backup, "SELECT version FROM schema_version"));
        Assert.Equal(0L, Scalar(backup, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'aggregations'"));
        Assert.False(File.Exists(backup + ".partial"));
    }

    [Fact]
    public async Task A_version_6_file_keeps_its_files_lists_and_members_when_its_file_rows_are_split()
    {
        SqliteHsmOptions o = Options();
        var decision = new PolicyDecision("r", "sg|lib", "DL-A", ArchiveStrategy.Aggregate, AggregationPayloadFormat.Tar, ListLimits.Default, "pool", 2, RequestPriority.High, 3);
        string json = System.Text.Json.JsonSerializer.Serialize(decision, SqliteJsonContext.Default.PolicyDecision);

        // A file written by version 6: two files placed alike, one of them in a list and an aggregation.
        string File(long id, string status) => $$"""
            INSERT INTO files (file_id, external_id, namespace_path, cache_path, size, checksums, storage_group, file_family, wrapper, library,
                attributes, disk_library, policy_key, policy_version, strategy, decision, cache_status, archive_status, archive_claim_list,
                archive_claim_attempt, copies_required, pin_count, speculative, created_at, cached_at, archived_at, last_access_at, updated_at,
                deleted_at, failure_reason, row_version)
            VALUES ({{id}}, 'ext-{{id}}', '/ns/f{{id}}', 'a/f{{id}}', 100, '[{"type":"adler32","value":"0102"}]', 'sg', 'ff', 'cpio_odc', 'lib',
                '{"k":"v"}', 'DL-A', 'sg|lib', 3, 'Aggregate', '{{json}}', '{{status}}', 'NONE', NULL, NULL, 2, 0, 0, 1000, 2000, NULL,
                NULL, 2000, NULL, NULL, 4)
            """;
        string v6 = string.Join(";\n", [
            "CREATE TABLE schema_version (version INTEGER NOT NULL)", .. SqliteSchema.Migrations.Take(6).SelectMany(m => m),
            "INSERT INTO schema_version (version) VALUES (6)", File(1, "CACHED"), File(2, "CREATED"),
            """
            INSERT INTO file_lists (list_id, kind, policy_key, rule_name, disk_library, limits, policy_version, strategy, format, tape_pool,
                copy_count, state, created_at, member_count, member_bytes, busy_count, priority, attempt, failure_count)
            VALUES ('00000000000000000000000000000001', 'ARCHIVE', 'sg|lib', 'r', 'DL-A', '{}', 3, 'Aggregate', 'Tar', 'pool', 2, 'FILLING', 1000,
                1, 100, 0, 'High', 0, 0)
            """,
            "INSERT INTO file_list_members (list_id, file_id, ordinal, live_archive) VALUES ('00000000000000000000000000000001', 1, 1, 1)",
            "SELECT 1"]);
        Scalar(o.Path, v6);

        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(o, _time))
        {
            Assert.Equal(SqliteSchema.LatestVersion, store.SchemaVersion);
            await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
            FileRecord f = (await txn.GetFileAsync(1))!;
            Assert.Equal(("ext-1", "/ns/f1", "a/f1", 100L, CacheStatus.Cached, 4L), (f.ExternalId, f.NamespacePath, f.CachePath, f.Size, f.CacheStatus, f.RowVersion));
            Assert.Equal(decision, f.Decision);
            Assert.Equal(new Checksum("adler32", "0102"), Assert.Single(f.Checksums));
            Assert.Equal("v", f.Attributes.Extra["k"]);
            Assert.Equal(f, await txn.GetFileByExternalIdAsync("ext-1"));
            Assert.Equal(1L, Assert.Single(await txn.GetListMembersAsync(Guid.Parse("00000000000000000000000000000001"))));

            // The maintained counts follow the rebuilt table: a state change moves the file from one count to the other.
            _ = await txn.UpdateFileAsync(f with { CacheStatus = CacheStatus.Purged });
            await txn.CommitAsync();
        }

        Assert.Equal(1L, Scalar(o.Path, "SELECT COUNT(*) FROM decisions"));
        Assert.Equal(1L, Scalar(o.Path, "SELECT files FROM file_counts WHERE cache_status = 'PURGED'"));
        Assert.Equal(0L, Scalar(o.Path, "SELECT files FROM file_counts WHERE cache_status = 'CACHED'"));
        Assert.Null(Scalar(o.Path, "PRAGMA foreign_key_check"));
    }

    [Fact]
    public async Task A_file_from_a_newer_build_is_refused()
    {
        SqliteHsmOptions o = Options();
        await (await SqliteHsmStore.OpenAsync(o, _time)).DisposeAsync();
        Scalar(o.Path, "UPDATE schema_version SET version = 99");
        SqliteSchemaException e = await Assert.ThrowsAsync<SqliteSchemaException>(async () => await SqliteHsmStore.OpenAsync(o, _time));
        Assert.Contains("schema version 99", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_outbox_message_without_a_binding_fails_the_whole_transaction()
    {
        await using SqliteHsmStore store = await SqliteHsmStore.OpenAsync(Options(), _time);
        await store.Bus.DeclareAsync(HsmTopology.For("d", ["DL-A"]));
        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            await txn.AddTransitionAsync(new TransitionRecord("list", "x", null, "FILLING", "L1", HsmActor.Dispatcher, null, txn.Now));
            await Assert.ThrowsAsync<UnroutableMessageException>(async () => await txn.AddOutboxAsync(
                new OutboundMessage(HsmTopology.CommandsExchange, "DL-Z", new Envelope { MessageId = Guid.CreateVersion7(), Type = "hsm.cmd.archive" })));
        }

        await using ICatalogTransaction check = await store.Catalog.BeginAsync();
        Assert.Empty(await check.GetTransitionsAsync("list", "x"));
    }

    [Fact]
    public async Task Outbox_rows_are_queue_rows_committed_with_the_state_change()
    {
        await using SqliteHsmStore store = await SqliteHsmStore.OpenAsync(Options(), _time);
        await store.Bus.DeclareAsync(HsmTopology.For("d", ["DL-A"]));
        var msg = new Envelope { MessageId = Guid.CreateVersion7(), Type = "hsm.evt.namespaceDeleted", Body = "{\"fileId\":1}" };
        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, msg));
            Assert.Equal(0, (await store.Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Ready);
            await txn.CommitAsync();
        }

        Assert.Empty(await store.Catalog.ReadOutboxAsync(10));
        IDelivery d = Assert.Single(await store.Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions("t")));
        Assert.Equal(msg, d.Message);
    }

    [Fact]
    public async Task A_backup_is_a_complete_database()
    {
        await using SqliteHsmStore store = await SqliteHsmStore.OpenAsync(Options(), _time);
        await store.Bus.DeclareAsync(HsmTopology.For("d", ["DL-A"]));
        string backup = _dir.File("backup.db");
        await store.BackupAsync(backup);
        Assert.Equal((long)SqliteSchema.LatestVersion, Scalar(backup, "SELECT version FROM schema_version"));
        Assert.Equal(3L, Scalar(backup, "SELECT COUNT(*) FROM bindings"));
    }

    [Fact]
    public async Task A_backup_that_fails_leaves_no_file_under_its_name_and_names_the_damage()
    {
        SqliteHsmOptions o = Options();
        await using SqliteHsmStore store = await SqliteHsmStore.OpenAsync(o, _time);
        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            for (int i = 0; i < 2000; i++)
            {
                await txn.InsertTapeAsync(new TapeRecord { Vsn = $"T{i:D5}", Pool = "p" });
            }

            await txn.CommitAsync();
        }

        // Every page moved from the write-ahead log into the file, then the last third of them (the tapes' rows)
        // overwritten under the open store: the backup's full read meets the damage.
        using (var side = new SqliteConnection($"Data Source={o.Path};Pooling=False"))
        {
            side.Open();
            using SqliteCommand checkpoint = side.CreateCommand();
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE)";
            checkpoint.ExecuteNonQuery();
        }

        using (var file = new FileStream(o.Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            byte[] header = new byte[100];
            file.ReadExactly(header);
            int pageSize = (header[16] << 8) | header[17];
            long pages = file.Length / pageSize;
            file.Position = pages * 2 / 3 * pageSize;
            byte[] junk = new byte[(int)((pages - (pages * 2 / 3)) * pageSize)];
            junk.AsSpan().Fill(0x5A);
            file.Write(junk);
        }

        string backup = _dir.File("backup.db");
        var e = await Assert.ThrowsAsync<CatalogStoreException>(async () => await store.BackupAsync(backup));

        Assert.Equal(CatalogStoreErrorKind.Corrupt, e.Kind);
        Assert.Contains(o.Path, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(backup), "a failed backup leaves no file that looks like one");
    }

    [Fact]
    public async Task Read_only_opens_an_existing_store_without_changing_a_byte_and_refuses_writes()
    {
        SqliteHsmOptions o = Options();
        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(o, _time))
        {
            await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
            await txn.InsertTapeAsync(new TapeRecord { Vsn = "T00001", Pool = "p" });
            await txn.CommitAsync();
        }

        byte[] before = File.ReadAllBytes(o.Path);
        string[] filesBefore = Directory.GetFiles(_dir.Path);
        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = o.Path, ReadOnly = true }, _time))
        {
            Assert.Equal(SqliteSchema.LatestVersion, store.SchemaVersion);
            await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
            Assert.Equal("T00001", Assert.Single(await txn.QueryTapesAsync()).Vsn);
            await Assert.ThrowsAsync<CatalogStoreException>(async () => await txn.InsertTapeAsync(new TapeRecord { Vsn = "T00002", Pool = "p" }));
        }

        Assert.Equal(before, File.ReadAllBytes(o.Path));
        Assert.Equal(filesBefore, Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task Read_only_neither_creates_a_missing_file_nor_migrates_nor_reads_a_foreign_file()
    {
        string missing = _dir.File("missing.db");
        FileNotFoundException nf = await Assert.ThrowsAsync<FileNotFoundException>(async () => await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = missing, ReadOnly = true }, _time));
        Assert.Contains(missing, nf.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));

        SqliteHsmOptions o = Options();
        await (await SqliteHsmStore.OpenAsync(o, _time)).DisposeAsync();
        Scalar(o.Path, "DROP TABLE tapes; UPDATE schema_version SET version = 2; SELECT 1");
        SqliteSchemaException old = await Assert.ThrowsAsync<SqliteSchemaException>(async () => await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = o.Path, ReadOnly = true }, _time));
        Assert.Contains("schema version 2", old.Message, StringComparison.Ordinal);
        Assert.Equal(2L, Scalar(o.Path, "SELECT version FROM schema_version"));

        string text = _dir.File("text.db");
        File.WriteAllText(text, new string('x', 4096));
        await Assert.ThrowsAsync<SqliteSchemaException>(async () => await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = text, ReadOnly = true }, _time));
        string other = _dir.File("other.db");
        Scalar(other, "CREATE TABLE t (x INTEGER)");
        SqliteSchemaException foreign = await Assert.ThrowsAsync<SqliteSchemaException>(async () => await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = other, ReadOnly = true }, _time));
        Assert.Contains("not a TapeKit HSM store", foreign.Message, StringComparison.Ordinal);
    }
}
