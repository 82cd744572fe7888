namespace TapeKit.Hsm.Replicas;

public sealed partial class ReplicaLibrarian
{
    /// <summary>
    /// Counts files by replication (complete, short, surplus, without an alive copy) and live replicas by effective state,
    /// a page of <see cref="ReplicaOptions.PlanPageSize"/> files per read transaction; writes nothing. With
    /// <paramref name="transitionsSince"/> it also tallies the audit rows made since then by rule (one more read per file:
    /// meant for a report at the end of a run, not for polling).
    /// </summary>
    /// <param name="transitionsSince">Tally the transitions made at or after this instant; none when <see langword="null"/>.</param>
    /// <param name="ct">Cancels the call between pages.</param>
    public async ValueTask<ReplicaCensus> GetCensusAsync(DateTimeOffset? transitionsSince = null, CancellationToken ct = default)
    {
        var total = new CensusTally();
        long after = long.MinValue;
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            (int count, long last, CensusTally tally) = await RunAsync(async txn =>
            {
                // A fresh tally per attempt: a transaction run again after a transient error does not count twice.
                var t = new CensusTally();
                IReadOnlyList<ReplicaFileRecord> page = await txn.GetFilesAsync(after, Options.PlanPageSize);
                if (page.Count == 0)
                {
                    return (0, after, t);
                }

                Dictionary<string, NodeRecord> nodes = (await txn.GetNodesAsync()).ToDictionary(n => n.NodeId, StringComparer.Ordinal);
                ILookup<long, ReplicaRecord> rows = (await txn.GetReplicasOfFilesAsync([.. page.Select(f => f.FileId)])).ToLookup(r => r.FileId);
                foreach (ReplicaFileRecord f in page)
                {
                    var live = rows[f.FileId].Where(r => r.IsLive).ToList();
                    if (f.IsDeleted)
                    {
                        t.Deleted++;
                    }
                    else
                    {
                        t.Files++;
                        int alive = live.Count(r => r.EffectiveState(nodes.GetValueOrDefault(r.NodeId)) == ReplicaState.Alive);
                        bool retiring = live.Any(r => r.State == ReplicaState.ThirdWheel);
                        if (alive > f.NeededReplicas || (retiring && alive >= f.NeededReplicas))
                        {
                            t.Surplus++;
                        }
                        else if (alive == f.NeededReplicas)
                        {
                            t.Complete++;
                        }
                        else
                        {
                            t.Short++;
                        }

                        if (!live.Any(r => r.State == ReplicaState.Alive))
                        {
                            t.Without++;
                        }
                    }

                    foreach (ReplicaRecord r in live)
                    {
                        ReplicaState s = r.EffectiveState(nodes.GetValueOrDefault(r.NodeId));
                        t.Replicas[s] = t.Replicas.GetValueOrDefault(s) + 1;
                    }

                    if (transitionsSince is { } since)
                    {
                        foreach (ReplicaTransitionRecord a in await txn.GetTransitionsAsync(f.FileId))
                        {
                            if (a.At >= since)
                            {
                                t.Rules[a.Rule] = t.Rules.GetValueOrDefault(a.Rule) + 1;
                            }
                        }
                    }
                }

                return (page.Count, page[^1].FileId, t);
            }, ct);
            total.Add(tally);
            if (count < Options.PlanPageSize)
            {
                return new ReplicaCensus
                {
                    Files = total.Files,
                    Complete = total.Complete,
                    Underreplicated = total.Short,
                    Surplus = total.Surplus,
                    WithoutAliveCopy = total.Without,
                    DeletedFiles = total.Deleted,
                    Replicas = total.Replicas,
                    TransitionsSince = total.Rules,
                };
            }

            after = last;
        }
    }

    private sealed class CensusTally
    {
        public int Files;
        public int Complete;
        public int Short;
        public int Surplus;
        public int Without;
        public int Deleted;
        public Dictionary<ReplicaState, int> Replicas = [];
        public Dictionary<string, int> Rules = new(StringComparer.Ordinal);

        public void Add(CensusTally o)
        {
            Files += o.Files;
            Complete += o.Complete;
            Short += o.Short;
            Surplus += o.Surplus;
            Without += o.Without;
            Deleted += o.Deleted;
            foreach ((ReplicaState s, int n) in o.Replicas)
            {
                Replicas[s] = Replicas.GetValueOrDefault(s) + n;
            }

            foreach ((string r, int n) in o.Rules)
            {
                Rules[r] = Rules.GetValueOrDefault(r) + n;
            }
        }
    }
}
