using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Testing;

/// <summary>The batch methods: the results of the row methods called in order, and a refused batch writes nothing.</summary>
public abstract partial class CatalogContractTests
{
    /// <summary>Batch reads are aligned with their keys, missing rows as null.</summary>
    [SkippableFact]
    public async Task Batch_reads_are_aligned_with_their_keys()
    {
        FileRecord a = await NewFileAsync("batch-a"), b = await NewFileAsync("batch-b");
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        IReadOnlyList<FileRecord?> rows = await txn.GetFilesAsync([b.FileId, 999_999, a.FileId, b.FileId]);
        Assert.Equal([b.FileId, 0, a.FileId, b.FileId], rows.Select(f => f?.FileId ?? 0));
        Assert.Equal(b, rows[0]);
        IReadOnlyList<FileRecord?> byExternal = await txn.GetFilesByExternalIdsAsync(["batch-a", "nobody", "batch-b"]);
        Assert.Equal([a.FileId, 0, b.FileId], byExternal.Select(f => f?.FileId ?? 0));
        Assert.Empty(await txn.GetFilesAsync([]));

        IReadOnlyList<long> ids = await txn.AllocateFileIdsAsync(5);
        Assert.Equal(5, ids.Distinct().Count());
        Assert.Equal(ids.Order(), ids);
        Assert.True(ids[0] > Math.Max(a.FileId, b.FileId));
    }

    /// <summary>Files inserted and updated in batches; a refused batch writes none of its rows and the transaction goes on.</summary>
    [SkippableFact]
    public async Task A_refused_file_batch_writes_none_of_its_rows()
    {
        FileRecord taken = await NewFileAsync("batch-taken");
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        IReadOnlyList<long> ids = await txn.AllocateFileIdsAsync(3);
        FileRecord[] rows = [.. ids.Select(id => taken with { FileId = id, ExternalId = $"batch-new-{id}", RowVersion = 0 })];
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertFilesAsync([rows[0], rows[1] with { ExternalId = "batch-taken" }, rows[2]]));
        Assert.All(await txn.GetFilesAsync(ids), Assert.Null);

        await txn.InsertFilesAsync(rows);
        IReadOnlyList<FileRecord?> inserted = await txn.GetFilesAsync(ids);
        Assert.Equal(rows.Select(r => r.ExternalId), inserted.Select(f => f!.ExternalId));

        // One stale version in the batch: a conflict, and the other rows keep their values.
        FileRecord stale = inserted[1]! with { RowVersion = inserted[1]!.RowVersion + 7, FailureReason = "x" };
        await Assert.ThrowsAsync<CatalogConflictException>(async () =>
            await txn.UpdateFilesAsync([inserted[0]! with { FailureReason = "x" }, stale, inserted[2]! with { FailureReason = "x" }]));
        Assert.All(await txn.GetFilesAsync(ids), f => Assert.Null(f!.FailureReason));

        IReadOnlyList<FileRecord> updated = await txn.UpdateFilesAsync([.. inserted.Select(f => f! with { FailureReason = "y" })]);
        Assert.Equal(ids, updated.Select(f => f.FileId));
        Assert.All(updated.Zip(inserted), p => Assert.Equal(p.Second!.RowVersion + 1, p.First.RowVersion));
        Assert.Equal(updated, await txn.GetFilesAsync(ids));
        await txn.CommitAsync();
    }

    /// <summary>Members join a list in a batch, in order; one that may not (I4) makes none join.</summary>
    [SkippableFact]
    public async Task List_members_join_in_a_batch_or_not_at_all()
    {
        FileRecord a = await NewFileAsync(), b = await NewFileAsync(), c = await NewFileAsync();
        await using ICatalogTransaction txn = await Catalog.BeginAsync();
        FileListRecord one = NewList(), two = NewList();
        await txn.CreateListAsync(one);
        await txn.CreateListAsync(two);
        await txn.AddListMemberAsync(one.ListId, b.FileId);
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.AddListMembersAsync(two.ListId, [c.FileId, b.FileId, a.FileId]));
        Assert.Empty(await txn.GetListMembersAsync(two.ListId));

        await txn.AddListMembersAsync(two.ListId, [c.FileId, a.FileId]);
        Assert.Equal([c.FileId, a.FileId], await txn.GetListMembersAsync(two.ListId));
        IReadOnlyDictionary<long, Guid> live = await txn.FindLiveListsOfFilesAsync([a.FileId, b.FileId, c.FileId, 999_999], FileListKind.Archive);
        Assert.Equal(3, live.Count);
        Assert.Equal(one.ListId, live[b.FileId]);
        Assert.Equal(two.ListId, live[a.FileId]);
        Assert.Equal(two.ListId, live[c.FileId]);
        await txn.CommitAsync();
    }

    /// <summary>Inbox, outbox and audit rows in batches: duplicates found, order kept.</summary>
    [SkippableFact]
    public async Task Inbox_outbox_and_audit_rows_in_batches()
    {
        Guid seen = Guid.NewGuid(), fresh = Guid.NewGuid();
        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            Assert.True(await txn.TryMarkInboxAsync("batch", seen));
            Assert.Equal([false, true, false], await txn.TryMarkInboxManyAsync("batch", [seen, fresh, fresh]));
            Assert.Equal([false], await txn.TryMarkInboxManyAsync("batch", [fresh]));

            TransitionRecord[] audit = [.. Enumerable.Range(0, 3).Select(i =>
                new TransitionRecord("batch.entity", "e1", i == 0 ? null : $"S{i - 1}", $"S{i}", $"R{i}", HsmActor.Dispatcher, i == 1 ? "why" : null, txn.Now))];
            await txn.AddTransitionsAsync(audit);
            Assert.Equal(audit, await txn.GetTransitionsAsync("batch.entity", "e1"));
            await txn.CommitAsync();
        }

        OutboundMessage[] messages = [.. Enumerable.Range(0, 3).Select(i => new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey,
            HsmMessages.Create(HsmMessageTypes.NamespaceDeleted, new NamespaceDeletedEvent(i + 1, Time.GetUtcNow()), Time)))];
        await Catalog.RunAsync(txn => txn.AddOutboxManyAsync(messages));
        IReadOnlyList<OutboxEntry> outbox = await Catalog.ReadOutboxAsync(100);
        if (outbox.Count > 0)
        {
            // A catalogue with an outbox of its own (not the SQLite one, whose outbox row is the queued message) keeps the order.
            Assert.Equal(messages.Select(m => m.Message.MessageId), outbox.Select(e => e.Message.Message.MessageId).Where(id => messages.Any(m => m.Message.MessageId == id)));
        }
    }
}
