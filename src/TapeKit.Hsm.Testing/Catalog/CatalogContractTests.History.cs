using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Testing;

/// <summary>History is pruned by its retention; live work and what the invariants need are never touched.</summary>
public abstract partial class CatalogContractTests
{
    /// <summary>Pruning removes old finished lists audit rows and inbox ids and nothing live.</summary>
    [SkippableFact]
    public async Task Pruning_removes_old_finished_lists_audit_rows_and_inbox_ids_and_nothing_live()
    {
        FileRecord f = await NewFileAsync("history-f");
        FileListRecord finished = NewArchiveList(), live = NewArchiveList();
        await Catalog.RunAsync(async txn =>
        {
            await txn.CreateListAsync(finished);
            await txn.CreateListAsync(live);
            await txn.AddListMemberAsync(finished.ListId, f.FileId);
            _ = await txn.TryMarkInboxAsync("dispatcher", Guid.NewGuid());
            FileListRecord current = (await txn.GetListAsync(finished.ListId))!;
            _ = await txn.UpdateListAsync(current with { State = FileListState.Superseded });
        });

        var retention = new HistoryRetention { FinishedLists = TimeSpan.FromDays(1), Transitions = TimeSpan.FromDays(2), Inbox = TimeSpan.FromDays(1), BatchSize = 1 };
        Assert.Equal(HistoryPruned.None, await CatalogHistory.PruneAsync(Catalog, retention));

        Time.Advance(TimeSpan.FromDays(3));
        HistoryPruned first = await CatalogHistory.PruneAsync(Catalog, retention, maxBatches: 1);
        Assert.True(first.MayHaveMore);
        HistoryPruned pruned = first + await CatalogHistory.PruneAsync(Catalog, retention);
        Assert.Equal(1, pruned.Lists);
        Assert.Equal(1, pruned.InboxIds);
        Assert.True(pruned.Transitions >= 3, $"{pruned.Transitions} audit rows pruned");

        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        Assert.Null(await txn.GetListAsync(finished.ListId));
        Assert.Empty(await txn.GetListMembersAsync(finished.ListId));
        Assert.NotNull(await txn.GetListAsync(live.ListId));
        Assert.NotNull(await txn.GetFileAsync(f.FileId));
        Assert.Empty(await txn.GetTransitionsAsync(CatalogTransitions.ListEntity, live.ListId.ToString("N")));
        Assert.True(await txn.TryMarkInboxAsync("dispatcher", Guid.NewGuid()));
        IReadOnlyDictionary<FileListState, long> counts = await txn.CountListsAsync(FileListKind.Archive);
        Assert.Equal(1, counts[FileListState.Filling]);
        Assert.False(counts.ContainsKey(FileListState.Superseded));
    }

    /// <summary>The invariants hold and stay checkable after pruning.</summary>
    [SkippableFact]
    public async Task The_invariants_hold_and_stay_checkable_after_pruning()
    {
        FileRecord f = await NewFileAsync("history-i");
        _ = await WriteCacheCatalog.CompleteAsync(Catalog, f.FileId, f.Size, [new Checksum("adler32", "00000001")]);
        FileListRecord list = NewArchiveList();
        await Catalog.RunAsync(async txn =>
        {
            await txn.CreateListAsync(list);
            await txn.AddListMemberAsync(list.ListId, f.FileId);
            _ = await txn.UpdateListAsync((await txn.GetListAsync(list.ListId))! with { MemberCount = 1, MemberBytes = f.Size });
        });
        Time.Advance(TimeSpan.FromDays(400));
        _ = await CatalogHistory.PruneAsync(Catalog, new HistoryRetention());
        Assert.Empty(await HsmInvariants.CheckAsync(Catalog, TimeSpan.FromMinutes(1)));
    }
}
