using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;

namespace TapeGateway;

/// <summary>A recall request: a file asked for at a (simulated) time.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="FileId">The file.</param>
/// <param name="ArrivedAt">When it was asked for.</param>
public sealed record GatewayRecall(Guid RequestId, long FileId, DateTimeOffset ArrivedAt);

/// <summary>A request served: when, and whether every byte was right.</summary>
/// <param name="Request">The request.</param>
/// <param name="Outcome">What the read gave.</param>
public sealed record ServedRecall(GatewayRecall Request, RecallOutcome Outcome)
{
    /// <summary>Simulated time from the request to its last byte.</summary>
    public TimeSpan Latency => Outcome.DoneAt - Request.ArrivedAt;
}

/// <summary>
/// The gateway's recall side. FIFO: each request in arrival order mounts its tape on demand (a cartridge still loaded is
/// reused) and reads its file — CASTOR before recall policies. Planned: requests wait in per-tape queues that TapeKit's
/// recall planner mounts when due (age, volume, the remount guard), each session reading a batch in block order with
/// locate or whole-aggregation read-ahead per the recall policy.
/// </summary>
/// <param name="world">The tape world.</param>
/// <param name="seed">The seed of the virtual payloads.</param>
public sealed class RecallService(TapeWorld world, int seed)
{
    private readonly RecallReader _reader = new(world, seed);

    /// <summary>Copies found damaged by this service's reads (each marked once; recalls then use another copy).</summary>
    public int CopiesDamaged { get; private set; }

    /// <summary>Of <see cref="CopiesDamaged"/>, those read without a drive error but with a wrong checksum or byte.</summary>
    public int ChecksumFailures { get; private set; }

    /// <summary>Serves the requests (sorted by arrival) the given way, letting simulated time pass between them.</summary>
    /// <param name="requests">The requests.</param>
    /// <param name="strategy">FIFO or the planner.</param>
    /// <param name="ct">Cancels the run.</param>
    public async Task<IReadOnlyList<ServedRecall>> ServeAsync(IReadOnlyList<GatewayRecall> requests, RecallStrategy strategy, CancellationToken ct = default)
    {
        IReadOnlyList<ServedRecall> served = strategy == RecallStrategy.Fifo ? await FifoAsync(requests, ct) : await PlannedAsync(requests, ct);
        world.Save(); // The copies found damaged stay recorded.
        return served;
    }

    private async Task<IReadOnlyList<ServedRecall>> FifoAsync(IReadOnlyList<GatewayRecall> requests, CancellationToken ct)
    {
        var served = new List<ServedRecall>();
        foreach (GatewayRecall r in requests.OrderBy(r => r.ArrivedAt))
        {
            await world.IdleUntilAsync(r.ArrivedAt, ct);
            RecallOutcome outcome = new(r.FileId, false, world.Clock.GetUtcNow(), "no readable tape copy");
            // One request, one session: the file's own read, located by its block id; a bad copy sends it to the next.
            while (RecallPlanner.ChooseCopy(ToPlannerRequest(r), new Dictionary<string, RecallTapeStatus>()) is { } copy)
            {
                var plan = new StagePlan(copy.Vsn, "gateway",
                    [new StageItem(copy.Member.AggregationId, ReadMode.Positioned, copy.Member.BlockId, [new StageMember(r.FileId, copy.Member, [r.RequestId])])], ["FIFO"]);
                outcome = (await _reader.ReadAsync(plan, RequestPriority.Normal, ct)).Single();
                if (!outcome.Damaged)
                {
                    break;
                }

                MarkDamaged(r.FileId, copy.CopyNb, outcome);
            }

            served.Add(new ServedRecall(r, outcome));
        }

        return served;
    }

