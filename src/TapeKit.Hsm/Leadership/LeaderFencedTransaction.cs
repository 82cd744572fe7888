using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Leadership;

/// <summary>A transaction of <see cref="LeaderFencedCatalog"/>: the inner one, whose commit first checks the leader's term in it.</summary>
internal sealed partial class LeaderFencedTransaction(ICatalogTransaction inner, LeaderCampaign campaign) : ICatalogTransaction
{
    public DateTimeOffset Now => inner.Now;

    public async ValueTask CommitAsync(CancellationToken ct = default)
    {
        await campaign.EnsureLeaderAsync(inner);
        await inner.CommitAsync(ct);
    }

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    public ValueTask<FileRecord?> GetFileAsync(long fileId) => inner.GetFileAsync(fileId);

    public ValueTask<FileRecord?> GetFileByExternalIdAsync(string externalId) => inner.GetFileByExternalIdAsync(externalId);

    public ValueTask<long> AllocateFileIdAsync() => inner.AllocateFileIdAsync();

    public ValueTask InsertFileAsync(FileRecord file) => inner.InsertFileAsync(file);

    public ValueTask<FileRecord> UpdateFileAsync(FileRecord file) => inner.UpdateFileAsync(file);

    public ValueTask<IReadOnlyList<FileRecord>> QueryFilesAsync(FileQuery query) => inner.QueryFilesAsync(query);

    public ValueTask<IReadOnlyList<AreaUsageRow>> GetAreaUsageAsync(string diskLibrary) => inner.GetAreaUsageAsync(diskLibrary);

    public ValueTask<IReadOnlyList<FileCount>> CountFilesAsync() => inner.CountFilesAsync();

    public ValueTask<IReadOnlyDictionary<FileListState, long>> CountListsAsync(FileListKind kind) => inner.CountListsAsync(kind);

    public ValueTask<IReadOnlyList<PendingRecall>> GetPendingRecallsAsync(string? diskLibrary, bool skipListed, long afterFileId, int limit) =>
        inner.GetPendingRecallsAsync(diskLibrary, skipListed, afterFileId, limit);

    public ValueTask<FileListRecord?> GetListAsync(Guid listId) => inner.GetListAsync(listId);

    public ValueTask InsertListAsync(FileListRecord list) => inner.InsertListAsync(list);

    public ValueTask<FileListRecord> UpdateListAsync(FileListRecord list) => inner.UpdateListAsync(list);

    public ValueTask<IReadOnlyList<FileListRecord>> QueryListsAsync(ListQuery query) => inner.QueryListsAsync(query);

    public ValueTask<IReadOnlyList<long>> GetListMembersAsync(Guid listId) => inner.GetListMembersAsync(listId);

    public ValueTask AddListMemberAsync(Guid listId, long fileId) => inner.AddListMemberAsync(listId, fileId);

    public ValueTask<bool> RemoveListMemberAsync(Guid listId, long fileId) => inner.RemoveListMemberAsync(listId, fileId);

    public ValueTask<Guid?> FindLiveListOfFileAsync(long fileId, FileListKind kind) => inner.FindLiveListOfFileAsync(fileId, kind);

    public ValueTask<long> AllocateAggregationIdAsync() => inner.AllocateAggregationIdAsync();

    public ValueTask<AggregationRecord?> GetAggregationAsync(long aggregationId) => inner.GetAggregationAsync(aggregationId);

    public ValueTask InsertAggregationAsync(AggregationRecord aggregation) => inner.InsertAggregationAsync(aggregation);

    public ValueTask<AggregationRecord> UpdateAggregationAsync(AggregationRecord aggregation) => inner.UpdateAggregationAsync(aggregation);

    public ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOfListAsync(Guid listId, int? attempt = null) =>
        inner.GetAggregationsOfListAsync(listId, attempt);

    public ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOnTapeAsync(string vsn) => inner.GetAggregationsOnTapeAsync(vsn);

    public ValueTask AddAggregationMembersAsync(IReadOnlyList<AggregationMemberRecord> members) => inner.AddAggregationMembersAsync(members);

    public ValueTask<IReadOnlyList<AggregationMemberRecord>> GetAggregationMembersAsync(long aggregationId) => inner.GetAggregationMembersAsync(aggregationId);

    public ValueTask<IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)>> GetCopiesOfFileAsync(long fileId) =>
        inner.GetCopiesOfFileAsync(fileId);

    public ValueTask<TapeRecord?> GetTapeAsync(string vsn) => inner.GetTapeAsync(vsn);

    public ValueTask InsertTapeAsync(TapeRecord tape) => inner.InsertTapeAsync(tape);

    public ValueTask<TapeRecord> UpdateTapeAsync(TapeRecord tape) => inner.UpdateTapeAsync(tape);

    public ValueTask<TapeRecord?> AdvanceTapeAsync(string vsn, int committedFseq, long addedBytes) => inner.AdvanceTapeAsync(vsn, committedFseq, addedBytes);

    public ValueTask<IReadOnlyList<TapeRecord>> QueryTapesAsync(string? pool = null) => inner.QueryTapesAsync(pool);

    public ValueTask<IReadOnlyList<DriveRecord>> QueryDrivesAsync(string library) => inner.QueryDrivesAsync(library);

    public ValueTask InsertDriveAsync(DriveRecord drive) => inner.InsertDriveAsync(drive);

    public ValueTask<DriveRecord> UpdateDriveAsync(DriveRecord drive) => inner.UpdateDriveAsync(drive);

    public ValueTask InsertMountRequestAsync(MountRequestRecord request) => inner.InsertMountRequestAsync(request);

    public ValueTask<IReadOnlyList<MountRequestRecord>> QueryMountRequestsAsync(string library) => inner.QueryMountRequestsAsync(library);

    public ValueTask<bool> RenewMountRequestAsync(Guid requestId, DateTimeOffset leaseUntil) => inner.RenewMountRequestAsync(requestId, leaseUntil);

    public ValueTask<bool> DeleteMountRequestAsync(Guid requestId) => inner.DeleteMountRequestAsync(requestId);

    public ValueTask<long> AdvanceInstanceEpochAsync(string instanceName) => inner.AdvanceInstanceEpochAsync(instanceName);

    public ValueTask<long> GetInstanceEpochAsync(string instanceName) => inner.GetInstanceEpochAsync(instanceName);

    public ValueTask AddOutboxAsync(OutboundMessage message) => inner.AddOutboxAsync(message);

    public ValueTask<bool> TryMarkInboxAsync(string consumer, Guid messageId) => inner.TryMarkInboxAsync(consumer, messageId);

    public ValueTask AddTransitionAsync(TransitionRecord transition) => inner.AddTransitionAsync(transition);

    public ValueTask<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string entity, string entityId) => inner.GetTransitionsAsync(entity, entityId);

    public ValueTask<HistoryPruned> PruneHistoryAsync(HistoryCutoffs cutoffs, int maxRows) => inner.PruneHistoryAsync(cutoffs, maxRows);
}
