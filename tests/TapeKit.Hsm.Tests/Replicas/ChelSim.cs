using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>Where a transfer is when a node fails (§7.3 case C; the upload points of case B).</summary>
public enum TransferPoint
{
    /// <summary>(i) before the transfer: the source has the job, no byte has moved.</summary>
    Before = 1,

    /// <summary>(ii) during: bytes flow, the target holds a partial file.</summary>
    During = 2,

    /// <summary>(iii) after the last byte, before the target's registration: the target holds the whole, verified file.</summary>
    After = 3,

    /// <summary>(iv) never.</summary>
    Never = 4,
}

/// <summary>The outcome codes of §7.3.</summary>
public enum Outcome
{
    /// <summary>The target's replica is alive; the source cleared its entry.</summary>
    Ok,

    /// <summary>The transfer's row was deleted and the Librarian re-planned with a new transfer id.</summary>
    Retry,

    /// <summary>The target registered the whole file late (stalled → alive), surplus retired.</summary>
    Late,

    /// <summary>Nothing decided yet: no replica alive, the client sees "pending" (case A, master never back).</summary>
    Pending,
}

/// <summary>
/// A small in-process Chelonia: Shepherds (a disk of copies, a durable list of transfers in progress, a durable log of
/// unreported changes), a client, a tape host, over a real <see cref="ReplicaLibrarian"/> and replica store, on a virtual
/// clock advanced in steps. Each step: nodes that are up heartbeat, the Librarian checks and plans, then every node
/// works (registers whole copies, discards broken partial ones, moves its transfers on one phase, deletes retired copies,
/// sends its reports), and the invariants of §7.3 are checked. Failures are injected at the transfer points through
/// <see cref="OnPoint"/>.
/// </summary>
internal sealed class ChelSim
{
    public static readonly ReplicaOptions DefaultOptions = new()
    {
        DefaultNeededReplicas = 3,
        HeartbeatTimeout = TimeSpan.FromSeconds(30),
        CreatingTimeout = TimeSpan.FromSeconds(120),
        StalledGrace = TimeSpan.FromSeconds(400),
        RegistrationTimeout = TimeSpan.FromSeconds(40),
        CheckInterval = TimeSpan.FromSeconds(5),
        OutageThreshold = TimeSpan.FromSeconds(20),
        IdleReportInterval = TimeSpan.FromSeconds(5),
        MaxAttempts = 1,
    };

    private readonly Dictionary<long, (long Size, Checksum Sum)> _files = [];
    private readonly HashSet<long> _everAlive = [];
    private readonly Dictionary<string, DateTimeOffset> _returns = new(StringComparer.Ordinal);

    public ChelSim(IReplicaCatalog store, FakeTimeProvider time, ReplicaOptions? options = null, ITapeCopyIndex? tape = null)
    {
        Time = time;
        Master = new OutageReplicaCatalog(store);
        Librarian = new ReplicaLibrarian(Master, options ?? DefaultOptions, tape);
    }

    public FakeTimeProvider Time { get; }

    /// <summary>The store as the Librarian sees it: the master can go down.</summary>
    public OutageReplicaCatalog Master { get; }

    public ReplicaLibrarian Librarian { get; }

    public ReplicaOptions Options => Librarian.Options;

    public SortedDictionary<string, Shepherd> Nodes { get; } = new(StringComparer.Ordinal);