    private async Task<IReadOnlyList<ServedRecall>> PlannedAsync(IReadOnlyList<GatewayRecall> requests, CancellationToken ct)
    {
        var planner = new RecallPlanner(world.Options.Recall);
        GatewayRecall[] arrivals = [.. requests.OrderBy(r => r.ArrivedAt)];
        var byId = arrivals.ToDictionary(r => r.RequestId);
        var pending = new Dictionary<Guid, RecallRequest>();
        var served = new List<ServedRecall>();
        int next = 0;
        while (served.Count < arrivals.Length)
        {
            DateTimeOffset now = world.Clock.GetUtcNow();
            for (; next < arrivals.Length && arrivals[next].ArrivedAt <= now; next++)
            {
                pending[arrivals[next].RequestId] = ToPlannerRequest(arrivals[next]);
            }

            Dictionary<string, RecallTapeStatus> tapes = await TapeStatusAsync(ct);
            (IReadOnlyList<RecallQueue> queues, IReadOnlyList<RecallRequest> unreadable) = RecallPlanner.BuildQueues(pending.Values, tapes);
            foreach (RecallRequest u in unreadable)
            {
                _ = pending.Remove(u.RequestId);
                served.Add(new ServedRecall(byId[u.RequestId], new RecallOutcome(u.FileId, false, now, "no readable tape copy")));
            }

            IReadOnlyList<MountDecision> ranked = RecallPlanner.Rank(
                queues.Select(q => planner.Decide(q, tapes.GetValueOrDefault(q.Vsn), now, stageAreaUsedFraction: 0, driveAvailable: true)), tapes);
            if (ranked.Count > 0)
            {
                StagePlan plan = planner.PlanBatch(ranked[0].Queue);
                IReadOnlyList<RecallOutcome> outcomes = await _reader.ReadAsync(plan, ranked[0].Queue.TopPriority, ct);
                var byFile = outcomes.ToDictionary(o => o.FileId);
                foreach ((StageItem item, StageMember m) in plan.Items.SelectMany(i => i.Members.Select(m => (i, m))))
                {
                    RecallOutcome outcome = byFile[m.FileId];
                    if (outcome.Damaged)
                    {
                        // This copy is bad: recorded, and the requests wait for another copy (or fail when none is left).
                        MarkDamaged(m.FileId, world.Names.SegmentsOf(m.FileId).First(s => s.TapeFileId == item.AggregationId).CopyNb, outcome);
                        foreach (Guid id in m.RequestIds)
                        {
                            pending[id] = ToPlannerRequest(byId[id]);
                        }

                        continue;
                    }

                    foreach (Guid id in m.RequestIds)
                    {
                        _ = pending.Remove(id);
                        served.Add(new ServedRecall(byId[id], outcome));
                    }
                }

                continue;
            }

            // Nothing due: wait for the next arrival, or a minute for the queues to age.
            DateTimeOffset wake = now + TimeSpan.FromMinutes(1);
            if (pending.Count == 0 && next < arrivals.Length)
            {
                wake = arrivals[next].ArrivedAt;
            }

            await world.IdleUntilAsync(wake, ct);
        }

        return served;
    }

    /// <summary>Records a bad copy: recalls skip it from now on, and the migrator's next run repairs it.</summary>
    private void MarkDamaged(long fileId, int copyNb, RecallOutcome outcome)
    {
        world.Names.MarkDamaged(fileId, copyNb);
        CopiesDamaged++;
        ChecksumFailures += outcome.ChecksumMismatch ? 1 : 0;
    }

    /// <summary>What the planner needs of each tape: its state, whether it is loaded in a drive, its last unmount.</summary>
    private async Task<Dictionary<string, RecallTapeStatus>> TapeStatusAsync(CancellationToken ct)
    {
        var loaded = world.Library.Inventory().Drives.Where(d => d.Vsn is not null).Select(d => d.Vsn!).ToHashSet(StringComparer.Ordinal);
        Dictionary<string, TapeRecord> rows = await world.TapeRowsAsync(ct);
        return rows.Values.ToDictionary(t => t.Vsn, t => new RecallTapeStatus(t.Vsn, t.State, MountedForRead: loaded.Contains(t.Vsn), LastUnmountedAt: t.LastUnmountedAt), StringComparer.Ordinal);
    }

    /// <summary>The request as the planner sees it: the file's tape copies with their locators.</summary>
    private RecallRequest ToPlannerRequest(GatewayRecall r)
    {
        NsFile file = world.Names.Files[r.FileId];
        RecallCopy[] copies = [.. world.Names.SegmentsOf(r.FileId).Select(s =>
        {
            NsTapeFile tf = world.Names.TapeFiles[s.TapeFileId];
            var member = new TapeKit.Hsm.Model.MemberLocator(new TapeFileLocator(tf.Vsn, (int)tf.Fseq, tf.FirstDataBlockId), tf.Id, s.MemberIndex, s.BlockIndex, s.OffsetInBlock, s.PayloadOffset);
            return new RecallCopy(s.CopyNb, member, tf.DataBytes, tf.Members, s.Damaged);
        })];
        return new RecallRequest(r.RequestId, r.FileId, file.Size, "gateway", RequestPriority.Normal, r.ArrivedAt, copies);
    }
}
