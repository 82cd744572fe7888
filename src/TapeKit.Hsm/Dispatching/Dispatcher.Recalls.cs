using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    /// <summary>
    /// When set, the dispatcher plans recalls (spec/hsm.md §4.5): on each tick it turns the waiting requests into
    /// per-(VSN, disk library) queues, asks the planner which are due, and sends each a stage list as a <c>Stage</c>
    /// command on its disk library's queue — at most one live stage list per tape. Without it, a host runs the
    /// in-process <c>Stager</c> instead.
    /// </summary>
    public RecallPlanner? RecallPlanner { get; set; }

    private async ValueTask<DateTimeOffset?> TickStageListsAsync(bool graceOver, CancellationToken ct)
    {
        IReadOnlyList<FileListRecord> lists;
        await using (ICatalogTransaction read = await _catalog.BeginAsync(ct))
        {
            lists = await read.QueryListsAsync(new ListQuery { Kind = FileListKind.Stage, States = ListQuery.LiveStates });
        }

        DateTimeOffset? next = null;
        foreach (FileListRecord snapshot in lists)
        {
            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            switch (await txn.GetListAsync(snapshot.ListId))
            {
                case { State: FileListState.Filled } list when (list.NotBefore ?? txn.Now) <= txn.Now:
                    await SendStageAsync(txn, list);
                    break;
                case { State: FileListState.Filled } list:
                    next = Min(next, list.NotBefore);
                    break;
                case { State: FileListState.Active, LeaseUntil: { } until } list when graceOver && until <= txn.Now:
                    _metrics?.LeaseExpiries.Add(1, new TagList { { "kind", "stage" } });
                    await RequeueStageAsync(txn, list, "LeaseExpired");
                    break;
                case { State: FileListState.Active } list:
                    next = Min(next, list.LeaseUntil);
                    break;
            }

            await txn.CommitAsync(ct);
        }

        if (RecallPlanner is { } planner)
        {
            await PlanRecallsAsync(planner, ct);
        }

        return next;
    }

    private async ValueTask PlanRecallsAsync(RecallPlanner planner, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        (List<RecallRequest> requests, Dictionary<string, TapeStatus> tapes, _) = await Staging.RecallRequests.LoadAsync(txn, null, measureUsage: false, skipListed: true);
        if (requests.Count == 0)
        {
            return;
        }

        var busy = (await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Stage, States = ListQuery.LiveStates }))
            .Select(l => l.Vsn).OfType<string>().ToHashSet(StringComparer.Ordinal);
        (IReadOnlyList<RecallQueue> queues, IReadOnlyList<RecallRequest> unreadable) = RecallPlanner.BuildQueues(requests, tapes);
        foreach (RecallRequest r in unreadable)
        {
            // C9: no copy is readable; the failure is the answer to the requester.
            string reason = $"{FailureReason.NoReadableCopy}: every copy is damaged or on a tape that allows no reads";
            _ = await txn.TryMoveCacheAsync(r.FileId, CacheStatus.StagingRequested, FileCacheEvent.StageFailed, HsmActor.Dispatcher, reason,
                f => f with { FailureReason = reason });
        }

        var decisions = queues.Where(q => !busy.Contains(q.Vsn)).Select(q => planner.Decide(q, tapes.GetValueOrDefault(q.Vsn), txn.Now, 0, driveAvailable: true));
        foreach (MountDecision decision in RecallPlanner.Rank(decisions, tapes))
        {
            StagePlan plan = planner.PlanBatch(decision.Queue);
            long[] ids = [.. plan.Items.SelectMany(i => i.Members).Select(m => m.FileId).Distinct()];
            var list = new FileListRecord
            {
                ListId = MessageIds.New(_catalog.Time),
                Kind = FileListKind.Stage,
                PolicyKey = "stage:" + decision.Queue.Vsn,
                DiskLibrary = decision.Queue.DiskLibrary,
                Limits = ListLimits.Default,
                State = FileListState.Filled,
                CreatedAt = txn.Now,
                Vsn = decision.Queue.Vsn,
                Priority = decision.Queue.TopPriority,
                MemberCount = ids.Length,
                MemberBytes = decision.Queue.Items.Where(i => ids.Contains(i.Request.FileId)).DistinctBy(i => i.Request.FileId).Sum(i => i.Request.Size),
            };
            await txn.CreateListAsync(list);
            foreach (long id in ids)
            {
                await txn.AddListMemberAsync(list.ListId, id);
            }

            await SendStageAsync(txn, list);
        }

        await txn.CommitAsync(ct);
    }

    /// <summary>L3 for a stage list: attempt + 1 and the <c>Stage</c> command in the same transaction.</summary>
    private async ValueTask SendStageAsync(ICatalogTransaction txn, FileListRecord list)
    {
        IReadOnlyList<long> ids = await txn.GetListMembersAsync(list.ListId);
        int attempt = list.Attempt + 1;
        DateTimeOffset deadline = txn.Now + _options.WorkLease;
        FileListRecord sent = await txn.TryMoveListAsync(list.ListId, FileListState.Filled, FileListEvent.Sent, HsmActor.Dispatcher, list.Attempt,
            reason: $"attempt {attempt}", mutate: l => l with { Attempt = attempt, Owner = null, LeaseUntil = deadline, NotBefore = null })
            ?? throw new InvalidOperationException($"Stage list {list.ListId:N} was expected FILLED.");
        Envelope envelope = HsmMessages.Create(HsmMessageTypes.Stage, new StageCommand(sent.ListId, attempt, sent.Vsn ?? "", ids), _catalog.Time, new Envelope
        {
            MessageId = Guid.Empty,
            Type = "",
            CorrelationId = sent.ListId.ToString("N"),
            Attempt = attempt,
            DiskLibrary = sent.DiskLibrary,
            ReplyTo = ReplyAddress,
            Priority = RequestPriority.High, // Purge > Stage > Archive on the wire (§6.1).
        });
        await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.CommandsExchange, sent.DiskLibrary, envelope));
        Log.ListMoved(_logger, sent.ListId, "FILLED", "ACTIVE", $"stage {sent.Vsn}, attempt {attempt}");
    }

    /// <summary>
    /// L7 for a stage list whose worker went silent: its members still <c>STAGING</c> go back to
    /// <c>STAGING_REQUESTED</c> (C8, as the sweeper) and the list is sent again after back-off — or dies after
    /// <c>MaxAttempts</c> charged failures, which releases its members to the planner.
    /// </summary>
    private async ValueTask RequeueStageAsync(ICatalogTransaction txn, FileListRecord list, string reason)
    {
        foreach (long id in await txn.GetListMembersAsync(list.ListId))
        {
            _ = await txn.TryMoveCacheAsync(id, CacheStatus.Staging, FileCacheEvent.StageRequeued, HsmActor.Sweeper, reason);
        }

        int failures = list.FailureCount + 1;
        if (failures >= _options.MaxAttempts)
        {
            _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Killed, HsmActor.Dispatcher, list.Attempt, reason,
                l => l with { FailureCount = failures, FailureReason = reason, Owner = null, LeaseUntil = null });
            Log.ListDead(_logger, list.ListId, failures, reason);
            return;
        }

        DateTimeOffset notBefore = txn.Now + _backoff.Next(failures);
        _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Requeued, HsmActor.Dispatcher, list.Attempt, reason,
            l => l with { FailureCount = failures, FailureReason = reason, Owner = null, LeaseUntil = null, NotBefore = notBefore });
        Log.ListMoved(_logger, list.ListId, "ACTIVE", "FILLED", reason);
    }

    private async ValueTask OnStagedAsync(ICatalogTransaction txn, Envelope message, StagedReply body)
    {
        // The stager's completion made the list DONE (L6) in the reply's transaction; failures were settled there (C8, C9).
        if (await CurrentAsync(txn, "staged", body.ListId, body.Attempt) is { } list && list.State != FileListState.Done)
        {
            throw new CatalogConstraintException($"A Staged reply arrived for stage list {list.ListId:N}, which is {list.State}, not DONE.");
        }
    }
}
