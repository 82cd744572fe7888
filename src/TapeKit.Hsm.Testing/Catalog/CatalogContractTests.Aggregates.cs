using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Testing;

/// <summary>The maintained aggregates agree with the rows they summarise, through inserts, moves and deletions.</summary>
public abstract partial class CatalogContractTests
{
    /// <summary>Area usage follows every change of state size and deletion.</summary>
    [SkippableFact]
    public async Task Area_usage_follows_every_change_of_state_size_and_deletion()
    {
        FileRecord a = await NewFileAsync("usage-a", size: 100);
        FileRecord b = await NewFileAsync("usage-b", size: 250);
        FileRecord c = await NewFileAsync("usage-c", size: 1000);
        _ = await WriteCacheCatalog.CompleteAsync(Catalog, a.FileId, 100, [new Checksum("adler32", "00000001")]);
        _ = await WriteCacheCatalog.CompleteAsync(Catalog, b.FileId, 250, [new Checksum("adler32", "00000001")]);
        await Catalog.RunAsync(async txn => await txn.TryMoveCacheAsync(b.FileId, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher));
        await Catalog.RunAsync(async txn => await txn.UpdateFileAsync((await txn.GetFileAsync(c.FileId))! with { DeletedAt = txn.Now }));

        string library = a.Decision.DiskLibrary;
        IReadOnlyList<AreaUsageRow> usage = await Catalog.ReadAsync(txn => txn.GetAreaUsageAsync(library));
        Assert.Equal(await SumOverRowsAsync(library), usage);
        Assert.Equal([new AreaUsageRow(CacheStatus.Cached, 1, 100), new AreaUsageRow(CacheStatus.PurgingRequested, 1, 250)], usage);
        Assert.Empty(await Catalog.ReadAsync(txn => txn.GetAreaUsageAsync("no-such-library")));
    }

    /// <summary>List counts follow creation and every state change.</summary>
    [SkippableFact]
    public async Task List_counts_follow_creation_and_every_state_change()
    {
        FileListRecord one = NewArchiveList(), two = NewArchiveList();
        await Catalog.RunAsync(async txn =>
        {
            await txn.CreateListAsync(one);
            await txn.CreateListAsync(two);
        });
        await Catalog.RunAsync(async txn => await txn.TryMoveListAsync(one.ListId, FileListState.Filling, FileListEvent.Closed, HsmActor.Dispatcher));
        IReadOnlyDictionary<FileListState, long> counts = await Catalog.ReadAsync(txn => txn.CountListsAsync(FileListKind.Archive));
        Assert.Equal(1, counts[FileListState.Filling]);
        Assert.Equal(1, counts[FileListState.Filled]);
        Assert.False(counts.ContainsKey(FileListState.Done));
        Assert.Empty(await Catalog.ReadAsync(txn => txn.CountListsAsync(FileListKind.Stage)));
    }

    private async Task<AreaUsageRow[]> SumOverRowsAsync(string library) =>
        [.. (await Catalog.ReadAsync(txn => txn.QueryFilesAsync(new FileQuery { DiskLibrary = library })))
            .GroupBy(f => f.CacheStatus).OrderBy(g => StateNames.Of(g.Key), StringComparer.Ordinal)
            .Select(g => new AreaUsageRow(g.Key, g.Count(), g.Sum(f => f.Size)))];
}
