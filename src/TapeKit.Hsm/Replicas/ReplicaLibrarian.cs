using System.Globalization;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

/// <summary>
/// The Librarian of docs/hsm/replicas.md#the-state-machine, stateless over an <see cref="IReplicaCatalog"/> (its only soft
/// state is the report budget): node registration, heartbeats and the checker (liveness in the node row, deadlines,
/// its own outages), the transfer calls of uploads and replication (allocation, start, registration, failure), the
/// re-replication planner, and the reporting protocol (changes-only numbered reports, a paced budget, digests).
/// Every call is one transaction of guarded, idempotent transitions: a replayed call or an unknown transfer id changes
/// nothing and says so in its result. Hosts put it behind their transport (the HTTP sample) or call it in process.
/// </summary>
public sealed partial class ReplicaLibrarian
{
    /// <summary>The checkpoint holding the checker's last run (docs/hsm/replicas.md#deadlines-and-librarian-outages: the Librarian's own outages).</summary>
    public const string CheckerCheckpoint = "librarian.checker";

    private const int DueBatch = 10_000;
    private const int DigestPage = 10_000;

    private readonly ITapeCopyIndex? _tape;

    /// <summary>Creates a Librarian.</summary>
    /// <param name="store">The replica store.</param>
    /// <param name="options">The settings (defaults when <see langword="null"/>).</param>
    /// <param name="tapeCopies">Where the planner learns which files have a tape copy; none when <see langword="null"/>.</param>
    public ReplicaLibrarian(IReplicaCatalog store, ReplicaOptions? options = null, ITapeCopyIndex? tapeCopies = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        Options = options ?? new ReplicaOptions();
        Options.Validate();
        Store = store;
        _tape = tapeCopies;
        Budget = new ReportBudget(Options.ReportsPerSecond, Options.ReportBurst, store.Time);
    }

    /// <summary>The store.</summary>
    public IReplicaCatalog Store { get; }

    /// <summary>The settings.</summary>
    public ReplicaOptions Options { get; }

    /// <summary>The report budget (docs/hsm/replicas.md#reporting-without-overload rule 3).</summary>
    public ReportBudget Budget { get; }

    private DateTimeOffset Now => Store.Time.GetUtcNow();

