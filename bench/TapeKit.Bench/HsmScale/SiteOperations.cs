using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// The operations that read (or sweep) the whole catalogue, each through its public entry point: the dispatcher's
/// round, the recall planner's round, the purger's survey and the invariant checker.
/// </summary>
internal sealed class SiteOperations(BenchSite site, int iterations)
{
    /// <summary>One <see cref="DispatcherService.PumpOnceAsync"/> with nothing queued: relay, receive, the timer round, relay.</summary>
    public Task<double> DispatcherRoundMsAsync() =>
        Timing.MedianMsAsync(iterations, async () => await site.Service.PumpOnceAsync());

    /// <summary>
    /// One timer round of a dispatcher with a recall planner (<see cref="Dispatcher.RecallPlanner"/>): it loads every waiting
    /// request with its copies, builds the per-tape queues and decides each. The planner's thresholds are set so that no
    /// queue is due — the round is then repeatable and sends nothing; creating the stage lists is not part of the figure.
    /// </summary>
    public async Task<double> RecallPlanningMsAsync()
    {
        var hold = new RecallOptions
        {
            MinQueuedBytes = long.MaxValue,
            MinQueuedFiles = int.MaxValue,
            MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.MaxValue),
            FillWait = TimeSpan.MaxValue,
            FillWaitMax = TimeSpan.MaxValue,
        };
        var planning = new Dispatcher(site.Catalog, new DispatcherOptions { DispatcherId = "bench-planner" }, new Random(1))
        {
            RecallPlanner = new RecallPlanner(hold),
        };
        return await Timing.MedianMsAsync(iterations, async () => await planning.TickAsync());
    }

    /// <summary>The purger's survey of the aged disk library (<see cref="Purger.PlanAsync"/>: every row, every copy, the plan).</summary>
    public Task<double> PurgeSurveyMsAsync()
    {
        var purger = new Purger(site.Catalog, new PurgePolicy(new PurgeOptions()),
            new PurgerOptions { DiskLibrary = BenchPolicies.AgedLibrary, CacheRoot = site.CacheRoot, CapacityBytes = long.MaxValue / 2 });
        return Timing.MedianMsAsync(iterations, async () => await purger.PlanAsync());
    }

    /// <summary>The invariant check <c>tapekit hsm check</c> runs by default (the live scope); returns its violations too (a loaded catalogue has none).</summary>
    public async Task<(double Ms, IReadOnlyList<string> Violations)> CheckAsync()
    {
        IReadOnlyList<string> violations = [];
        double ms = await Timing.MedianMsAsync(iterations, async () =>
            violations = await HsmInvariants.CheckAsync(site.Catalog, TimeSpan.FromMinutes(10), InvariantScope.Live));
        return (ms, violations);
    }

    /// <summary>
    /// Adds <paramref name="count"/> live archive lists — closed, held back until tomorrow (as after a busy reply), each
    /// of its own policy key — so that the dispatcher's timer round has that many live lists to look at.
    /// </summary>
    public async Task AddLiveListsAsync(int count)
    {
        await using ICatalogTransaction txn = await site.Catalog.BeginAsync();
        PolicyDecision d = site.Selector.Decide(BenchPolicies.Attributes(BenchPolicies.FreshGroup, 1));
        for (int i = 0; i < count; i++)
        {
            var list = new FileListRecord
            {
                ListId = Guid.NewGuid(),
                Kind = FileListKind.Archive,
                PolicyKey = $"{d.PolicyKey}/live-{i}",
                RuleName = d.RuleName,
                DiskLibrary = d.DiskLibrary,
                Limits = d.Limits,
                PolicyVersion = d.PolicyVersion,
                Strategy = d.Strategy,
                Format = d.Format,
                TapePool = d.TapePool,
                CopyCount = d.CopyCount,
                Priority = d.Priority,
                State = FileListState.Filling,
                CreatedAt = txn.Now,
            };
            await txn.CreateListAsync(list);
            _ = await txn.TryMoveListAsync(list.ListId, FileListState.Filling, FileListEvent.Closed, HsmActor.Dispatcher, reason: "bench",
                mutate: l => l with { ClosedAt = txn.Now, CloseReason = CloseReason.Flush, NotBefore = txn.Now.AddDays(1) });
        }

        await txn.CommitAsync();
    }
}
