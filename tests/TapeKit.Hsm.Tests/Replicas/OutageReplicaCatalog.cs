using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>
/// A replica store whose metadata master can go away (§7.3 case A): while <see cref="Down"/>, every transaction fails to
/// begin with <see cref="CatalogStoreErrorKind.Unavailable"/>; with <see cref="LoseNextAnswer"/>, the next commit is made
/// durable and then reported failed, as when the answer is lost on the way back (the caller retries: a replay).
/// </summary>
internal sealed class OutageReplicaCatalog(IReplicaCatalog inner) : IReplicaCatalog
{
    public bool Down { get; set; }

    public bool LoseNextAnswer { get; set; }

    public int Refused { get; private set; }

    public TimeProvider Time => inner.Time;

    public async ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default)
    {
        if (Down)
        {
            Refused++;
            throw new CatalogStoreException(CatalogStoreErrorKind.Unavailable, "The metadata master is down.");
        }

        IReplicaTransaction txn = await inner.BeginAsync(ct);
        if (!LoseNextAnswer)
        {
            return txn;
        }

        LoseNextAnswer = false;
        return new LosingAnswer(txn);
    }

    /// <summary>Commits, then reports the commit as failed.</summary>
    private sealed class LosingAnswer(IReplicaTransaction inner) : IReplicaTransaction
    {
        public DateTimeOffset Now => inner.Now;
        public ValueTask<NodeRecord?> GetNodeAsync(string nodeId) => inner.GetNodeAsync(nodeId);
        public ValueTask<T> AllOrNothingAsync<T>(Func<ValueTask<T>> writes) => inner.AllOrNothingAsync(writes);
        public ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync() => inner.GetNodesAsync();
        public ValueTask InsertNodeAsync(NodeRecord node) => inner.InsertNodeAsync(node);
        public ValueTask<NodeRecord> UpdateNodeAsync(NodeRecord node) => inner.UpdateNodeAsync(node);
        public ValueTask<ReplicaFileRecord?> GetFileAsync(long fileId) => inner.GetFileAsync(fileId);
        public ValueTask<IReadOnlyList<ReplicaFileRecord>> GetFilesAsync(long afterFileId, int limit) => inner.GetFilesAsync(afterFileId, limit);
        public ValueTask InsertFileAsync(ReplicaFileRecord file) => inner.InsertFileAsync(file);
        public ValueTask<ReplicaFileRecord> UpdateFileAsync(ReplicaFileRecord file) => inner.UpdateFileAsync(file);
        public ValueTask<ReplicaRecord?> GetReplicaAsync(Guid transferId) => inner.GetReplicaAsync(transferId);
        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFileAsync(long fileId, bool includeDeleted = false) => inner.GetReplicasOfFileAsync(fileId, includeDeleted);
        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFilesAsync(IReadOnlyList<long> fileIds) => inner.GetReplicasOfFilesAsync(fileIds);
        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfNodeAsync(string nodeId, long afterFileId, int limit, ReplicaState? state = null) =>
            inner.GetReplicasOfNodeAsync(nodeId, afterFileId, limit, state);
        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOnNodeAsync(string nodeId, IReadOnlyList<long> fileIds) => inner.GetReplicasOnNodeAsync(nodeId, fileIds);
        public ValueTask<IReadOnlyList<ReplicaRecord>> GetTransfersAsync(string? sourceNodeId, string? targetNodeId, ReplicaSourceKind? sourceKind, int limit) =>
            inner.GetTransfersAsync(sourceNodeId, targetNodeId, sourceKind, limit);
        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasDueAsync(DateTimeOffset until, int limit) => inner.GetReplicasDueAsync(until, limit);
        public ValueTask<IReadOnlyDictionary<string, long>> CountReplicasByNodeAsync() => inner.CountReplicasByNodeAsync();
        public ValueTask InsertReplicaAsync(ReplicaRecord replica) => inner.InsertReplicaAsync(replica);
        public ValueTask<ReplicaRecord> UpdateReplicaAsync(ReplicaRecord replica) => inner.UpdateReplicaAsync(replica);
        public ValueTask<int> ExtendDeadlinesAsync(TimeSpan by) => inner.ExtendDeadlinesAsync(by);
        public ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max) => inner.PruneDeletedAsync(before, max);
        public ValueTask<DateTimeOffset?> GetCheckpointAsync(string name) => inner.GetCheckpointAsync(name);
        public ValueTask SetCheckpointAsync(string name, DateTimeOffset at) => inner.SetCheckpointAsync(name, at);
        public ValueTask AddTransitionsAsync(IReadOnlyList<ReplicaTransitionRecord> transitions) => inner.AddTransitionsAsync(transitions);
        public ValueTask<IReadOnlyList<ReplicaTransitionRecord>> GetTransitionsAsync(long fileId) => inner.GetTransitionsAsync(fileId);

        public async ValueTask CommitAsync(CancellationToken ct = default)
        {
            await inner.CommitAsync(ct);
            throw new CatalogStoreException(CatalogStoreErrorKind.Unavailable, "The connection dropped before the commit's answer arrived.");
        }

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