    /// <summary>
    /// Registers a node (online, heartbeat due after <see cref="ReplicaOptions.HeartbeatTimeout"/>); a node registered
    /// before is heartbeated instead, its address updated.
    /// </summary>
    /// <param name="nodeId">The node's stable name.</param>
    /// <param name="address">Where it is reached, if the host records that.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<HeartbeatAck> RegisterNodeAsync(string nodeId, string? address = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        return RunAsync(async txn =>
        {
            NodeRecord? node = await txn.GetNodeAsync(nodeId);
            if (node is null)
            {
                node = new NodeRecord
                {
                    NodeId = nodeId,
                    State = NodeState.Online,
                    StateSince = txn.Now,
                    NextHeartbeatDue = txn.Now + Options.HeartbeatTimeout,
                    RegisteredAt = txn.Now,
                    Address = address,
                };
                await txn.InsertNodeAsync(node);
                return new HeartbeatAck(true, node.NextHeartbeatDue, 0, false, false);
            }

            return await BeatAsync(txn, node, lostReportLog: false, address ?? node.Address);
        }, ct);
    }

    /// <summary>
    /// A node's heartbeat: one write of its node row — the deadline moves on, and an offline node comes back (P9)
    /// without a write to any of its replicas. The answer says where the node's report stream stands and whether the
    /// Librarian wants its digest (after a gap).
    /// </summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="lostReportLog">The node lost its record of unreported changes (a restart without it): it resumes from
    /// the acknowledged sequence and sends a digest.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<HeartbeatAck> HeartbeatAsync(string nodeId, bool lostReportLog = false, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        return RunAsync(async txn => await txn.GetNodeAsync(nodeId) is { } node
            ? await BeatAsync(txn, node, lostReportLog, node.Address)
            : new HeartbeatAck(false, txn.Now, 0, false, false), ct);
    }

    private async ValueTask<HeartbeatAck> BeatAsync(IReplicaTransaction txn, NodeRecord node, bool lostReportLog, string? address)
    {
        bool cameBack = node.State == NodeState.Offline;
        NodeRecord stored = await txn.UpdateNodeAsync(node with
        {
            State = NodeState.Online,
            StateSince = cameBack ? txn.Now : node.StateSince,
            NextHeartbeatDue = txn.Now + Options.HeartbeatTimeout,
            DigestWanted = node.DigestWanted || lostReportLog,
            Address = address,
        });
        return new HeartbeatAck(true, stored.NextHeartbeatDue, stored.ReportSeq, stored.DigestWanted, cameBack);
    }

    /// <summary>
    /// The checker (run every <see cref="ReplicaOptions.CheckInterval"/>): after a gap longer than
    /// <see cref="ReplicaOptions.OutageThreshold"/> since its last run it first moves every transfer deadline and every
    /// online node's heartbeat deadline on by the gap (docs/hsm/replicas.md#deadlines-and-librarian-outages); then nodes past their heartbeat deadline go offline (P8,
    /// one node-row write each), transfers past their deadline stall (P3), and stalled ones past
    /// <see cref="ReplicaOptions.StalledGrace"/> are deleted (P5).
    /// </summary>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<CheckSummary> CheckAsync(CancellationToken ct = default) => RunAsync(async txn =>
    {
        DateTimeOffset now = txn.Now;
        TimeSpan outage = await txn.GetCheckpointAsync(CheckerCheckpoint) is { } last && now - last > Options.OutageThreshold ? now - last : TimeSpan.Zero;
        int extended = 0;
        IReadOnlyList<NodeRecord> nodes = await txn.GetNodesAsync();
        if (outage > TimeSpan.Zero)
        {
            extended = await txn.ExtendDeadlinesAsync(outage);
            var refreshed = new List<NodeRecord>(nodes.Count);
            foreach (NodeRecord n in nodes)
            {
                refreshed.Add(n.IsOnline && n.NextHeartbeatDue < now + Options.HeartbeatTimeout
                    ? await txn.UpdateNodeAsync(n with { NextHeartbeatDue = now + Options.HeartbeatTimeout })
                    : n);
            }

            nodes = refreshed;
        }

        await txn.SetCheckpointAsync(CheckerCheckpoint, now);
        int offline = 0;
        foreach (NodeRecord n in nodes.Where(n => n.IsOnline && n.NextHeartbeatDue < now))
        {
            _ = await txn.UpdateNodeAsync(n with { State = NodeState.Offline, StateSince = now, DigestWanted = true });
            offline++;
        }

        var changes = new ReplicaChangeSet(now);
        int stalled = 0, deleted = 0;
        foreach (ReplicaRecord r in await txn.GetReplicasDueAsync(now, DueBatch))
        {
            if (r.State == ReplicaState.Creating)
            {
                changes.Move(r, "P3", ReplicaActor.Librarian, "deadline passed", m => m with { Deadline = now + Options.StalledGrace });
                stalled++;
            }
            else
            {
                changes.Move(r, "P5", ReplicaActor.Librarian, "stalled longer than StalledGrace");
                deleted++;
            }
        }

        await changes.FlushAsync(txn);
        return new CheckSummary(outage, extended, offline, stalled, deleted);
    }, ct);

    /// <summary>The nodes, by id.</summary>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync(CancellationToken ct = default) => RunAsync(txn => txn.GetNodesAsync(), ct);

    /// <summary>A file's row and its replicas with their effective states (offline derived from the node rows).</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<(ReplicaFileRecord? File, IReadOnlyList<ReplicaView> Replicas)> GetFileAsync(long fileId, CancellationToken ct = default) =>
        RunAsync<(ReplicaFileRecord?, IReadOnlyList<ReplicaView>)>(async txn =>
        {
            ReplicaFileRecord? file = await txn.GetFileAsync(fileId);
            Dictionary<string, NodeRecord> nodes = (await txn.GetNodesAsync()).ToDictionary(n => n.NodeId, StringComparer.Ordinal);
            IReadOnlyList<ReplicaRecord> rows = await txn.GetReplicasOfFileAsync(fileId);
            return (file, [.. rows.Select(r => new ReplicaView(r, r.EffectiveState(nodes.GetValueOrDefault(r.NodeId))))]);
        }, ct);

    /// <summary>The replica row of a transfer (deleted ones too) with its effective state, or <see langword="null"/> for an unknown id.</summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<ReplicaView?> GetTransferAsync(Guid transferId, CancellationToken ct = default) => RunAsync<ReplicaView?>(async txn =>
        await txn.GetReplicaAsync(transferId) is { } r ? new ReplicaView(r, r.EffectiveState(await txn.GetNodeAsync(r.NodeId))) : null, ct);

    /// <summary>The transfers a node is to send (its replication jobs), oldest first.</summary>
    /// <param name="nodeId">The source node.</param>
    /// <param name="limit">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<IReadOnlyList<ReplicaRecord>> GetOutgoingTransfersAsync(string nodeId, int limit = 1000, CancellationToken ct = default) =>
        RunAsync(txn => txn.GetTransfersAsync(nodeId, null, ReplicaSourceKind.Node, limit), ct);

    /// <summary>The transfers a node is to receive, oldest first.</summary>
    /// <param name="nodeId">The target node.</param>
    /// <param name="limit">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<IReadOnlyList<ReplicaRecord>> GetIncomingTransfersAsync(string nodeId, int limit = 1000, CancellationToken ct = default) =>
        RunAsync(txn => txn.GetTransfersAsync(null, nodeId, null, limit), ct);

    /// <summary>The transfers to be filled from tape (the host reads the tape copy and sends it to the target), oldest first.</summary>
    /// <param name="limit">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<IReadOnlyList<ReplicaRecord>> GetTapeTransfersAsync(int limit = 1000, CancellationToken ct = default) =>
        RunAsync(txn => txn.GetTransfersAsync(null, null, ReplicaSourceKind.Tape, limit), ct);

    /// <summary>The surplus copies a node is to delete (<see cref="ReplicaState.ThirdWheel"/>), by file id; it reports <see cref="ReportedReplicaState.Removed"/> after.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="limit">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<IReadOnlyList<ReplicaRecord>> GetRetirementsAsync(string nodeId, int limit = 1000, CancellationToken ct = default) =>
        RunAsync(txn => txn.GetReplicasOfNodeAsync(nodeId, long.MinValue, limit, ReplicaState.ThirdWheel), ct);

    /// <summary>Removes deleted replica rows (tombstones) last changed before <paramref name="before"/>, up to <paramref name="max"/>.</summary>
    /// <param name="before">The cut-off.</param>
    /// <param name="max">The most rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max = 10_000, CancellationToken ct = default) =>
        RunAsync(txn => txn.PruneDeletedAsync(before, max), ct);

    private ValueTask<T> RunAsync<T>(Func<IReplicaTransaction, ValueTask<T>> work, CancellationToken ct) =>
        Store.RunAsync(work, Options.MaxAttempts, ct);

    private static bool SameChecksum(Checksum a, Checksum b) =>
        string.Equals(a.Type, b.Type, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Value, b.Value, StringComparison.OrdinalIgnoreCase);

    private static string Id(long fileId) => fileId.ToString(CultureInfo.InvariantCulture);
}
