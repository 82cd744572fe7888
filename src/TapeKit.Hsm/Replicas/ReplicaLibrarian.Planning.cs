namespace TapeKit.Hsm.Replicas;

public sealed partial class ReplicaLibrarian
{
    /// <summary>
    /// One pass of the re-replication planner over every replicated file, a page per transaction (docs/hsm/replicas.md#the-state-machine, docs/hsm/replicas.md B3):
    /// <list type="bullet">
    /// <item>only <see cref="ReplicaState.Alive"/> replicas on online nodes count; transfers in progress to online nodes
    /// (<see cref="ReplicaState.Creating"/>) are pending;</item>
    /// <item>a file short of its needed replicas takes back a retiring copy first (P12), repairs its invalid copies in
    /// place from a good one (P7), then gets new transfers (P1) to online nodes holding no row of it, least loaded first,
    /// from an alive copy on an online node (the least busy source) — or, with none, from tape when the file has a tape
    /// copy (the copy of last resort; the host reads it);</item>
    /// <item>transfers not yet started that the file no longer needs (a node came back), or whose source went offline,
    /// are cancelled (P5); a node where a transfer of the file ended within the last heartbeat timeout is no target for
    /// it yet (a target that just failed is not chosen again until it is offline or has stayed up);</item>
    /// <item>a file over its needed replicas retires one copy at a time (P10: never a second
    /// <see cref="ReplicaState.ThirdWheel"/>, never the last alive copy) — the copy on the node that came back most
    /// recently, so that a returning node's copies are the ones retired;</item>
    /// <item>invalid copies the file no longer needs, or cannot repair while a tape copy exists, are dropped (P13: never
    /// the last copy of any kind);</item>
    /// <item>a deleted file's copies all go (D1, D2, P5).</item>
    /// </list>
    /// Never two copies on one node: a node with a live row of the file is never a target (the store enforces it too).
    /// </summary>
    /// <param name="ct">Cancels the pass between pages.</param>
    public async ValueTask<PlanSummary> PlanAsync(CancellationToken ct = default)
    {
        var pass = new PlanPass();
        var tape = new Dictionary<long, bool>();
        long after = long.MinValue;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            PageResult page = await RunAsync(txn => PlanPageAsync(txn, pass, tape, after), ct);
            if (page.NeedTape.Count > 0)
            {
                IReadOnlySet<long> onTape = await _tape!.FilesOnTapeAsync(page.NeedTape, ct);
                foreach (long id in page.NeedTape)
                {
                    tape[id] = onTape.Contains(id);
                }

                continue;
            }

            pass.Commit(page.Counts, page.Load, page.Outgoing);
            if (page.Files < Options.PlanPageSize)
            {
                return pass.Summary();
            }

            after = page.LastFileId;
        }
    }

    private async ValueTask<PageResult> PlanPageAsync(IReplicaTransaction txn, PlanPass pass, Dictionary<long, bool> tape, long after)
    {
        IReadOnlyList<ReplicaFileRecord> files = await txn.GetFilesAsync(after, Options.PlanPageSize);
        if (files.Count == 0)
        {
            return new PageResult(0, after, [], new PlanCounts());
        }

        Dictionary<string, NodeRecord> nodes = (await txn.GetNodesAsync()).ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        await pass.LoadAsync(txn, nodes.Keys);
        ILookup<long, ReplicaRecord> rows = (await txn.GetReplicasOfFilesAsync([.. files.Select(f => f.FileId)])).ToLookup(r => r.FileId);
        bool Online(string nodeId) => nodes.GetValueOrDefault(nodeId) is { State: NodeState.Online };

        if (_tape is not null)
        {
            List<long> unknown = [.. files.Where(f => !f.IsDeleted && !tape.ContainsKey(f.FileId)
                && !rows[f.FileId].Any(r => r.State == ReplicaState.Alive && Online(r.NodeId))).Select(f => f.FileId)];
            if (unknown.Count > 0)
            {
                return new PageResult(files.Count, files[^1].FileId, unknown, new PlanCounts());
            }
        }

        // A node whose transfer of a file ended within a heartbeat timeout (failed: unreachable, short stream; or cancelled)
        // is no target for that file yet: either it is down and turns offline, or it comes back and the window passes. Read
        // only for the files that may need a new copy.
        DateTimeOffset recent = txn.Now - Options.HeartbeatTimeout;
        var avoid = new Dictionary<long, HashSet<string>>();
        foreach (ReplicaFileRecord f in files.Where(f => !f.IsDeleted
            && rows[f.FileId].Count(r => r.State is ReplicaState.Alive or ReplicaState.Creating && Online(r.NodeId)) < f.NeededReplicas))
        {
            avoid[f.FileId] = (await txn.GetReplicasOfFileAsync(f.FileId, includeDeleted: true))
                .Where(r => r.State == ReplicaState.Deleted && r.UpdatedAt > recent).Select(r => r.NodeId).ToHashSet(StringComparer.Ordinal);
        }

        var changes = new ReplicaChangeSet(txn.Now);
        var counts = new PlanCounts();
        var load = new Dictionary<string, long>(pass.Load, StringComparer.Ordinal);
        var outgoing = new Dictionary<string, int>(pass.Outgoing, StringComparer.Ordinal);
        foreach (ReplicaFileRecord file in files)
        {
            counts.Files++;
            DecideFile(file, [.. rows[file.FileId]], nodes, tape.GetValueOrDefault(file.FileId), avoid.GetValueOrDefault(file.FileId), changes, counts, load, outgoing);
        }

        await changes.FlushAsync(txn);
        return new PageResult(files.Count, files[^1].FileId, [], counts, load, outgoing);
    }

    private void DecideFile(
        ReplicaFileRecord file, List<ReplicaRecord> live, Dictionary<string, NodeRecord> nodes, bool onTape, HashSet<string>? avoid,
        ReplicaChangeSet changes, PlanCounts counts, Dictionary<string, long> load, Dictionary<string, int> outgoing)
    {
        bool Online(string nodeId) => nodes.GetValueOrDefault(nodeId) is { State: NodeState.Online };
        if (file.IsDeleted)
        {
            foreach (ReplicaRecord r in live)
            {
                string? rule = r.State switch
                {
                    ReplicaState.Alive => "D1",
                    ReplicaState.Invalid => "D2",
                    ReplicaState.Creating or ReplicaState.Stalled => "P5",
                    _ => null,
                };
                if (rule is not null)
                {
                    changes.Move(r, rule, ReplicaActor.Librarian, "the file was deleted");
                    counts.DeletedFileCopies++;
                }
            }

            return;
        }

        int need = file.NeededReplicas;
        List<ReplicaRecord> alive = [.. live.Where(r => r.State == ReplicaState.Alive && Online(r.NodeId))];
        List<ReplicaRecord> retiring = [.. live.Where(r => r.State == ReplicaState.ThirdWheel)];
        List<ReplicaRecord> pending = [.. live.Where(r => r.State == ReplicaState.Creating && Online(r.NodeId))];
        var taken = live.Select(r => r.NodeId).ToHashSet(StringComparer.Ordinal);

        // P12: a retiring copy on an online node is taken back before anything is copied.
        foreach (ReplicaRecord r in retiring.Where(r => Online(r.NodeId)).ToList())
        {
            if (alive.Count >= need)
            {
                break;
            }

            alive.Add(changes.Move(r, "P12", ReplicaActor.Librarian, "the file fell below its needed replicas"));
            retiring.Remove(r);
            counts.Restored++;
        }

        // A transfer not yet started whose source went offline cannot start: cancelled (P5) and planned again from another
        // copy now, rather than when its deadline passes.
        foreach (ReplicaRecord r in pending.Where(r => r.StartedAt is null && r.SourceKind == ReplicaSourceKind.Node && !Online(r.SourceNodeId!)).ToList())
        {
            changes.Move(r, "P5", ReplicaActor.Librarian, $"source '{r.SourceNodeId}' went offline before the transfer started");
            pending.Remove(r);
            taken.Remove(r.NodeId);
            load[r.NodeId] = load.GetValueOrDefault(r.NodeId) - 1;
            counts.Cancelled++;
        }

        // Transfers not yet started that the file no longer needs (a node came back): cancelled (P5).
        int excess = alive.Count + pending.Count - need;
        foreach (ReplicaRecord r in pending.Where(r => r.StartedAt is null).OrderByDescending(r => r.CreatedAt).Take(Math.Max(0, excess)).ToList())
        {
            changes.Move(r, "P5", ReplicaActor.Librarian, "no longer needed: cancelled before it started");
            pending.Remove(r);
            taken.Remove(r.NodeId);
            load[r.NodeId] = load.GetValueOrDefault(r.NodeId) - 1;
            counts.Cancelled++;
        }

        // P10: one surplus copy at a time, never the last alive one; the copy of the node back most recently goes first.
        if (alive.Count > need && retiring.Count == 0 && alive.Count >= 2)
        {
            ReplicaRecord victim = alive
                .OrderByDescending(r => nodes[r.NodeId].StateSince)
                .ThenByDescending(r => load.GetValueOrDefault(r.NodeId))
                .ThenByDescending(r => r.NodeId, StringComparer.Ordinal)
                .First();
            changes.Move(victim, "P10", ReplicaActor.Librarian, $"surplus: {alive.Count} alive on online nodes, {need} needed");
            alive.Remove(victim);
            counts.Retired++;
        }

        // Invalid copies: repaired in place while the file is short (P7), dropped when it is not or only tape can help (P13).
        bool AnyOtherAlive(ReplicaRecord except) =>
            alive.Any(r => r.NodeId != except.NodeId) || live.Any(r => r.NodeId != except.NodeId && r.State == ReplicaState.Alive);
        foreach (ReplicaRecord r in live.Where(r => r.State == ReplicaState.Invalid))
        {
            bool covered = alive.Count + pending.Count >= need;
            if (!covered && Online(r.NodeId) && alive.Count > 0 && PickSource(alive, outgoing) is { } source)
            {
                Guid id = Guid.CreateVersion7(changes.Now);
                pending.Add(changes.Move(r, "P7", ReplicaActor.Librarian, $"repair from '{source.NodeId}'", m => m with
                {
                    TransferId = id,
                    SourceKind = ReplicaSourceKind.Node,
                    SourceNodeId = source.NodeId,
                    Deadline = changes.Now + Options.CreatingTimeout,
                    StartedAt = null,
                    LastCheckedAt = null,
                }));
                outgoing[source.NodeId] = outgoing.GetValueOrDefault(source.NodeId) + 1;
                counts.Repairs++;
            }
            else if ((covered || (alive.Count == 0 && onTape)) && (AnyOtherAlive(r) || onTape))
            {
                changes.Move(r, "P13", ReplicaActor.Librarian, covered ? "surplus" : "unrepairable from disk; the tape copy remains");
                taken.Remove(r.NodeId);
                load[r.NodeId] = load.GetValueOrDefault(r.NodeId) - 1;
                counts.InvalidDropped++;
            }
        }

        // P1: new copies for what is still missing.
        int deficit = need - alive.Count - pending.Count;
        if (deficit <= 0)
        {
            return;
        }

        bool fromTape = alive.Count == 0;
        if (fromTape && !onTape)
        {
            if (live.Any(r => r.State is ReplicaState.Alive or ReplicaState.ThirdWheel))
            {
                counts.WaitingForNode.Add(file.FileId);
            }
            else if (live.All(r => r.State != ReplicaState.Creating && r.State != ReplicaState.Stalled))
            {
                counts.Lost.Add(file.FileId);
            }

            return;
        }

        List<NodeRecord> targets = [.. nodes.Values
            .Where(n => n.IsOnline && !taken.Contains(n.NodeId) && avoid?.Contains(n.NodeId) != true)
            .OrderBy(n => load.GetValueOrDefault(n.NodeId))
            .ThenBy(n => n.NodeId, StringComparer.Ordinal)
            .Take(deficit)];
        if (targets.Count < deficit)
        {
            counts.NoTarget++;
        }

        foreach (NodeRecord target in targets)
        {
            ReplicaRecord? source = fromTape ? null : PickSource(alive, outgoing);
            if (!fromTape && source is null)
            {
                break;
            }

            ReplicaRecord row = NewTransfer(file, target.NodeId, fromTape ? ReplicaSourceKind.Tape : ReplicaSourceKind.Node, source?.NodeId, changes.Now);
            changes.Create(row, ReplicaActor.Librarian, fromTape ? "re-create from tape: no alive disk copy on an online node" : $"re-replicate from '{source!.NodeId}'");
            load[target.NodeId] = load.GetValueOrDefault(target.NodeId) + 1;
            taken.Add(target.NodeId);
            if (source is not null)
            {
                outgoing[source.NodeId] = outgoing.GetValueOrDefault(source.NodeId) + 1;
                counts.TransfersCreated++;
            }
            else
            {
                counts.FromTape++;
            }
        }
    }

    private ReplicaRecord? PickSource(List<ReplicaRecord> alive, Dictionary<string, int> outgoing) => alive
        .Where(r => Options.MaxTransfersPerSource == 0 || outgoing.GetValueOrDefault(r.NodeId) < Options.MaxTransfersPerSource)
        .OrderBy(r => outgoing.GetValueOrDefault(r.NodeId))
        .ThenBy(r => r.NodeId, StringComparer.Ordinal)
        .FirstOrDefault();

    private sealed class PlanCounts
    {
        public int Files;
        public int TransfersCreated;
        public int FromTape;
        public int Repairs;
        public int Cancelled;
        public int Retired;
        public int Restored;
        public int InvalidDropped;
        public int DeletedFileCopies;
        public int NoTarget;
        public List<long> WaitingForNode = [];
        public List<long> Lost = [];
    }

    private sealed record PageResult(
        int Files, long LastFileId, IReadOnlyList<long> NeedTape, PlanCounts Counts,
        Dictionary<string, long>? Load = null, Dictionary<string, int>? Outgoing = null);

    /// <summary>What one planning pass carries from page to page: node loads and source use, and the totals.</summary>
    private sealed class PlanPass
    {
        private readonly PlanCounts _total = new();
        private bool _loaded;

        public Dictionary<string, long> Load { get; private set; } = new(StringComparer.Ordinal);

        public Dictionary<string, int> Outgoing { get; private set; } = new(StringComparer.Ordinal);

        public async ValueTask LoadAsync(IReplicaTransaction txn, IEnumerable<string> nodes)
        {
            if (_loaded)
            {
                return;
            }

            Load = new Dictionary<string, long>(await txn.CountReplicasByNodeAsync(), StringComparer.Ordinal);
            foreach (string n in nodes)
            {
                Outgoing[n] = (await txn.GetTransfersAsync(n, null, ReplicaSourceKind.Node, int.MaxValue)).Count;
            }

            _loaded = true;
        }

        public void Commit(PlanCounts c, Dictionary<string, long>? load, Dictionary<string, int>? outgoing)
        {
            Load = load ?? Load;
            Outgoing = outgoing ?? Outgoing;
            _total.Files += c.Files;
            _total.TransfersCreated += c.TransfersCreated;
            _total.FromTape += c.FromTape;
            _total.Repairs += c.Repairs;
            _total.Cancelled += c.Cancelled;
            _total.Retired += c.Retired;
            _total.Restored += c.Restored;
            _total.InvalidDropped += c.InvalidDropped;
            _total.DeletedFileCopies += c.DeletedFileCopies;
            _total.NoTarget += c.NoTarget;
            _total.WaitingForNode.AddRange(c.WaitingForNode);
            _total.Lost.AddRange(c.Lost);
        }

        public PlanSummary Summary() => new()
        {
            FilesExamined = _total.Files,
            TransfersCreated = _total.TransfersCreated,
            FromTape = _total.FromTape,
            Repairs = _total.Repairs,
            Cancelled = _total.Cancelled,
            Retired = _total.Retired,
            Restored = _total.Restored,
            InvalidDropped = _total.InvalidDropped,
            DeletedFileCopies = _total.DeletedFileCopies,
            NoTarget = _total.NoTarget,
            WaitingForNode = [.. _total.WaitingForNode],
            Lost = [.. _total.Lost],
        };
    }
}
