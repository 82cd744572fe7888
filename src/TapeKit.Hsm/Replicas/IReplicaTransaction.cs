namespace TapeKit.Hsm.Replicas;

/// <summary>
/// One transaction of an <see cref="IReplicaCatalog"/>: row reads and conditional writes of nodes, replicated files and
/// replicas, with their audit rows. The state machine of docs/hsm/replicas.md#the-state-machine is made of these by <see cref="ReplicaLibrarian"/>; the
/// raw writes check keys and versions, not the machine.
/// </summary>
public interface IReplicaTransaction : IAsyncDisposable
{
    /// <summary>The transaction's time: every row written in it uses this instant.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Reads a node row.</summary>
    /// <param name="nodeId">The node.</param>
    ValueTask<NodeRecord?> GetNodeAsync(string nodeId);

    /// <summary>Every node row, by id.</summary>
    ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync();

    /// <summary>Inserts a node row; a node the store knows throws <see cref="Catalog.CatalogConstraintException"/>.</summary>
    /// <param name="node">The row.</param>
    ValueTask InsertNodeAsync(NodeRecord node);

    /// <summary>Writes a node row as one conditional update on its <see cref="NodeRecord.RowVersion"/>.</summary>
    /// <param name="node">The row as read, with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="Catalog.CatalogConstraintException">The node is unknown.</exception>
    /// <exception cref="Catalog.CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<NodeRecord> UpdateNodeAsync(NodeRecord node);

    /// <summary>Reads a replicated file's row (deleted ones too).</summary>
    /// <param name="fileId">The file.</param>
    ValueTask<ReplicaFileRecord?> GetFileAsync(long fileId);

    /// <summary>A page of replicated files (deleted ones too), ascending by id, after <paramref name="afterFileId"/>.</summary>
    /// <param name="afterFileId">Start after this id (keyset paging).</param>
    /// <param name="limit">The most rows.</param>
    ValueTask<IReadOnlyList<ReplicaFileRecord>> GetFilesAsync(long afterFileId, int limit);

    /// <summary>Inserts a file row; a file the store knows throws <see cref="Catalog.CatalogConstraintException"/>.</summary>
    /// <param name="file">The row.</param>
    ValueTask InsertFileAsync(ReplicaFileRecord file);

    /// <summary>
    /// Runs <paramref name="writes"/> all or nothing inside this transaction: when they throw, what they wrote is undone
    /// (a savepoint) and the transaction goes on. The batch writes of this contract are their single writes under it.
    /// </summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="writes">The writes.</param>
    /// <returns>Their result.</returns>
    ValueTask<T> AllOrNothingAsync<T>(Func<ValueTask<T>> writes);

    /// <summary>Inserts many file rows; a duplicate throws and inserts none.</summary>
    /// <param name="files">The rows.</param>
    async ValueTask InsertFilesAsync(IReadOnlyList<ReplicaFileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _ = await AllOrNothingAsync(async () =>
        {
            foreach (ReplicaFileRecord f in files)
            {
                await InsertFileAsync(f);
            }

            return true;
        });
    }

    /// <summary>Writes a file row as one conditional update on its <see cref="ReplicaFileRecord.RowVersion"/>.</summary>
    /// <param name="file">The row as read, with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="Catalog.CatalogConstraintException">The file is unknown.</exception>
    /// <exception cref="Catalog.CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<ReplicaFileRecord> UpdateFileAsync(ReplicaFileRecord file);

    /// <summary>The replica row that a transfer id names (deleted ones too), if any.</summary>
    /// <param name="transferId">The transfer id.</param>
    ValueTask<ReplicaRecord?> GetReplicaAsync(Guid transferId);

    /// <summary>The replicas of one file, by node then reference.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="includeDeleted">Also the <see cref="ReplicaState.Deleted"/> tombstones.</param>
    ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFileAsync(long fileId, bool includeDeleted = false);

    /// <summary>The live (not deleted) replicas of many files, by file, node, then reference.</summary>
    /// <param name="fileIds">The files.</param>
    ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFilesAsync(IReadOnlyList<long> fileIds);

    /// <summary>A page of the live replicas on one node, ascending by file id, after <paramref name="afterFileId"/>.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="afterFileId">Start after this file id (keyset paging).</param>
    /// <param name="limit">The most rows.</param>
    /// <param name="state">Only rows in this stored state, or all live ones.</param>
    ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfNodeAsync(string nodeId, long afterFileId, int limit, ReplicaState? state = null);

    /// <summary>
    /// A page of the live replicas on one node as <c>(file id, stored state)</c> pairs, ascending by file id: what a digest
    /// of the node's replica set is computed from, without reading whole rows.
    /// </summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="afterFileId">Start after this file id.</param>
    /// <param name="limit">The most pairs.</param>
    async ValueTask<IReadOnlyList<(long FileId, ReplicaState State)>> GetReplicaStatesOfNodeAsync(string nodeId, long afterFileId, int limit) =>
        [.. (await GetReplicasOfNodeAsync(nodeId, afterFileId, limit)).Select(r => (r.FileId, r.State))];

    /// <summary>The live replicas of the given files on one node (a report's set-wise read), by file id.</summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="fileIds">The files.</param>
    ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOnNodeAsync(string nodeId, IReadOnlyList<long> fileIds);

