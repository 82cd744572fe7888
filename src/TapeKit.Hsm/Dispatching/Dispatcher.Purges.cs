using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    private readonly Dictionary<string, DateTimeOffset> _lastPurgePlan = new(StringComparer.Ordinal);

    /// <summary>
    /// The purge planners of the disk libraries' cache areas (docs/hsm/overview.md#purging). When set, each tick — at most every
    /// <c>PurgeInterval</c> per area, and never while the area has a live purge list — plans a purge and sends its first
    /// batch as a purge list (members <c>PURGING_REQUESTED</c>, C10) in a <c>Purge</c> command; the disk library's
    /// migrator carries it out. Without them, a host runs each <c>Purger</c> in process.
    /// </summary>
    public IReadOnlyList<Purger> PurgePlanners { get; set; } = [];

    private static readonly CommandListKind PurgeLists = new(
        FileListKind.Purge, HsmMessageTypes.Purge, RequestPriority.Urgent,
        (list, attempt, ids) => new PurgeCommand(list.ListId, attempt, "cache", ids),
        // Re-sent as it is: whether a claimed copy is gone only a worker at the cache can tell, and deleting again is idempotent.
        (_, _, _) => ValueTask.CompletedTask,
        // Dead: members not yet claimed are cached again (C11); claimed ones stay PURGING for the area's purger to finish.
        async (txn, fileId, reason) => _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.PurgingRequested, FileCacheEvent.PurgeCancelled, HsmActor.Sweeper, reason));

    private async ValueTask<DateTimeOffset?> TickPurgeListsAsync(bool graceOver, IReadOnlyList<FileListRecord> lists, HashSet<string> fenced, CancellationToken ct)
    {
        DateTimeOffset? next = await TickCommandListsAsync(PurgeLists, graceOver, lists, fenced, ct);
        var busy = lists.Select(l => l.DiskLibrary).ToHashSet(StringComparer.Ordinal);
        foreach (Purger purger in PurgePlanners.Where(p => !busy.Contains(p.DiskLibrary)))
        {
            DateTimeOffset now = _catalog.Time.GetUtcNow();
            if (_lastPurgePlan.TryGetValue(purger.DiskLibrary, out DateTimeOffset last) && now - last < purger.PurgeInterval)
            {
                next = Min(next, last + purger.PurgeInterval);
                continue;
            }

            _lastPurgePlan[purger.DiskLibrary] = now;
            PurgePlan plan = await purger.PlanAsync(ct: ct);
            if (plan.Batches.Count > 0)
            {
                await CreatePurgeListAsync(purger.DiskLibrary, plan.Batches[0], plan.Reason, ct);
            }
        }

        return next;
    }

    private async ValueTask CreatePurgeListAsync(string diskLibrary, IReadOnlyList<long> batch, string reason, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        var list = new FileListRecord
        {
            ListId = MessageIds.New(_catalog.Time),
            Kind = FileListKind.Purge,
            PolicyKey = "purge:" + diskLibrary,
            DiskLibrary = diskLibrary,
            Limits = ListLimits.Default,
            State = FileListState.Filled,
            CreatedAt = txn.Now,
            Priority = RequestPriority.Urgent,
        };
        await txn.CreateListAsync(list);
        int members = 0;
        long bytes = 0;
        foreach (long id in batch)
        {
            // C10 with the list membership; a copy read or pinned since the plan stays (the guard is re-checked here, and
            // the move is of the row checked, so a pin taken after this read is a conflict rather than purged over).
            if (await txn.GetFileAsync(id) is { PinCount: 0 } unpinned && await txn.TryMoveCacheAsync(unpinned, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher, reason) is { } f)
            {
                await txn.AddListMemberAsync(list.ListId, id);
                members++;
                bytes += f.Size;
            }
        }

        if (members == 0)
        {
            return; // Rolled back: nothing left to purge.
        }

        list = list with { MemberCount = members, MemberBytes = bytes };
        list = await txn.UpdateListAsync(list);
        await SendCommandListAsync(txn, list, PurgeLists);
        await txn.CommitAsync(ct);
    }

    private ValueTask OnPurgedAsync(ICatalogTransaction txn, Envelope message, PurgedReply body) =>
        VerifyDoneAsync(txn, "purged", body.ListId, body.Attempt);
}
