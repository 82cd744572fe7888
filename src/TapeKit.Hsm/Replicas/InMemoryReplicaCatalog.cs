using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Replicas;

/// <summary>
/// The in-process replica store, for tests and single-process hosts: one transaction at a time, changes made in place
/// with an undo log, so that a rollback (or a refused batch) leaves nothing behind. Not durable.
/// </summary>
public sealed class InMemoryReplicaCatalog : IReplicaCatalog, IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly SortedDictionary<string, NodeRecord> _nodes = new(StringComparer.Ordinal);
    private readonly SortedDictionary<long, ReplicaFileRecord> _files = [];
    private readonly Dictionary<Key, ReplicaRecord> _replicas = [];
    private readonly Dictionary<Guid, Key> _byTransfer = [];
    private readonly Dictionary<long, List<Key>> _byFile = [];
    private readonly Dictionary<string, SortedSet<(long FileId, string ReferenceId)>> _liveByNode = new(StringComparer.Ordinal);
    private readonly HashSet<Key> _inFlight = [];
    private readonly Dictionary<string, DateTimeOffset> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<long, List<ReplicaTransitionRecord>> _transitions = [];

    /// <summary>Creates an empty store.</summary>
    /// <param name="time">The store's clock.</param>
    public InMemoryReplicaCatalog(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
    }

    /// <inheritdoc />
    public TimeProvider Time { get; }

    /// <inheritdoc />
    public async ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        return new Transaction(this, Time.GetUtcNow());
    }

    /// <summary>Releases the writer lock's resources.</summary>
    public void Dispose() => _writer.Dispose();

    private readonly record struct Key(long FileId, string NodeId, string ReferenceId);

    private static Key KeyOf(ReplicaRecord r) => new(r.FileId, r.NodeId, r.ReferenceId);

    private static bool InFlight(ReplicaState s) => s is ReplicaState.Creating or ReplicaState.Stalled;

    /// <summary>Sets (or removes, with <see langword="null"/>) a replica row and keeps every index; no undo entry.</summary>
    private void SetReplica(Key key, ReplicaRecord? value)
    {
        if (_replicas.TryGetValue(key, out ReplicaRecord? old))
        {
            _byTransfer.Remove(old.TransferId);
            if (old.IsLive)
            {
                _liveByNode[key.NodeId].Remove((key.FileId, key.ReferenceId));
            }

            _inFlight.Remove(key);
            if (value is null)
            {
                _replicas.Remove(key);
                _byFile[key.FileId].Remove(key);
            }
        }

        if (value is null)
        {
            return;
        }

        if (old is null)
        {
            if (!_byFile.TryGetValue(key.FileId, out List<Key>? keys))
            {
                _byFile[key.FileId] = keys = [];
            }

            keys.Add(key);
        }

        _replicas[key] = value;
        _byTransfer[value.TransferId] = key;
        if (value.IsLive)
        {
            if (!_liveByNode.TryGetValue(key.NodeId, out SortedSet<(long, string)>? set))
            {
                _liveByNode[key.NodeId] = set = new SortedSet<(long, string)>(Comparer<(long FileId, string ReferenceId)>.Create(
                    (a, b) => a.FileId != b.FileId ? a.FileId.CompareTo(b.FileId) : string.CompareOrdinal(a.ReferenceId, b.ReferenceId)));
            }

            set.Add((key.FileId, key.ReferenceId));
        }

        if (InFlight(value.State))
        {
            _inFlight.Add(key);
        }
    }

    private sealed class Transaction(InMemoryReplicaCatalog s, DateTimeOffset now) : IReplicaTransaction
    {
        private readonly List<Action> _undo = [];
        private bool _done;

        public DateTimeOffset Now { get; } = now;

        public ValueTask<NodeRecord?> GetNodeAsync(string nodeId) => Ok(s._nodes.GetValueOrDefault(nodeId));

        public ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync() => Ok<IReadOnlyList<NodeRecord>>([.. s._nodes.Values]);

        public ValueTask InsertNodeAsync(NodeRecord node)
        {
            Live();
            ArgumentNullException.ThrowIfNull(node);
            ArgumentException.ThrowIfNullOrEmpty(node.NodeId);
            if (!s._nodes.TryAdd(node.NodeId, node))
            {
                throw new CatalogConstraintException($"Node '{node.NodeId}' already exists.");
            }

            _undo.Add(() => s._nodes.Remove(node.NodeId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<NodeRecord> UpdateNodeAsync(NodeRecord node)
        {
            Live();
            ArgumentNullException.ThrowIfNull(node);
            NodeRecord old = s._nodes.GetValueOrDefault(node.NodeId) ?? throw new CatalogConstraintException($"Node '{node.NodeId}' does not exist.");
            Check("node", node.NodeId, old.RowVersion, node.RowVersion);
            NodeRecord stored = node with { RowVersion = node.RowVersion + 1 };
            s._nodes[node.NodeId] = stored;
            _undo.Add(() => s._nodes[node.NodeId] = old);
            return Ok(stored);
        }

        public ValueTask<ReplicaFileRecord?> GetFileAsync(long fileId) => Ok(s._files.GetValueOrDefault(fileId));

        public ValueTask<IReadOnlyList<ReplicaFileRecord>> GetFilesAsync(long afterFileId, int limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
            return Ok<IReadOnlyList<ReplicaFileRecord>>([.. s._files.Where(p => p.Key > afterFileId).Take(limit).Select(p => p.Value)]);
        }

        public ValueTask InsertFileAsync(ReplicaFileRecord file)
        {
            Live();
            ArgumentNullException.ThrowIfNull(file);
            if (file.NeededReplicas < 1)
            {
                throw new ArgumentException("A replicated file needs at least one replica.", nameof(file));
            }

            if (!s._files.TryAdd(file.FileId, file))
            {
                throw new CatalogConstraintException($"Replicated file {file.FileId} already exists.");
            }

            _undo.Add(() => s._files.Remove(file.FileId));
            return ValueTask.CompletedTask;
        }

        public ValueTask<ReplicaFileRecord> UpdateFileAsync(ReplicaFileRecord file)
        {
            Live();
            ArgumentNullException.ThrowIfNull(file);
            ReplicaFileRecord old = s._files.GetValueOrDefault(file.FileId) ?? throw new CatalogConstraintException($"Replicated file {file.FileId} does not exist.");
            Check("replicated file", file.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture), old.RowVersion, file.RowVersion);
            ReplicaFileRecord stored = file with { RowVersion = file.RowVersion + 1 };
            s._files[file.FileId] = stored;
            _undo.Add(() => s._files[file.FileId] = old);
            return Ok(stored);
        }

        public ValueTask<ReplicaRecord?> GetReplicaAsync(Guid transferId) =>
            Ok(s._byTransfer.TryGetValue(transferId, out Key k) ? s._replicas[k] : null);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFileAsync(long fileId, bool includeDeleted = false) =>
            Ok<IReadOnlyList<ReplicaRecord>>([.. OfFile(fileId).Where(r => includeDeleted || r.IsLive)]);

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFilesAsync(IReadOnlyList<long> fileIds)
        {
            ArgumentNullException.ThrowIfNull(fileIds);
            return Ok<IReadOnlyList<ReplicaRecord>>([.. fileIds.Distinct().Order().SelectMany(OfFile).Where(r => r.IsLive)]);
        }

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfNodeAsync(string nodeId, long afterFileId, int limit, ReplicaState? state = null)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
            if (!s._liveByNode.TryGetValue(nodeId, out SortedSet<(long FileId, string ReferenceId)>? set))
            {
                return Ok<IReadOnlyList<ReplicaRecord>>([]);
            }

            IEnumerable<(long FileId, string ReferenceId)> tail = set.Count == 0 || afterFileId >= set.Max.FileId
                ? []
                : set.GetViewBetween((afterFileId + 1, ""), set.Max);
            return Ok<IReadOnlyList<ReplicaRecord>>([.. tail
                .Select(k => s._replicas[new Key(k.FileId, nodeId, k.ReferenceId)])
                .Where(r => state is null || r.State == state)
                .Take(limit)]);
        }

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOnNodeAsync(string nodeId, IReadOnlyList<long> fileIds)
        {
            ArgumentNullException.ThrowIfNull(fileIds);
            return Ok<IReadOnlyList<ReplicaRecord>>([.. fileIds.Distinct().Order().SelectMany(OfFile).Where(r => r.IsLive && r.NodeId == nodeId)]);
        }

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetTransfersAsync(string? sourceNodeId, string? targetNodeId, ReplicaSourceKind? sourceKind, int limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
            return Ok<IReadOnlyList<ReplicaRecord>>([.. s._inFlight.Select(k => s._replicas[k])
                .Where(r => r.State == ReplicaState.Creating
                    && (sourceNodeId is null || r.SourceNodeId == sourceNodeId)
                    && (targetNodeId is null || r.NodeId == targetNodeId)
                    && (sourceKind is null || r.SourceKind == sourceKind))
                .OrderBy(r => r.CreatedAt).ThenBy(r => r.TransferId)
                .Take(limit)]);
        }

        public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasDueAsync(DateTimeOffset until, int limit)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
            return Ok<IReadOnlyList<ReplicaRecord>>([.. s._inFlight.Select(k => s._replicas[k])
                .Where(r => r.Deadline is { } d && d <= until)
                .OrderBy(r => r.Deadline).ThenBy(r => r.TransferId)
                .Take(limit)]);
        }

        public ValueTask<IReadOnlyDictionary<string, long>> CountReplicasByNodeAsync() =>
            Ok<IReadOnlyDictionary<string, long>>(s._liveByNode.Where(p => p.Value.Count > 0)
                .ToDictionary(p => p.Key, p => (long)p.Value.Count, StringComparer.Ordinal));

        public ValueTask InsertReplicaAsync(ReplicaRecord replica)
        {
            Live();
            ArgumentNullException.ThrowIfNull(replica);
            Validate(replica);
            var key = KeyOf(replica);
            if (s._replicas.ContainsKey(key))
            {
                throw new CatalogConstraintException($"Replica ({replica.FileId}, '{replica.NodeId}', '{replica.ReferenceId}') already exists.");
            }

            CheckUnique(key, replica);
            s.SetReplica(key, replica);
            _undo.Add(() => s.SetReplica(key, null));
            return ValueTask.CompletedTask;
        }

        public ValueTask<ReplicaRecord> UpdateReplicaAsync(ReplicaRecord replica)
        {
            Live();
            ArgumentNullException.ThrowIfNull(replica);
            Validate(replica);
            var key = KeyOf(replica);
            ReplicaRecord old = s._replicas.GetValueOrDefault(key)
                ?? throw new CatalogConstraintException($"Replica ({replica.FileId}, '{replica.NodeId}', '{replica.ReferenceId}') does not exist.");
            Check("replica", $"{replica.FileId}/{replica.NodeId}/{replica.ReferenceId}", old.RowVersion, replica.RowVersion);
            CheckUnique(key, replica);
            ReplicaRecord stored = replica with { RowVersion = replica.RowVersion + 1 };
            s.SetReplica(key, stored);
            _undo.Add(() => s.SetReplica(key, old));
            return Ok(stored);
        }

        public ValueTask<int> ExtendDeadlinesAsync(TimeSpan by)
        {
            Live();
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(by, TimeSpan.Zero);
            int n = 0;
            foreach (Key k in s._inFlight.ToList())
            {
                ReplicaRecord old = s._replicas[k];
                if (old.Deadline is { } d)
                {
                    s.SetReplica(k, old with { Deadline = d + by, RowVersion = old.RowVersion + 1 });
                    _undo.Add(() => s.SetReplica(k, old));
                    n++;
                }
            }

            return Ok(n);
        }

        public ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max)
        {
            Live();
            ArgumentOutOfRangeException.ThrowIfNegative(max);
            List<KeyValuePair<Key, ReplicaRecord>> gone = [.. s._replicas
                .Where(p => p.Value.State == ReplicaState.Deleted && p.Value.UpdatedAt < before)
                .OrderBy(p => p.Value.UpdatedAt).Take(max)];
            foreach ((Key k, ReplicaRecord old) in gone)
            {
                s.SetReplica(k, null);
                _undo.Add(() => s.SetReplica(k, old));
            }

            return Ok(gone.Count);
        }

        public ValueTask<DateTimeOffset?> GetCheckpointAsync(string name) =>
            Ok(s._checkpoints.TryGetValue(name, out DateTimeOffset at) ? at : (DateTimeOffset?)null);

        public ValueTask SetCheckpointAsync(string name, DateTimeOffset at)
        {
            Live();
            bool had = s._checkpoints.TryGetValue(name, out DateTimeOffset old);
            s._checkpoints[name] = at;
            _undo.Add(() =>
            {
                if (had)
                {
                    s._checkpoints[name] = old;
                }
                else
                {
                    s._checkpoints.Remove(name);
                }
            });
            return ValueTask.CompletedTask;
        }

        public ValueTask AddTransitionsAsync(IReadOnlyList<ReplicaTransitionRecord> transitions)
        {
            Live();
            ArgumentNullException.ThrowIfNull(transitions);
            foreach (ReplicaTransitionRecord t in transitions)
            {
                if (!s._transitions.TryGetValue(t.FileId, out List<ReplicaTransitionRecord>? list))
                {
                    s._transitions[t.FileId] = list = [];
                }

                list.Add(t);
                _undo.Add(() => list.RemoveAt(list.Count - 1));
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<ReplicaTransitionRecord>> GetTransitionsAsync(long fileId) =>
            Ok<IReadOnlyList<ReplicaTransitionRecord>>(s._transitions.TryGetValue(fileId, out List<ReplicaTransitionRecord>? list) ? [.. list] : []);

        public ValueTask CommitAsync(CancellationToken ct = default)
        {
            Live();
            ct.ThrowIfCancellationRequested();
            _undo.Clear();
            Finish();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_done)
            {
                RollbackTo(0);
                Finish();
            }

            return ValueTask.CompletedTask;
        }

        private IEnumerable<ReplicaRecord> OfFile(long fileId) =>
            s._byFile.TryGetValue(fileId, out List<Key>? keys)
                ? keys.Select(k => s._replicas[k]).OrderBy(r => r.NodeId, StringComparer.Ordinal).ThenBy(r => r.ReferenceId, StringComparer.Ordinal)
                : [];

        private static void Validate(ReplicaRecord r)
        {
            ArgumentException.ThrowIfNullOrEmpty(r.NodeId);
            ArgumentException.ThrowIfNullOrEmpty(r.ReferenceId);
            if (r.State == ReplicaState.Offline)
            {
                throw new ArgumentException("OFFLINE is derived from the node row and is never stored in a replica row.", nameof(r));
            }
        }

        private void CheckUnique(Key key, ReplicaRecord r)
        {
            if (s._byTransfer.TryGetValue(r.TransferId, out Key other) && other != key)
            {
                throw new CatalogConstraintException($"Transfer id {r.TransferId} already names another replica.");
            }

            if (r.IsLive && OfFile(r.FileId).Any(o => o.IsLive && o.NodeId == r.NodeId && KeyOf(o) != key))
            {
                throw new CatalogConstraintException($"Node '{r.NodeId}' already holds a live replica of file {r.FileId}: never two copies on one node.");
            }
        }

        public async ValueTask<T> AllOrNothingAsync<T>(Func<ValueTask<T>> writes)
        {
            Live();
            int mark = _undo.Count;
            try
            {
                return await writes();
            }
            catch
            {
                RollbackTo(mark);
                throw;
            }
        }

        private void RollbackTo(int mark)
        {
            for (int i = _undo.Count - 1; i >= mark; i--)
            {
                _undo[i]();
            }

            _undo.RemoveRange(mark, _undo.Count - mark);
        }

        private static void Check(string entity, string id, long stored, long expected)
        {
            if (stored != expected)
            {
                throw new CatalogConflictException(entity, id, expected);
            }
        }

        private void Finish()
        {
            _done = true;
            s._writer.Release();
        }

        private void Live() => ObjectDisposedException.ThrowIf(_done, this);

        private static ValueTask<T> Ok<T>(T value) => ValueTask.FromResult(value);
    }
}