    /// <summary>
    /// The rows of transfers in progress (<see cref="ReplicaState.Creating"/>) matching every given filter, oldest first
    /// (by creation time, then transfer id).
    /// </summary>
    /// <param name="sourceNodeId">Only those sent by this node.</param>
    /// <param name="targetNodeId">Only those received by this node.</param>
    /// <param name="sourceKind">Only those of this source kind.</param>
    /// <param name="limit">The most rows.</param>
    ValueTask<IReadOnlyList<ReplicaRecord>> GetTransfersAsync(string? sourceNodeId, string? targetNodeId, ReplicaSourceKind? sourceKind, int limit);

    /// <summary>The <see cref="ReplicaState.Creating"/> and <see cref="ReplicaState.Stalled"/> rows whose deadline is at or before <paramref name="until"/>, by deadline.</summary>
    /// <param name="until">The instant.</param>
    /// <param name="limit">The most rows.</param>
    ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasDueAsync(DateTimeOffset until, int limit);

    /// <summary>How many live replica rows each node holds (nodes with none are left out), kept as rows change.</summary>
    ValueTask<IReadOnlyDictionary<string, long>> CountReplicasByNodeAsync();

    /// <summary>
    /// Inserts a replica row. The key, a second live row of the file on the node, or a transfer id in use throws
    /// <see cref="Catalog.CatalogConstraintException"/>; the state <see cref="ReplicaState.Offline"/> throws
    /// <see cref="ArgumentException"/> (it is derived, never stored).
    /// </summary>
    /// <param name="replica">The row.</param>
    ValueTask InsertReplicaAsync(ReplicaRecord replica);

    /// <summary>Inserts many replica rows (<see cref="InsertReplicaAsync"/>); a refused row throws and inserts none.</summary>
    /// <param name="replicas">The rows.</param>
    async ValueTask InsertReplicasAsync(IReadOnlyList<ReplicaRecord> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        _ = await AllOrNothingAsync(async () =>
        {
            foreach (ReplicaRecord r in replicas)
            {
                await InsertReplicaAsync(r);
            }

            return true;
        });
    }

    /// <summary>
    /// Writes a replica row (found by its key) as one conditional update on its <see cref="ReplicaRecord.RowVersion"/>.
    /// The same constraints as <see cref="InsertReplicaAsync"/> apply.
    /// </summary>
    /// <param name="replica">The row as read, with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="Catalog.CatalogConstraintException">The row is unknown, or a constraint would break.</exception>
    /// <exception cref="Catalog.CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<ReplicaRecord> UpdateReplicaAsync(ReplicaRecord replica);

    /// <summary>
    /// Writes many replica rows, each conditional on its version (<see cref="UpdateReplicaAsync"/>): the set-wise
    /// application of a report. When one cannot be written, the call throws as that method would and writes none.
    /// </summary>
    /// <param name="replicas">The rows as read, with the new field values (each row at most once).</param>
    /// <returns>The rows as stored now, aligned with <paramref name="replicas"/>.</returns>
    async ValueTask<IReadOnlyList<ReplicaRecord>> UpdateReplicasAsync(IReadOnlyList<ReplicaRecord> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        return await AllOrNothingAsync<IReadOnlyList<ReplicaRecord>>(async () =>
        {
            var rows = new ReplicaRecord[replicas.Count];
            for (int i = 0; i < rows.Length; i++)
            {
                rows[i] = await UpdateReplicaAsync(replicas[i]);
            }

            return rows;
        });
    }

    /// <summary>
    /// Moves the deadline of every <see cref="ReplicaState.Creating"/> and <see cref="ReplicaState.Stalled"/> row later by
    /// <paramref name="by"/> (a Librarian outage, docs/hsm/replicas.md#deadlines-and-librarian-outages), as one set-wise write that moves their versions on.
    /// </summary>
    /// <param name="by">The extension (positive).</param>
    /// <returns>How many rows moved.</returns>
    ValueTask<int> ExtendDeadlinesAsync(TimeSpan by);

    /// <summary>Removes up to <paramref name="max"/> <see cref="ReplicaState.Deleted"/> rows last updated before <paramref name="before"/>.</summary>
    /// <param name="before">The cut-off.</param>
    /// <param name="max">The most rows removed.</param>
    /// <returns>How many were removed.</returns>
    ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max);

    /// <summary>A named instant the Librarian keeps (its checker's last run, to detect its own outages).</summary>
    /// <param name="name">The name.</param>
    ValueTask<DateTimeOffset?> GetCheckpointAsync(string name);

    /// <summary>Sets a named instant.</summary>
    /// <param name="name">The name.</param>
    /// <param name="at">The instant.</param>
    ValueTask SetCheckpointAsync(string name, DateTimeOffset at);

    /// <summary>Appends audit rows (R7).</summary>
    /// <param name="transitions">The rows.</param>
    ValueTask AddTransitionsAsync(IReadOnlyList<ReplicaTransitionRecord> transitions);

    /// <summary>The audit rows of one file, oldest first.</summary>
    /// <param name="fileId">The file.</param>
    ValueTask<IReadOnlyList<ReplicaTransitionRecord>> GetTransitionsAsync(long fileId);

    /// <summary>Commits durably.</summary>
    /// <param name="ct">Cancels before the commit starts.</param>
    ValueTask CommitAsync(CancellationToken ct = default);
}
