using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// A replica store that counts what goes through it, for tests that bound the work of an operation (docs/hsm/replicas.md#reporting-without-overload: a node going
/// offline and coming back costs O(1) liveness writes). It wraps any <see cref="IReplicaCatalog"/> and counts committed
/// work only: node-row writes, replica-row writes (rows, for the set-wise writes), audit rows and transactions.
/// </summary>
/// <param name="inner">The store.</param>
public sealed class CountingReplicaCatalog(IReplicaCatalog inner) : IReplicaCatalog
{
    private long _nodeWrites;
    private long _replicaWrites;
    private long _replicaWriteCalls;
    private long _auditRows;
    private long _commits;

    /// <summary>The wrapped store.</summary>
    public IReplicaCatalog Inner { get; } = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <inheritdoc />
    public TimeProvider Time => Inner.Time;

    /// <summary>Node rows inserted or updated, in committed transactions.</summary>
    public long NodeWrites => Interlocked.Read(ref _nodeWrites);

    /// <summary>Replica rows inserted, updated or pruned, in committed transactions.</summary>
    public long ReplicaWrites => Interlocked.Read(ref _replicaWrites);

    /// <summary>Write calls on replica rows (a batch counts once), in committed transactions.</summary>
    public long ReplicaWriteCalls => Interlocked.Read(ref _replicaWriteCalls);

    /// <summary>Audit rows appended, in committed transactions.</summary>
    public long AuditRows => Interlocked.Read(ref _auditRows);

    /// <summary>Committed transactions.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>The counters as one value.</summary>
    public (long NodeWrites, long ReplicaWrites, long ReplicaWriteCalls, long AuditRows, long Commits) Snapshot() =>
        (NodeWrites, ReplicaWrites, ReplicaWriteCalls, AuditRows, Commits);

    /// <inheritdoc />
    public async ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default) => new Counting(this, await Inner.BeginAsync(ct));

    private sealed class Counting(CountingReplicaCatalog owner, IReplicaTransaction inner) : IReplicaTransaction
    {
        private long _nodes;
        private long _replicas;
        private long _calls;
        private long _audit;

        public DateTimeOffset Now => inner.Now;

        public ValueTask<NodeRecord?> GetNodeAsync(string nodeId) => inner.GetNodeAsync(nodeId);

        public ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync() => inner.GetNodesAsync();

        public async ValueTask InsertNodeAsync(NodeRecord node)
        {
            await inner.InsertNodeAsync(node);
            _nodes++;
        }

        public async ValueTask<NodeRecord> UpdateNodeAsync(NodeRecord node)
        {
            NodeRecord stored = await inner.UpdateNodeAsync(node);
            _nodes++;
            return stored;
        }

        public ValueTask<ReplicaFileRecord?> GetFileAsync(long fileId) => inner.GetFileAsync(fileId);

        public ValueTask<IReadOnlyList<ReplicaFileRecord>> GetFilesAsync(long afterFileId, int limit) => inner.GetFilesAsync(afterFileId, limit);

        public ValueTask InsertFileAsync(ReplicaFileRecord file) => inner.InsertFileAsync(file);

        public ValueTask<T> AllOrNothingAsync<T>(Func<ValueTask<T>> writes) => inner.AllOrNothingAsync(writes);

        public ValueTask InsertFilesAsync(IReadOnlyList<ReplicaFileRecord> files) => inner.InsertFilesAsync(files);

        public ValueTask<ReplicaFileRecord> UpdateFileAsync(ReplicaFileRecord file) => inner.UpdateFileAsync(file);

        public ValueTask<ReplicaRecord?> GetReplicaAsync(Guid transferId) => inner.GetReplicaAsync(transferId);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFileAsync(long fileId, bool includeDeleted = false) => inner.GetReplicasOfFileAsync(fileId, includeDeleted);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFilesAsync(IReadOnlyList<long> fileIds) => inner.GetReplicasOfFilesAsync(fileIds);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfNodeAsync(string nodeId, long afterFileId, int limit, ReplicaState? state = null) =>
            inner.GetReplicasOfNodeAsync(nodeId, afterFileId, limit, state);

        public ValueTask<IReadOnlyList<(long FileId, ReplicaState State)>> GetReplicaStatesOfNodeAsync(string nodeId, long afterFileId, int limit) =>
            inner.GetReplicaStatesOfNodeAsync(nodeId, afterFileId, limit);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOnNodeAsync(string nodeId, IReadOnlyList<long> fileIds) => inner.GetReplicasOnNodeAsync(nodeId, fileIds);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetTransfersAsync(string? sourceNodeId, string? targetNodeId, ReplicaSourceKind? sourceKind, int limit) =>
            inner.GetTransfersAsync(sourceNodeId, targetNodeId, sourceKind, limit);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasDueAsync(DateTimeOffset until, int limit) => inner.GetReplicasDueAsync(until, limit);

        public ValueTask<IReadOnlyDictionary<string, long>> CountReplicasByNodeAsync() => inner.CountReplicasByNodeAsync();

        public async ValueTask InsertReplicaAsync(ReplicaRecord replica)
        {
            await inner.InsertReplicaAsync(replica);
            _replicas++;
            _calls++;
        }

        public async ValueTask InsertReplicasAsync(IReadOnlyList<ReplicaRecord> replicas)
        {
            await inner.InsertReplicasAsync(replicas);
            _replicas += replicas.Count;
            _calls++;
        }

        public async ValueTask<ReplicaRecord> UpdateReplicaAsync(ReplicaRecord replica)
        {
            ReplicaRecord stored = await inner.UpdateReplicaAsync(replica);
            _replicas++;
            _calls++;
            return stored;
        }

        public async ValueTask<IReadOnlyList<ReplicaRecord>> UpdateReplicasAsync(IReadOnlyList<ReplicaRecord> replicas)
        {
            IReadOnlyList<ReplicaRecord> stored = await inner.UpdateReplicasAsync(replicas);
            _replicas += replicas.Count;
            _calls++;
            return stored;
        }

        public async ValueTask<int> ExtendDeadlinesAsync(TimeSpan by)
        {
            int n = await inner.ExtendDeadlinesAsync(by);
            _replicas += n;
            _calls++;
            return n;
        }

        public async ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max)
        {
            int n = await inner.PruneDeletedAsync(before, max);
            _replicas += n;
            _calls++;
            return n;
        }

        public ValueTask<DateTimeOffset?> GetCheckpointAsync(string name) => inner.GetCheckpointAsync(name);

        public ValueTask SetCheckpointAsync(string name, DateTimeOffset at) => inner.SetCheckpointAsync(name, at);

        public async ValueTask AddTransitionsAsync(IReadOnlyList<ReplicaTransitionRecord> transitions)
        {
            await inner.AddTransitionsAsync(transitions);
            _audit += transitions.Count;
        }

        public ValueTask<IReadOnlyList<ReplicaTransitionRecord>> GetTransitionsAsync(long fileId) => inner.GetTransitionsAsync(fileId);

        public async ValueTask CommitAsync(CancellationToken ct = default)
        {
            await inner.CommitAsync(ct);
            Interlocked.Add(ref owner._nodeWrites, _nodes);
            Interlocked.Add(ref owner._replicaWrites, _replicas);
            Interlocked.Add(ref owner._replicaWriteCalls, _calls);
            Interlocked.Add(ref owner._auditRows, _audit);
            Interlocked.Increment(ref owner._commits);
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