    public TimeSpan Step { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Called at every transfer point of every transfer (the scenario's failure injection).</summary>
    public Func<Job, TransferPoint, Task>? OnPoint { get; set; }

    /// <summary>Called when a transfer leaves its source's list (finished, failed or cancelled).</summary>
    public Func<Job, Task>? OnJobEnded { get; set; }

    /// <summary>Other actors (clients) that act once per step, after the Librarian and before the nodes.</summary>
    public List<Func<Task>> Actors { get; } = [];

    /// <summary>Files whose copies the tape host can serve.</summary>
    public HashSet<long> OnTape { get; } = [];

    /// <summary>Librarian calls refused because the master was down.</summary>
    public int RefusedCalls { get; private set; }

    public List<string> Violations { get; } = [];

    public List<string> Log { get; } = [];

    public int Steps { get; private set; }

    public DateTimeOffset Now => Time.GetUtcNow();

    public Checksum SumOf(long fileId) => _files[fileId].Sum;

    public long SizeOf(long fileId) => _files[fileId].Size;

    public async Task AddNodesAsync(params string[] ids)
    {
        foreach (string id in ids)
        {
            Nodes[id] = new Shepherd(this, id);
            _ = await Librarian.RegisterNodeAsync(id);
        }
    }

    /// <summary>A file whose copies are alive on the given nodes (written and registered before the scenario starts).</summary>
    public async Task SeedFileAsync(long fileId, int needed, params string[] onNodes)
    {
        var sum = new Checksum("adler32", $"{fileId:x8}");
        _files[fileId] = (1000 + fileId, sum);
        _everAlive.Add(fileId);
        await Master.RunAsync(async txn =>
        {
            await txn.InsertFileAsync(new ReplicaFileRecord { FileId = fileId, NeededReplicas = needed, Size = 1000 + fileId, Checksum = sum, CreatedAt = txn.Now });
            foreach (string n in onNodes)
            {
                Guid id = Guid.NewGuid();
                await txn.InsertReplicaAsync(new ReplicaRecord
                {
                    FileId = fileId, NodeId = n, ReferenceId = id.ToString("N"), State = ReplicaState.Alive, TransferId = id, Size = 1000 + fileId,
                    Checksum = sum, CreatedAt = txn.Now, UpdatedAt = txn.Now,
                });
                Nodes[n].Disk[fileId] = new Copy(id, 1000 + fileId, sum, Complete: true, Registered: true);
            }

            return true;
        });
    }

    /// <summary>Declares a file an upload will bring (size and checksum known to the client).</summary>
    public void DeclareFile(long fileId) => _files[fileId] = (1000 + fileId, new Checksum("adler32", $"{fileId:x8}"));

    public void Down(string node)
    {
        if (Nodes[node].Up)
        {
            Nodes[node].Up = false;
            Log.Add($"{Now:HH:mm:ss} {node} down");
        }
    }

    /// <summary>Brings a node back after <paramref name="after"/> (restart: start-up scan, transfers in progress reported).</summary>
    public void ReturnAfter(string node, TimeSpan after) => _returns[node] = Now + after;

    public bool ReturnsPending => _returns.Count > 0;

    /// <summary>One step of the world.</summary>
    public async Task StepAsync()
    {
        Steps++;
        Time.Advance(Step);
        foreach ((string node, DateTimeOffset at) in _returns.Where(r => r.Value <= Now).ToList())
        {
            _returns.Remove(node);
            Nodes[node].Up = true;
            Nodes[node].Restarted = true;
            Log.Add($"{Now:HH:mm:ss} {node} back");
        }

        foreach (Shepherd s in Nodes.Values.Where(s => s.Up))
        {
            await s.HeartbeatAsync();
        }

        await CallAsync(async () => await Librarian.CheckAsync());
        await CallAsync(async () => await Librarian.PlanAsync());
        foreach (Func<Task> actor in Actors)
        {
            await actor();
        }

        foreach (Shepherd s in Nodes.Values.Where(s => s.Up))
        {
            await s.WorkAsync();
        }

        await ServeTapeAsync();
        await CheckInvariantsAsync();
    }

    /// <summary>Steps until <paramref name="done"/> holds after a step (and, unless <paramref name="evenWithReturnsPending"/>, no node is still to return), or the limit.</summary>
    public async Task RunUntilAsync(Func<Task<bool>> done, int maxSteps = 600, bool evenWithReturnsPending = false)
    {
        for (int i = 0; i < maxSteps; i++)
        {
            await StepAsync();
            if ((evenWithReturnsPending || !ReturnsPending) && await done())
            {
                return;
            }
        }

        (IReadOnlyList<ReplicaFileRecord> _, IReadOnlyList<ReplicaRecord> rows, Dictionary<string, NodeRecord> nodes) = await ReadAllAsync();
        throw new Xunit.Sdk.XunitException($"Not done after {maxSteps} steps.\nRows: {string.Join("; ", rows.Select(r => $"{r.FileId}@{r.NodeId} {r.State}"))}\n" +
            $"Nodes: {string.Join("; ", nodes.Values.Select(n => $"{n.NodeId} {n.State}"))}\n" +
            $"Disks: {string.Join("; ", Nodes.Values.Select(n => $"{n.Id} up={n.Up} jobs={n.Jobs.Count} log={n.Log.Count} copies={string.Join(",", n.Disk.Select(d => $"{d.Key}:{(d.Value.Complete ? "whole" : "partial")}{(d.Value.Registered ? "+reg" : "")}"))}"))}\n" +
            string.Join('\n', Log.TakeLast(40)));
    }

    /// <summary>Steps until the Librarian sees <paramref name="node"/> offline.</summary>
    public Task RunUntilOfflineAsync(string node) => RunUntilAsync(async () => (await ReadAllAsync()).Nodes[node].State == NodeState.Offline, 100, true);

    /// <summary>Every file has its needed replicas alive on online nodes, nothing is in flight or retiring, and nodes hold no stray data.</summary>
    public async Task<bool> QuiescentAsync()
    {
        if (Master.Down)
        {
            return false;
        }

        (IReadOnlyList<ReplicaFileRecord> files, IReadOnlyList<ReplicaRecord> rows, Dictionary<string, NodeRecord> nodes) = await ReadAllAsync();
        foreach (ReplicaFileRecord f in files.Where(f => !f.IsDeleted))
        {
            int alive = rows.Count(r => r.FileId == f.FileId && r.State == ReplicaState.Alive && nodes[r.NodeId].IsOnline);
            if (alive != f.NeededReplicas)
            {
                return false;
            }
        }

        return rows.All(r => r.State is ReplicaState.Alive or ReplicaState.Invalid)
            && Nodes.Values.Where(n => n.Up).All(n => n.Jobs.Count == 0 && n.Disk.Values.All(c => c.Complete && c.Registered) && n.Log.Count == 0);
    }

    public async Task<(IReadOnlyList<ReplicaFileRecord> Files, IReadOnlyList<ReplicaRecord> Rows, Dictionary<string, NodeRecord> Nodes)> ReadAllAsync()
    {
        await using IReplicaTransaction txn = await Master.BeginAsync();
        IReadOnlyList<ReplicaFileRecord> files = await txn.GetFilesAsync(long.MinValue, int.MaxValue);
        IReadOnlyList<ReplicaRecord> rows = await txn.GetReplicasOfFilesAsync([.. files.Select(f => f.FileId)]);
        Dictionary<string, NodeRecord> nodes = (await txn.GetNodesAsync()).ToDictionary(n => n.NodeId, StringComparer.Ordinal);
        return (files, rows, nodes);
    }

    public async Task<IReadOnlyList<ReplicaTransitionRecord>> AuditAsync(long fileId)
    {
        await using IReplicaTransaction txn = await Master.BeginAsync();
        return await txn.GetTransitionsAsync(fileId);
    }

    /// <summary>The outcome code of one transfer, from its row and audit trail.</summary>
    public async Task<Outcome> OutcomeOfAsync(long fileId, Guid transferId)
    {
        IReadOnlyList<ReplicaTransitionRecord> trail = [.. (await AuditAsync(fileId)).Where(t => t.TransferId == transferId)];
        ReplicaTransitionRecord last = trail[^1];
        return last.To switch
        {
            ReplicaState.Alive or ReplicaState.ThirdWheel or ReplicaState.Deleted when trail.Any(t => t.Rule == "P4") => Outcome.Late,
            ReplicaState.Alive or ReplicaState.ThirdWheel or ReplicaState.Deleted when trail.Any(t => t.Rule == "P2") => Outcome.Ok,
            ReplicaState.Deleted => Outcome.Retry,
            _ => Outcome.Pending,
        };
    }

    /// <summary>Runs a Librarian call; a refusal by a master that is down is counted and leaves the caller to retry later.</summary>
    public async Task<bool> CallAsync(Func<Task> call)
    {
        try
        {
            await call();
            return true;
        }
        catch (CatalogStoreException e) when (e.IsTransient)
        {
            RefusedCalls++;
            return false;
        }
    }

    private async Task ServeTapeAsync()
    {
        IReadOnlyList<ReplicaRecord> jobs = [];
        if (!await CallAsync(async () => jobs = await Librarian.GetTapeTransfersAsync()))
        {
            return;
        }

        foreach (ReplicaRecord t in jobs.Where(t => OnTape.Contains(t.FileId) && Nodes[t.NodeId].Up))
        {
            ReplicaCallResult start = default;
            if (await CallAsync(async () => start = await Librarian.StartTransferAsync(t.TransferId)) && start.Outcome == ReplicaCallOutcome.Applied)
            {
                Nodes[t.NodeId].Disk[t.FileId] = new Copy(t.TransferId, _files[t.FileId].Size, _files[t.FileId].Sum, Complete: true, Registered: false);
                Log.Add($"{Now:HH:mm:ss} tape → {t.NodeId} file {t.FileId}");
            }
        }
    }

    private async Task CheckInvariantsAsync()
    {
        if (Master.Down)
        {
            return;
        }

        (IReadOnlyList<ReplicaFileRecord> files, IReadOnlyList<ReplicaRecord> rows, _) = await ReadAllAsync();
        foreach (ReplicaRecord r in rows.Where(r => r.State is ReplicaState.Alive))
        {
            // No replica alive without a verified checksum; partial data never registered.
            Copy? c = Nodes.GetValueOrDefault(r.NodeId)?.Disk.GetValueOrDefault(r.FileId);
            if (c is null || !c.Complete || c.TransferId != r.TransferId || c.Computed != _files[r.FileId].Sum || r.Checksum != _files[r.FileId].Sum)
            {
                Violations.Add($"{Now:HH:mm:ss} file {r.FileId} ALIVE on {r.NodeId} without a whole, verified copy of transfer {r.TransferId}");
            }
        }

        foreach (ReplicaFileRecord f in files)
        {
            List<ReplicaRecord> mine = [.. rows.Where(r => r.FileId == f.FileId)];
            if (mine.GroupBy(r => r.NodeId).Any(g => g.Count() > 1))
            {
                Violations.Add($"{Now:HH:mm:ss} file {f.FileId}: two live replicas on one node");
            }

            if (!f.IsDeleted && mine.Count(r => r.State == ReplicaState.ThirdWheel) > 1)
            {
                Violations.Add($"{Now:HH:mm:ss} file {f.FileId}: more than one THIRDWHEEL");
            }

            bool alive = mine.Any(r => r.State == ReplicaState.Alive);
            if (alive)
            {
                _everAlive.Add(f.FileId);
            }
            else if (_everAlive.Contains(f.FileId) && !f.IsDeleted)
            {
                Violations.Add($"{Now:HH:mm:ss} file {f.FileId}: no ALIVE copy left (lost)");
            }
        }
    }

    /// <summary>A copy on a node's disk.</summary>
    internal sealed record Copy(Guid TransferId, long Bytes, Checksum? Computed, bool Complete, bool Registered, bool Broken = false);

    /// <summary>A transfer in a source's durable list.</summary>
    internal sealed class Job(ReplicaRecord row)
    {
        public Guid TransferId { get; } = row.TransferId;

        public long FileId { get; } = row.FileId;

        public string Source { get; } = row.SourceNodeId!;

        public string Target { get; } = row.NodeId;

        public int Phase { get; set; } // 0 queued, 1 sending, 2 sent

        public DateTimeOffset SentAt { get; set; }
    }

    /// <summary>A storage node.</summary>
    internal sealed class Shepherd(ChelSim world, string id)
    {
        public string Id { get; } = id;

        public bool Up { get; set; } = true;

        public bool Restarted { get; set; }

        /// <summary>The disk: at most one copy per file (durable).</summary>
        public Dictionary<long, Copy> Disk { get; } = [];

        /// <summary>Transfers this node sends (durable, [CHELONIA] C.1).</summary>
        public Dictionary<Guid, Job> Jobs { get; } = [];

        /// <summary>Changes not yet acknowledged (durable).</summary>
        public List<ReplicaReportEntry> Log { get; } = [];

        public long AckedSeq { get; set; }

        public DateTimeOffset NextReportAfter { get; set; }

        public int ReportsSent { get; set; }

        /// <summary>How many transfers this node sends at once.</summary>
        public int MaxSending { get; set; } = 1;

        public async Task HeartbeatAsync()
        {
            HeartbeatAck ack = default!;
            if (await world.CallAsync(async () => ack = await world.Librarian.HeartbeatAsync(Id)) && ack.Known)
            {
                AckedSeq = Math.Max(AckedSeq, ack.AcknowledgedSequence);
            }
        }

        public async Task WorkAsync()
        {
            if (Restarted && await StartUpAsync())
            {
                Restarted = false;
            }

            if (Restarted)
            {
                return;
            }

            await RegisterWholeCopiesAsync();
            await DiscardBrokenCopiesAsync();
            await SendAsync();
            await RetireAsync();
            await ReportAsync();
        }

        /// <summary>Start-up scan: partial files are deleted (and their transfers reported failed); transfers in progress are reported.</summary>
        private async Task<bool> StartUpAsync()
        {
            foreach ((long file, Copy c) in Disk.Where(d => !d.Value.Complete).ToList())
            {
                if (!await world.CallAsync(async () => await world.Librarian.ReportTransferFailedAsync(c.TransferId, $"{Id}: partial file found at start-up")))
                {
                    return false;
                }

                Disk.Remove(file);
                world.Log.Add($"{world.Now:HH:mm:ss} {Id} discards partial file {file} at start-up");
            }

            foreach (Job j in Jobs.Values.Where(j => j.Phase == 1).ToList())
            {
                // The connection broke with the restart: the transfer failed (the target cannot have the whole file).
                if (!await world.CallAsync(async () => await world.Librarian.ReportTransferFailedAsync(j.TransferId, $"{Id} restarted while sending")))
                {
                    return false;
                }

                await EndAsync(j);
            }

            return true;
        }

        private async Task RegisterWholeCopiesAsync()
        {
            foreach ((long file, Copy c) in Disk.Where(d => d.Value.Complete && !d.Value.Registered).ToList())
            {
                ReplicaCallResult r = default;
                if (!await world.CallAsync(async () => r = await world.Librarian.RegisterAsync(Id, c.TransferId, c.Bytes, c.Computed!.Value)))
                {
                    continue; // the master is away: retry next step
                }

                if (r.DiscardData)
                {
                    Disk.Remove(file);
                    world.Log.Add($"{world.Now:HH:mm:ss} {Id} discards file {file}: {r.Outcome}");
                }
                else if (r.State is ReplicaState.Alive or ReplicaState.ThirdWheel)
                {
                    Disk[file] = c with { Registered = true };
                    world.Log.Add($"{world.Now:HH:mm:ss} {Id} registered file {file}: {r.Outcome}");
                    if (world.OnRegistered is { } hook)
                    {
                        await hook(this, file);
                    }
                }
            }
        }

        private async Task DiscardBrokenCopiesAsync()
        {
            foreach ((long file, Copy c) in Disk.Where(d => d.Value.Broken).ToList())
            {
                if (await world.CallAsync(async () => await world.Librarian.ReportTransferFailedAsync(c.TransferId, $"{Id}: short stream")))
                {
                    Disk.Remove(file);
                    world.Log.Add($"{world.Now:HH:mm:ss} {Id} discards the short stream of file {file}");
                }
            }
        }

        private async Task SendAsync()
        {
            IReadOnlyList<ReplicaRecord> rows = [];
            if (await world.CallAsync(async () => rows = await world.Librarian.GetOutgoingTransfersAsync(Id)))
            {
                foreach (ReplicaRecord r in rows.Where(r => !Jobs.ContainsKey(r.TransferId)))
                {
                    Jobs[r.TransferId] = new Job(r);
                }
            }

            foreach (Job j in Jobs.Values.OrderBy(j => j.Phase == 0).ToList())
            {
                if (!Up)
                {
                    return;
                }

                await ProgressAsync(j);
            }
        }

        private async Task ProgressAsync(Job j)
        {
            Shepherd target = world.Nodes[j.Target];
            switch (j.Phase)
            {
                case 0:
                    if (Jobs.Values.Count(x => x.Phase == 1) >= MaxSending)
                    {
                        return;
                    }

                    await world.PointAsync(j, TransferPoint.Before);
                    if (!Up)
                    {
                        return;
                    }

                    if (!target.Up)
                    {
                        if (await world.CallAsync(async () => await world.Librarian.ReportTransferFailedAsync(j.TransferId, $"{Id} cannot reach {j.Target}")))
                        {
                            await EndAsync(j);
                        }

                        return;
                    }

                    ReplicaCallResult start = default;
                    if (!await world.CallAsync(async () => start = await world.Librarian.StartTransferAsync(j.TransferId)))
                    {
                        return;
                    }

                    if (start.Outcome is not (ReplicaCallOutcome.Applied or ReplicaCallOutcome.Replayed))
                    {
                        await EndAsync(j);
                        return;
                    }

                    target.Disk[j.FileId] = new Copy(j.TransferId, 0, null, Complete: false, Registered: false);
                    j.Phase = 1;
                    await world.PointAsync(j, TransferPoint.During);
                    if (!Up && target.Up)
                    {
                        target.Disk[j.FileId] = target.Disk[j.FileId] with { Broken = true };
                    }

                    return;
                case 1:
                    if (!target.Up || !target.Disk.TryGetValue(j.FileId, out Copy? partial) || partial.TransferId != j.TransferId)
                    {
                        if (await world.CallAsync(async () => await world.Librarian.ReportTransferFailedAsync(j.TransferId, $"{Id}: connection to {j.Target} broke")))
                        {
                            await EndAsync(j);
                        }

                        return;
                    }

                    (long size, Checksum sum) = world._files[j.FileId];
                    target.Disk[j.FileId] = new Copy(j.TransferId, size, sum, Complete: true, Registered: false);
                    j.Phase = 2;
                    j.SentAt = world.Now;
                    await world.PointAsync(j, TransferPoint.After);
                    return;
                default:
                    ReplicaView? view = null;
                    if (!await world.CallAsync(async () => view = await world.Librarian.GetTransferAsync(j.TransferId)))
                    {
                        return;
                    }

                    ReplicaState? state = view?.Replica.State;
                    if (state is null or ReplicaState.Deleted or ReplicaState.Alive or ReplicaState.ThirdWheel or ReplicaState.Invalid)
                    {
                        await EndAsync(j); // [CHELONIA] C.4: registered (or gone): wrap up
                    }
                    else if (world.Now - j.SentAt >= world.Options.RegistrationTimeout
                        && await world.CallAsync(async () => await world.Librarian.ReportUnconfirmedAsync(j.TransferId)))
                    {
                        await EndAsync(j); // [CHELONIA] C.2: unconfirmed; the target registers late if it comes back
                    }

                    return;
            }
        }

        private async Task EndAsync(Job j)
        {
            Jobs.Remove(j.TransferId);
            if (world.OnJobEnded is { } hook)
            {
                await hook(j);
            }
        }

        private async Task RetireAsync()
        {
            IReadOnlyList<ReplicaRecord> retire = [];
            if (!await world.CallAsync(async () => retire = await world.Librarian.GetRetirementsAsync(Id)))
            {
                return;
            }

            foreach (ReplicaRecord r in retire.Where(r => !Log.Any(e => e.FileId == r.FileId)))
            {
                Disk.Remove(r.FileId);
                Log.Add(new ReplicaReportEntry(r.FileId, ReportedReplicaState.Removed));
                world.Log.Add($"{world.Now:HH:mm:ss} {Id} deletes surplus copy of file {r.FileId}");
            }
        }

        private async Task ReportAsync()
        {
            if (Log.Count == 0 || world.Now < NextReportAfter)
            {
                return;
            }

            NodeReport report = ReplicaReporting.Batch(Id, AckedSeq, Log, world.Options.MaxReportEntries)[0];
            ReportAck ack = default!;
            if (!await world.CallAsync(async () => ack = await world.Librarian.ReportAsync(report)))
            {
                return;
            }

            NextReportAfter = ack.NextReportAfter;
            if (ack.Outcome is ReportOutcome.Applied or ReportOutcome.Duplicate)
            {
                ReportsSent++;
                AckedSeq = Math.Max(ack.AcknowledgedSequence, report.Sequence);
                var sent = report.Entries.Select(e => e.FileId).ToHashSet();
                Log.RemoveAll(e => sent.Contains(e.FileId));
            }
            else if (ack.Outcome == ReportOutcome.OutOfSequence)
            {
                AckedSeq = ack.AcknowledgedSequence;
            }
        }
    }

    /// <summary>Called when a node registered a copy (case B's point (3): after registering).</summary>
    public Func<Shepherd, long, Task>? OnRegistered { get; set; }

    internal async Task PointAsync(Job j, TransferPoint point)
    {
        if (OnPoint is { } hook)
        {
            await hook(j, point);
        }
    }
}
