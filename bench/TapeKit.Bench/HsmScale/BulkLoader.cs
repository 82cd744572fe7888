using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// Builds an aged catalogue fast: the store creates its schema and the tapes through its public API, then the rows go
/// straight into the file with prepared statements in big transactions, <c>synchronous = OFF</c> on the loader's own
/// connection only (the store's connections keep <c>FULL</c> for everything the bench measures).
/// </summary>
internal static class BulkLoader
{
    private const int ListsPerTransaction = 20;
    private const int BlockSize = 256 * 1024;

    public static async Task<TimeSpan> LoadAsync(string path, AgedCatalogShape shape, PolicySelector selector, TimeProvider time)
    {
        var wall = Stopwatch.StartNew();
        PolicyDecision decision = selector.Decide(BenchPolicies.Attributes(BenchPolicies.AgedGroup, 1));
        await using (SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path }, time))
        {
            await PutTapesAsync(store.Catalog, shape, decision.TapePool);
        }

        var rows = new AgedCatalogRows(decision, time.GetUtcNow().ToUnixTimeMilliseconds());
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        c.Open();
        Exec(c, "PRAGMA synchronous = OFF; PRAGMA cache_size = -131072; PRAGMA temp_store = MEMORY");
        rows.Decision(c);
        using var files = new TableInserter(c, "files", CatalogColumns.Files);
        using var details = new TableInserter(c, "file_details", CatalogColumns.FileDetails);
        using var lists = new TableInserter(c, "file_lists", CatalogColumns.Lists);
        using var listMembers = new TableInserter(c, "file_list_members", CatalogColumns.ListMembers);
        using var aggregations = new TableInserter(c, "aggregations", CatalogColumns.Aggregations);
        using var members = new TableInserter(c, "members", CatalogColumns.Members);
        using var transitions = new TableInserter(c, "transitions", CatalogColumns.Transitions);
        TableInserter[] all = [files, details, lists, listMembers, aggregations, members, transitions];

        long yearMs = (long)TimeSpan.FromDays(365).TotalMilliseconds;
        long nextFileId = 1;
        SqliteTransaction? txn = null;
        for (long k = 0; k < shape.ArchiveLists; k++)
        {
            if (k % ListsPerTransaction == 0)
            {
                txn?.Commit();
                txn?.Dispose();
                txn = Begin(c, all);
            }

            long listCreated = rows.NowMs - yearMs + (k * yearMs / shape.ArchiveLists);
            int count = (int)Math.Min(BenchPolicies.FilesPerList, shape.Archived - (k * BenchPolicies.FilesPerList));
            var listId = Guid.NewGuid();
            long aggregationId = k + 1;
            long firstFileId = nextFileId;
            long bytes = 0;
            for (int j = 0; j < count; j++)
            {
                bytes += SizeOf(firstFileId + j);
            }

            // Parents before children: the store's connections enforce the foreign keys, and so does this one.
            long blocks = (bytes + BlockSize - 1) / BlockSize;
            int fseq = (int)(k % AgedCatalogShape.AggregationsPerTape) + 1;
            rows.List(lists, listId, FileListState.Done, count, bytes, listCreated);
            rows.Aggregation(aggregations, aggregationId, listId, count, bytes, VsnOf(k / AgedCatalogShape.AggregationsPerTape), fseq, fseq * 100_000L, blocks, listCreated);
            AgedCatalogRows.ListHistory(transitions, listId, aggregationId, listCreated);
            long offset = 0;
            for (int j = 0; j < count; j++)
            {
                long fileId = nextFileId++;
                long size = SizeOf(fileId);
                ArchivedFileState state = shape.StateOf(fileId);
                long created = listCreated - ((count - j) * 1_000L);
                long archived = listCreated + 600_000;
                CacheStatus cache = state switch
                {
                    ArchivedFileState.Cached => CacheStatus.Cached,
                    ArchivedFileState.Purged => CacheStatus.Purged,
                    _ => CacheStatus.StagingRequested,
                };
                rows.File(files, details, fileId, size, cache, ArchiveStatus.Archived, created, archived);
                AgedCatalogRows.FileHistory(transitions, fileId, state, created, archived);
                AgedCatalogRows.ListMember(listMembers, listId, fileId, j + 1, liveArchive: false);
                AgedCatalogRows.Member(members, aggregationId, j, fileId, offset, offset / BlockSize, (int)(offset % BlockSize), ((offset % BlockSize) + size + BlockSize - 1) / BlockSize);
                offset += size;
            }
        }

        txn?.Commit();
        txn?.Dispose();
        using (txn = Begin(c, all))
        {
            LoadOpenList(rows, shape, files, details, lists, listMembers, transitions, nextFileId);
            txn.Commit();
        }

        // Rows written with their own ids: the id sequences start after them, as the store's own inserts would leave them.
        Exec(c, """
            UPDATE sequences SET value = (SELECT COALESCE(MAX(file_id), 0) FROM files) WHERE name = 'file_id';
            UPDATE sequences SET value = (SELECT COALESCE(MAX(aggregation_id), 0) FROM aggregations) WHERE name = 'aggregation_id'
            """);
        Exec(c, "PRAGMA wal_checkpoint(TRUNCATE)");
        return wall.Elapsed;
    }

    /// <summary>The one open list of the aged policy, with the files cached and awaiting archive (invariant I2).</summary>
    private static void LoadOpenList(AgedCatalogRows rows, AgedCatalogShape shape, TableInserter files, TableInserter details, TableInserter lists,
        TableInserter listMembers, TableInserter transitions, long firstFileId)
    {
        var listId = Guid.NewGuid();
        long created = rows.NowMs - 60_000;
        if (shape.AwaitingArchive == 0)
        {
            return;
        }

        long bytes = 0;
        for (int j = 0; j < shape.AwaitingArchive; j++)
        {
            bytes += SizeOf(firstFileId + j);
        }

        rows.List(lists, listId, FileListState.Filling, shape.AwaitingArchive, bytes, created);
        for (int j = 0; j < shape.AwaitingArchive; j++)
        {
            long fileId = firstFileId + j;
            rows.File(files, details, fileId, SizeOf(fileId), CacheStatus.Cached, ArchiveStatus.None, created, null);
            AgedCatalogRows.FileHistory(transitions, fileId, null, created, null);
            AgedCatalogRows.ListMember(listMembers, listId, fileId, j + 1, liveArchive: true);
        }
    }

    /// <summary>Sizes between 64 KiB and about 4 MiB: a small-files cache.</summary>
    private static long SizeOf(long fileId) => 65_536 + (fileId * 7919 % (4L * 1024 * 1024));

    private static string VsnOf(long tape) => string.Create(CultureInfo.InvariantCulture, $"AG{tape:D4}");

    private static async Task PutTapesAsync(SqliteCatalog catalog, AgedCatalogShape shape, string pool)
    {
        await using ICatalogTransaction txn = await catalog.BeginAsync();
        int tapes = shape.Tapes;
        for (int t = 0; t < tapes; t++)
        {
            bool last = t == tapes - 1;
            await txn.InsertTapeAsync(new TapeRecord
            {
                Vsn = VsnOf(t),
                Pool = pool,
                MediaType = "LTO-9",
                Library = "bench-library",
                State = last ? TapeState.Filling : TapeState.Full,
                LastFseq = last ? (int)(shape.ArchiveLists - ((tapes - 1L) * AgedCatalogShape.AggregationsPerTape)) : AgedCatalogShape.AggregationsPerTape,
                CapacityEstimate = 18_000_000_000_000,
            });
        }

        await txn.CommitAsync();
    }

    private static SqliteTransaction Begin(SqliteConnection c, TableInserter[] inserters)
    {
        SqliteTransaction txn = c.BeginTransaction();
        foreach (TableInserter t in inserters)
        {
            t.Transaction = txn;
        }

        return txn;
    }

    private static void Exec(SqliteConnection c, string sql)
    {
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
