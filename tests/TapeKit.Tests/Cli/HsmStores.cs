using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Tests.Cli;

/// <summary>Builds small SQLite HSM stores through the public HSM API, on the system clock the tool uses.</summary>
internal static class HsmStores
{
    public static async Task<SqliteHsmStore> CreateAsync(string path)
    {
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path }, TimeProvider.System);
        await store.Bus.DeclareAsync(HsmTopology.For("dispatcher", ["DL-A", "DL-B"]));
        return store;
    }

    public static async Task<SqliteHsmStore> OpenReadOnlyAsync(string path) =>
        await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path, ReadOnly = true }, TimeProvider.System);

    public static PolicySelector Selector(string policyJson) => new(PolicyFileReader.Parse(System.Text.Encoding.UTF8.GetBytes(policyJson), "test"));

    /// <summary>A disk mover writes a file: C1, then C2 with <c>CacheWritten</c> (CACHED, NONE, in no list yet).</summary>
    public static async Task<FileRecord> IngestAsync(SqliteHsmStore store, IPolicySelector selector, string storageGroup, long size)
    {
        var attributes = new HsmFileAttributes { StorageGroup = storageGroup, Library = "LIB", Size = size };
        FileRecord created = await WriteCacheCatalog.CreateAsync(store.Catalog, selector, attributes, $"/ns/{storageGroup}/{Guid.NewGuid():N}", $"{storageGroup}/{Guid.NewGuid():N}");
        return await WriteCacheCatalog.CompleteAsync(store.Catalog, created.FileId, size, [new Checksum("adler32", "0000abcd")])
            ?? throw new InvalidOperationException("CompleteAsync returned null for a fresh file.");
    }

    /// <summary>Inserts a file row as it is (raw catalogue API), optionally with one ON_TAPE copy.</summary>
    public static async Task<FileRecord> InsertAsync(
        SqliteHsmStore store, IPolicySelector selector, string storageGroup, long size, CacheStatus cache, ArchiveStatus archive, int copiesOnTape)
    {
        await using ICatalogTransaction txn = await store.Catalog.BeginAsync();
        var attributes = new HsmFileAttributes { StorageGroup = storageGroup, Library = "LIB", Size = size };
        var file = new FileRecord
        {
            FileId = await txn.AllocateFileIdAsync(),
            NamespacePath = $"/ns/{storageGroup}/raw",
            Size = size,
            Checksums = [new Checksum("adler32", "0000abcd")],
            Attributes = attributes,
            Decision = selector.Decide(attributes),
            CacheStatus = cache,
            ArchiveStatus = archive,
            CreatedAt = txn.Now,
            CachedAt = txn.Now,
        };
        await txn.InsertFileAsync(file);
        for (int copy = 1; copy <= copiesOnTape; copy++)
        {
            long id = await txn.AllocateAggregationIdAsync();
            await txn.InsertAggregationAsync(new AggregationRecord
            {
                AggregationId = id,
                ListId = Guid.NewGuid(),
                Attempt = 1,
                CopyNb = copy,
                Format = AggregationPayloadFormat.Tar,
                State = AggregationState.OnTape,
                MemberCount = 1,
                ActiveMemberCount = 1,
                PayloadBytes = size,
                TapeFile = new TapeFileLocator($"T0000{copy}", (int)id, 5 + (9 * id)),
                BlockCount = 1,
                CreatedAt = txn.Now,
            });
            await txn.AddAggregationMembersAsync([new TapeKit.Hsm.Model.AggregationMemberRecord(id, 0, file.FileId, 512, 0, 0, 1)]);
        }

        await txn.CommitAsync();
        return file;
    }
}
