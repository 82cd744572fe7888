using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    /// <summary>
    /// When set, the dispatcher plans recalls (docs/hsm/overview.md#recalls): on each tick it turns the waiting requests into
    /// per-(VSN, disk library) queues, asks the planner which are due, and sends each a stage list as a <c>Stage</c>
    /// command on its disk library's queue — at most one live stage list per tape. Without it, a host runs the
    /// in-process <c>Stager</c> instead.
    /// </summary>
    public RecallPlanner? RecallPlanner { get; set; }

    private static readonly CommandListKind StageLists = new(
        FileListKind.Stage, HsmMessageTypes.Stage, RequestPriority.High,
        (list, attempt, ids) => new StageCommand(list.ListId, attempt, list.Vsn ?? "", ids),
        RequeueStageMemberAsync,
        RequeueStageMemberAsync);

    // C8 as the sweeper: a member the silent worker claimed (or extracted and did not publish) waits for the next attempt, or for the planner.
    private static async ValueTask RequeueStageMemberAsync(ICatalogTransaction txn, long fileId, string reason) =>
        _ = await ClaimedRecalls.RequeueAsync(txn, fileId, HsmActor.Sweeper, reason);

    private async ValueTask<DateTimeOffset?> TickStageListsAsync(bool graceOver, IReadOnlyList<FileListRecord> live, HashSet<string> fenced, CancellationToken ct)
    {
        DateTimeOffset? next = await TickCommandListsAsync(StageLists, graceOver, live, fenced, ct);
        if (RecallPlanner is { } planner)
        {
            await PlanRecallsAsync(planner, ct);
        }

        return next;
    }

    private async ValueTask PlanRecallsAsync(RecallPlanner planner, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        (List<RecallRequest> requests, Dictionary<string, RecallTapeStatus> tapes, _) = await RecallRequests.LoadAsync(txn, null, measureUsage: false, skipListed: true);
        if (requests.Count == 0)
        {
            return;
        }

        var busy = (await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Stage, States = ListQuery.LiveStates }))
            .Select(l => l.Vsn).OfType<string>().ToHashSet(StringComparer.Ordinal);
        RecallRound round = await RecallRequests.PlanRoundAsync(txn, planner, requests, tapes, 0, q => !busy.Contains(q.Vsn));
        foreach (MountDecision decision in round.Ranked)
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

            await SendCommandListAsync(txn, list, StageLists);
        }

        await txn.CommitAsync(ct);
    }

    private ValueTask OnStagedAsync(ICatalogTransaction txn, Envelope message, StagedReply body) =>
        VerifyDoneAsync(txn, "staged", body.ListId, body.Attempt); // Failures were settled in the stager's transaction (C8, C9).
}
