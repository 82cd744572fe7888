using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// One READ COMMITTED transaction of <see cref="PostgresReplicaCatalog"/>. Inserts check the key and the unique indexes in
/// the statement (<c>ON CONFLICT DO NOTHING</c>) and a replica update runs under a savepoint, so a refused write leaves
/// the transaction usable, as on the other stores; set reads take arrays (<c>= ANY($1)</c>) in one statement.
/// </summary>
internal sealed class PostgresReplicaTransaction(PostgresCatalog catalog, NpgsqlConnection connection, NpgsqlTransaction txn, DateTimeOffset now)
    : PostgresTransaction(catalog, connection, txn, now), IReplicaTransaction
{
    private static readonly string[] NodeColumns =
        ["node_id", "state", "state_since", "next_heartbeat_due", "report_seq", "digest_wanted", "address", "registered_at"];

    private static readonly string[] FileColumns =
        ["file_id", "needed_replicas", "size", "checksum_type", "checksum_value", "created_at", "deleted_at"];

    private static readonly string[] ReplicaColumns =
    [
        "file_id", "node_id", "reference_id", "state", "transfer_id", "size", "checksum_type", "checksum_value", "source_kind", "source_node_id",
        "created_at", "updated_at", "deadline", "started_at", "last_checked_at",
    ];

    private static readonly string NodeSelect = $"SELECT {string.Join(", ", NodeColumns)}, row_version FROM replica_nodes";
    private static readonly string FileSelect = $"SELECT {string.Join(", ", FileColumns)}, row_version FROM replica_files";
    private static readonly string ReplicaSelect = $"SELECT {string.Join(", ", ReplicaColumns)}, row_version FROM replicas";

    private static readonly string NodeInsert =
        $"INSERT INTO replica_nodes ({string.Join(", ", NodeColumns)}, row_version) VALUES ({Placeholders(NodeColumns.Length + 1)}) ON CONFLICT DO NOTHING";

    private static readonly string FileInsert =
        $"INSERT INTO replica_files ({string.Join(", ", FileColumns)}, row_version) VALUES ({Placeholders(FileColumns.Length + 1)}) ON CONFLICT DO NOTHING";

    // Without a conflict target, DO NOTHING covers every unique index: the key, the transfer id, one live row per node.
    private static readonly string ReplicaInsert =
        $"INSERT INTO replicas ({string.Join(", ", ReplicaColumns)}, row_version) VALUES ({Placeholders(ReplicaColumns.Length + 1)}) ON CONFLICT DO NOTHING";

    private static readonly string NodeUpdate = VersionedUpdate("replica_nodes", NodeColumns);
    private static readonly string FileUpdate = VersionedUpdate("replica_files", FileColumns);
    private static readonly string ReplicaUpdate = VersionedUpdate("replicas", ReplicaColumns, skipColumns: 2, extraPredicate: "node_id = $2 AND reference_id = $3");

    public async ValueTask<NodeRecord?> GetNodeAsync(string nodeId) =>
        (await QueryAsync($"{NodeSelect} WHERE node_id = $1", ReadNode, nodeId)).FirstOrDefault();

    public async ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync() =>
        await QueryAsync($"{NodeSelect} ORDER BY node_id", ReadNode);

    public async ValueTask InsertNodeAsync(NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(node.NodeId);
        if (await ExecuteAsync(NodeInsert, [.. NodeValues(node), node.RowVersion]) == 0)
        {
            throw new CatalogConstraintException($"Node '{node.NodeId}' already exists.");
        }
    }

    public async ValueTask<NodeRecord> UpdateNodeAsync(NodeRecord node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return await UpdateVersionedAsync(NodeUpdate, NodeValues(node), node.RowVersion, ReadNode, "replica_nodes", "node_id", "node", node.NodeId);
    }

    public async ValueTask<ReplicaFileRecord?> GetFileAsync(long fileId) =>
        (await QueryAsync($"{FileSelect} WHERE file_id = $1", ReadFile, fileId)).FirstOrDefault();

    public async ValueTask<IReadOnlyList<ReplicaFileRecord>> GetFilesAsync(long afterFileId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await QueryAsync($"{FileSelect} WHERE file_id > $1 ORDER BY file_id LIMIT $2", ReadFile, afterFileId, limit);
    }

    public async ValueTask InsertFileAsync(ReplicaFileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (file.NeededReplicas < 1)
        {
            throw new ArgumentException("A replicated file needs at least one replica.", nameof(file));
        }

        if (await ExecuteAsync(FileInsert, [.. FileValues(file), file.RowVersion]) == 0)
        {
            throw new CatalogConstraintException($"Replicated file {file.FileId} already exists.");
        }
    }

    public async ValueTask InsertFilesAsync(IReadOnlyList<ReplicaFileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Any(f => f.NeededReplicas < 1))
        {
            throw new ArgumentException("A replicated file needs at least one replica.", nameof(files));
        }

        // One statement for the batch (the columns as parallel arrays); a row the store refuses makes the count fall short,
        // and the savepoint takes the others back.
        _ = await AllOrNothingAsync(async () =>
        {
            int inserted = await ExecuteAsync($"""
                INSERT INTO replica_files ({string.Join(", ", FileColumns)}, row_version)
                SELECT * FROM unnest($1::bigint[], $2::integer[], $3::bigint[], $4::text[], $5::text[], $6::timestamptz[], $7::timestamptz[], $8::bigint[])
                ON CONFLICT DO NOTHING
                """,
                files.Select(f => f.FileId).ToArray(), files.Select(f => f.NeededReplicas).ToArray(), files.Select(f => f.Size).ToArray(),
                files.Select(f => f.Checksum.Type).ToArray(), files.Select(f => f.Checksum.Value).ToArray(), files.Select(f => f.CreatedAt.ToUniversalTime()).ToArray(),
                files.Select(f => f.DeletedAt?.ToUniversalTime()).ToArray(), files.Select(f => f.RowVersion).ToArray());
            return inserted == files.Count ? inserted : throw new CatalogConstraintException(
                $"{files.Count - inserted} of {files.Count} replicated files cannot be inserted: they exist (or appear twice in the batch).");
        });
    }

    public async ValueTask<ReplicaFileRecord> UpdateFileAsync(ReplicaFileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return await UpdateVersionedAsync(FileUpdate, FileValues(file), file.RowVersion, ReadFile, "replica_files", "file_id", "replicated file", Id(file.FileId));
    }

    public async ValueTask<ReplicaRecord?> GetReplicaAsync(Guid transferId) =>
        (await QueryAsync($"{ReplicaSelect} WHERE transfer_id = $1", ReadReplica, transferId)).FirstOrDefault();

    public async ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFileAsync(long fileId, bool includeDeleted = false) =>
        await QueryAsync($"{ReplicaSelect} WHERE file_id = $1 {(includeDeleted ? "" : "AND state <> 'DELETED'")} ORDER BY node_id, reference_id",
            ReadReplica, fileId);

    public async ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFilesAsync(IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        return fileIds.Count == 0 ? [] : await QueryAsync(
            $"{ReplicaSelect} WHERE file_id = ANY($1) AND state <> 'DELETED' ORDER BY file_id, node_id, reference_id", ReadReplica, fileIds.Distinct().ToArray());
    }

    public async ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfNodeAsync(string nodeId, long afterFileId, int limit, ReplicaState? state = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await QueryAsync($"""
            {ReplicaSelect} WHERE node_id = $1 AND file_id > $2 AND state <> 'DELETED' AND ($3::text IS NULL OR state = $3)
            ORDER BY file_id, reference_id LIMIT $4
            """, ReadReplica, nodeId, afterFileId, state is { } s ? ReplicaStateNames.Of(s) : null, limit);
    }

    public async ValueTask<IReadOnlyList<(long FileId, ReplicaState State)>> GetReplicaStatesOfNodeAsync(string nodeId, long afterFileId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await QueryAsync(
            "SELECT file_id, state FROM replicas WHERE node_id = $1 AND file_id > $2 AND state <> 'DELETED' ORDER BY file_id LIMIT $3",
            r => (r.GetInt64(0), ReplicaStateNames.ParseReplicaState(r.GetString(1))), nodeId, afterFileId, limit);
    }

    public async ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOnNodeAsync(string nodeId, IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        return fileIds.Count == 0 ? [] : await QueryAsync(
            $"{ReplicaSelect} WHERE node_id = $1 AND file_id = ANY($2) AND state <> 'DELETED' ORDER BY file_id", ReadReplica, nodeId, fileIds.Distinct().ToArray());
    }

    public async ValueTask<IReadOnlyList<ReplicaRecord>> GetTransfersAsync(string? sourceNodeId, string? targetNodeId, ReplicaSourceKind? sourceKind, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await QueryAsync($"""
            {ReplicaSelect} WHERE state = 'CREATING'
            AND ($1::text IS NULL OR source_node_id = $1) AND ($2::text IS NULL OR node_id = $2) AND ($3::text IS NULL OR source_kind = $3)
            ORDER BY created_at, transfer_id LIMIT $4
            """, ReadReplica, sourceNodeId, targetNodeId, sourceKind is { } k ? ReplicaStateNames.Of(k) : null, limit);
    }

    public async ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasDueAsync(DateTimeOffset until, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return await QueryAsync(
            $"{ReplicaSelect} WHERE state IN ('CREATING', 'STALLED') AND deadline <= $1 ORDER BY deadline, transfer_id LIMIT $2", ReadReplica, until, limit);
    }

    public async ValueTask<IReadOnlyDictionary<string, long>> CountReplicasByNodeAsync() =>
        (await QueryAsync(
            "SELECT node_id, sum(replicas)::bigint FROM replica_node_counts GROUP BY node_id HAVING sum(replicas) > 0 ORDER BY node_id",
            r => (Node: r.GetString(0), Count: r.GetInt64(1)))).ToDictionary(x => x.Node, x => x.Count, StringComparer.Ordinal);

    public async ValueTask InsertReplicaAsync(ReplicaRecord replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        Validate(replica);
        if (await ExecuteAsync(ReplicaInsert, [.. ReplicaValues(replica), replica.RowVersion]) == 0)
        {
            throw new CatalogConstraintException(
                $"Replica ({replica.FileId}, '{replica.NodeId}', '{replica.ReferenceId}') cannot be inserted: it exists, its transfer id {replica.TransferId} is in use, or the node already holds a live replica of the file.");
        }
    }

    public async ValueTask InsertReplicasAsync(IReadOnlyList<ReplicaRecord> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        foreach (ReplicaRecord r in replicas)
        {
            Validate(r);
        }

        _ = await AllOrNothingAsync(async () =>
        {
            int inserted = await ExecuteAsync($"""
                INSERT INTO replicas ({string.Join(", ", ReplicaColumns)}, row_version)
                SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
                    $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::bigint[])
                ON CONFLICT DO NOTHING
                """,
                ReplicaArrays(replicas));
            return inserted == replicas.Count ? inserted : throw new CatalogConstraintException(
                $"{replicas.Count - inserted} of {replicas.Count} replicas cannot be inserted: a key or transfer id exists, or a node would hold two live replicas of a file.");
        });
    }

    public async ValueTask<ReplicaRecord> UpdateReplicaAsync(ReplicaRecord replica)
    {
        ArgumentNullException.ThrowIfNull(replica);
        Validate(replica);
        object?[] values = ReplicaValues(replica);
        string id = $"{replica.FileId}/{replica.NodeId}/{replica.ReferenceId}";
        // A new transfer id or a row coming back to life can meet a unique index: the savepoint keeps the transaction usable.
        List<ReplicaRecord> rows = await AtomicAsync(
            async () => await QueryAsync(ReplicaUpdate, ReadReplica, [.. values, replica.RowVersion]),
            $"Replica ({replica.FileId}, '{replica.NodeId}', '{replica.ReferenceId}') cannot be written: its transfer id {replica.TransferId} is in use, or the node already holds a live replica of the file.");
        if (rows.Count == 1)
        {
            return rows[0];
        }

        if (await ScalarAsync("SELECT row_version FROM replicas WHERE file_id = $1 AND node_id = $2 AND reference_id = $3", values[0], values[1], values[2]) is not long)
        {
            throw new CatalogConstraintException($"The replica row {id} does not exist.");
        }

        throw new CatalogConflictException("replica", id, replica.RowVersion);
    }

    public async ValueTask<IReadOnlyList<ReplicaRecord>> UpdateReplicasAsync(IReadOnlyList<ReplicaRecord> replicas)
    {
        ArgumentNullException.ThrowIfNull(replicas);
        if (replicas.Count <= 1)
        {
            return replicas.Count == 0 ? [] : [await UpdateReplicaAsync(replicas[0])];
        }

        foreach (ReplicaRecord r in replicas)
        {
            Validate(r);
        }

        // One statement for the report's rows, each conditional on its version; when one is missing or newer, the
        // statement's count falls short, the culprit is named, and the savepoint takes the others back.
        return await AllOrNothingAsync<IReadOnlyList<ReplicaRecord>>(async () =>
        {
            string set = string.Join(", ", ReplicaColumns.Skip(3).Select(c => $"{c} = x.{c}"));
            List<ReplicaRecord> rows = await QueryAsync($"""
                UPDATE replicas AS r SET {set}, row_version = r.row_version + 1
                FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::uuid[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[],
                    $11::timestamptz[], $12::timestamptz[], $13::timestamptz[], $14::timestamptz[], $15::timestamptz[], $16::bigint[])
                    AS x({string.Join(", ", ReplicaColumns)}, row_version)
                WHERE r.file_id = x.file_id AND r.node_id = x.node_id AND r.reference_id = x.reference_id AND r.row_version = x.row_version
                RETURNING {string.Join(", ", ReplicaColumns.Select(c => "r." + c))}, r.row_version
                """, ReadReplica, ReplicaArrays(replicas));
            var byKey = rows.ToDictionary(r => (r.FileId, r.NodeId, r.ReferenceId));
            var stored = new ReplicaRecord[replicas.Count];
            for (int i = 0; i < stored.Length; i++)
            {
                ReplicaRecord r = replicas[i];
                if (!byKey.TryGetValue((r.FileId, r.NodeId, r.ReferenceId), out ReplicaRecord? row))
                {
                    string id = $"{r.FileId}/{r.NodeId}/{r.ReferenceId}";
                    throw await ScalarAsync("SELECT row_version FROM replicas WHERE file_id = $1 AND node_id = $2 AND reference_id = $3", r.FileId, r.NodeId, r.ReferenceId) is long
                        ? new CatalogConflictException("replica", id, r.RowVersion)
                        : new CatalogConstraintException($"The replica row {id} does not exist.");
                }

                stored[i] = row;
            }

            return stored;
        });
    }

    public ValueTask<T> AllOrNothingAsync<T>(Func<ValueTask<T>> writes) => AtomicAsync(writes, refusal: null);

    public async ValueTask<int> ExtendDeadlinesAsync(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(by, TimeSpan.Zero);
        return await ExecuteAsync(
            "UPDATE replicas SET deadline = deadline + $1, row_version = row_version + 1 WHERE state IN ('CREATING', 'STALLED') AND deadline IS NOT NULL", by);
    }

    public async ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return await ExecuteAsync("""
            DELETE FROM replicas WHERE (file_id, node_id, reference_id) IN (
                SELECT file_id, node_id, reference_id FROM replicas WHERE state = 'DELETED' AND updated_at < $1 ORDER BY updated_at LIMIT $2)
            """, before, max);
    }

    public async ValueTask<DateTimeOffset?> GetCheckpointAsync(string name) =>
        await ScalarAsync("SELECT at FROM replica_checkpoints WHERE name = $1", name) is DateTime at ? new DateTimeOffset(at, TimeSpan.Zero) : null;

    public async ValueTask SetCheckpointAsync(string name, DateTimeOffset at) =>
        _ = await ExecuteAsync("INSERT INTO replica_checkpoints (name, at) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET at = excluded.at", name, at);

    public async ValueTask AddTransitionsAsync(IReadOnlyList<ReplicaTransitionRecord> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        if (transitions.Count == 0)
        {
            return;
        }

        // One statement for the batch: the columns travel as parallel arrays.
        _ = await ExecuteAsync("""
            INSERT INTO replica_transitions (file_id, node_id, transfer_id, from_state, to_state, rule, actor, reason, at)
            SELECT * FROM unnest($1::bigint[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
            """,
            transitions.Select(t => t.FileId).ToArray(), transitions.Select(t => t.NodeId).ToArray(), transitions.Select(t => t.TransferId).ToArray(),
            transitions.Select(t => t.From is { } f ? ReplicaStateNames.Of(f) : null).ToArray(), transitions.Select(t => ReplicaStateNames.Of(t.To)).ToArray(),
            transitions.Select(t => t.Rule).ToArray(), transitions.Select(t => t.Actor.ToString()).ToArray(), transitions.Select(t => t.Reason).ToArray(),
            transitions.Select(t => t.At.ToUniversalTime()).ToArray());
    }

    public async ValueTask<IReadOnlyList<ReplicaTransitionRecord>> GetTransitionsAsync(long fileId) =>
        await QueryAsync("""
            SELECT file_id, node_id, transfer_id, from_state, to_state, rule, actor, reason, at FROM replica_transitions
            WHERE file_id = $1 ORDER BY seq
            """, r => new ReplicaTransitionRecord(r.GetInt64(0), r.GetString(1), r.GetGuid(2),
                r.IsDBNull(3) ? null : ReplicaStateNames.ParseReplicaState(r.GetString(3)), ReplicaStateNames.ParseReplicaState(r.GetString(4)),
                r.GetString(5), Enum.Parse<ReplicaActor>(r.GetString(6)), Text(r, 7), r.GetFieldValue<DateTimeOffset>(8)), fileId);

    private static void Validate(ReplicaRecord r)
    {
        ArgumentException.ThrowIfNullOrEmpty(r.NodeId);
        ArgumentException.ThrowIfNullOrEmpty(r.ReferenceId);
        if (r.State == ReplicaState.Offline)
        {
            throw new ArgumentException("OFFLINE is derived from the node row and is never stored in a replica row.", nameof(r));
        }
    }

    private static object?[] NodeValues(NodeRecord n) =>
        [n.NodeId, ReplicaStateNames.Of(n.State), n.StateSince, n.NextHeartbeatDue, n.ReportSeq, n.DigestWanted, n.Address, n.RegisteredAt];

    private static object?[] FileValues(ReplicaFileRecord f) =>
        [f.FileId, f.NeededReplicas, f.Size, f.Checksum.Type, f.Checksum.Value, f.CreatedAt, f.DeletedAt];

    private static object?[] ReplicaValues(ReplicaRecord r) =>
    [
        r.FileId, r.NodeId, r.ReferenceId, ReplicaStateNames.Of(r.State), r.TransferId, r.Size, r.Checksum.Type, r.Checksum.Value,
        ReplicaStateNames.Of(r.SourceKind), r.SourceNodeId, r.CreatedAt, r.UpdatedAt, r.Deadline, r.StartedAt, r.LastCheckedAt,
    ];

    /// <summary>The rows as one array per column (<see cref="ReplicaColumns"/>, then the row versions), for <c>unnest</c>.</summary>
    private static object?[] ReplicaArrays(IReadOnlyList<ReplicaRecord> replicas) =>
    [
        replicas.Select(r => r.FileId).ToArray(), replicas.Select(r => r.NodeId).ToArray(), replicas.Select(r => r.ReferenceId).ToArray(),
        replicas.Select(r => ReplicaStateNames.Of(r.State)).ToArray(), replicas.Select(r => r.TransferId).ToArray(), replicas.Select(r => r.Size).ToArray(),
        replicas.Select(r => r.Checksum.Type).ToArray(), replicas.Select(r => r.Checksum.Value).ToArray(),
        replicas.Select(r => ReplicaStateNames.Of(r.SourceKind)).ToArray(), replicas.Select(r => r.SourceNodeId).ToArray(),
        replicas.Select(r => r.CreatedAt.ToUniversalTime()).ToArray(), replicas.Select(r => r.UpdatedAt.ToUniversalTime()).ToArray(),
        replicas.Select(r => r.Deadline?.ToUniversalTime()).ToArray(), replicas.Select(r => r.StartedAt?.ToUniversalTime()).ToArray(),
        replicas.Select(r => r.LastCheckedAt?.ToUniversalTime()).ToArray(), replicas.Select(r => r.RowVersion).ToArray(),
    ];

    private static NodeRecord ReadNode(NpgsqlDataReader r) => new()
    {
        NodeId = r.GetString(0),
        State = ReplicaStateNames.ParseNodeState(r.GetString(1)),
        StateSince = r.GetFieldValue<DateTimeOffset>(2),
        NextHeartbeatDue = r.GetFieldValue<DateTimeOffset>(3),
        ReportSeq = r.GetInt64(4),
        DigestWanted = r.GetBoolean(5),
        Address = Text(r, 6),
        RegisteredAt = r.GetFieldValue<DateTimeOffset>(7),
        RowVersion = r.GetInt64(8),
    };

    private static ReplicaFileRecord ReadFile(NpgsqlDataReader r) => new()
    {
        FileId = r.GetInt64(0),
        NeededReplicas = r.GetInt32(1),
        Size = r.GetInt64(2),
        Checksum = new Checksum(r.GetString(3), r.GetString(4)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(5),
        DeletedAt = At(r, 6),
        RowVersion = r.GetInt64(7),
    };

    private static ReplicaRecord ReadReplica(NpgsqlDataReader r) => new()
    {
        FileId = r.GetInt64(0),
        NodeId = r.GetString(1),
        ReferenceId = r.GetString(2),
        State = ReplicaStateNames.ParseReplicaState(r.GetString(3)),
        TransferId = r.GetGuid(4),
        Size = r.GetInt64(5),
        Checksum = new Checksum(r.GetString(6), r.GetString(7)),
        SourceKind = ReplicaStateNames.ParseSourceKind(r.GetString(8)),
        SourceNodeId = Text(r, 9),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(10),
        UpdatedAt = r.GetFieldValue<DateTimeOffset>(11),
        Deadline = At(r, 12),
        StartedAt = At(r, 13),
        LastCheckedAt = At(r, 14),
        RowVersion = r.GetInt64(15),
    };
}
