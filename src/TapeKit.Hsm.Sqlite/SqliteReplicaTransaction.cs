using System.Globalization;
using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Sqlite;

/// <summary>One <c>BEGIN IMMEDIATE</c> transaction of <see cref="SqliteReplicaCatalog"/>.</summary>
internal sealed class SqliteReplicaTransaction : SqliteStoreTransaction, IReplicaTransaction
{
    private const string NodeColumns = "node_id, state, state_since, next_heartbeat_due, report_seq, digest_wanted, address, registered_at";
    private const string FileColumns = "file_id, needed_replicas, size, checksum_type, checksum_value, created_at, deleted_at";
    private const string ReplicaColumns = """
        file_id, node_id, reference_id, state, transfer_id, size, checksum_type, checksum_value, source_kind, source_node_id,
        created_at, updated_at, deadline, started_at, last_checked_at
        """;

    /// <summary>SQLite's limit on host parameters is 32 766; sets are read in chunks well under it.</summary>
    private const int Chunk = 900;

    public SqliteReplicaTransaction(SqliteHsmStore store, SqliteSession session, SqliteTransaction txn, IDisposable writer, DateTimeOffset now)
        : base(store, session, txn, writer, now)
    {
    }

    public ValueTask<NodeRecord?> GetNodeAsync(string nodeId) =>
        Ok(ReadNodes($"SELECT {NodeColumns}, row_version FROM replica_nodes WHERE node_id = $id", ("$id", nodeId)).FirstOrDefault());

    public ValueTask<IReadOnlyList<NodeRecord>> GetNodesAsync() =>
        Ok<IReadOnlyList<NodeRecord>>(ReadNodes($"SELECT {NodeColumns}, row_version FROM replica_nodes ORDER BY node_id"));

    public ValueTask InsertNodeAsync(NodeRecord node)
    {
        Live();
        ArgumentNullException.ThrowIfNull(node);
        ArgumentException.ThrowIfNullOrEmpty(node.NodeId);
        try
        {
            Execute($"INSERT INTO replica_nodes ({NodeColumns}, row_version) VALUES ({Placeholders(9)})", [.. NodeValues(node), ("$p8", node.RowVersion)]);
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"Node '{node.NodeId}' already exists.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<NodeRecord> UpdateNodeAsync(NodeRecord node)
    {
        Live();
        ArgumentNullException.ThrowIfNull(node);
        UpdateVersioned("replica_nodes", "node_id = $p0", NodeColumns, NodeValues(node), node.RowVersion, "node", node.NodeId);
        return Ok(node with { RowVersion = node.RowVersion + 1 });
    }

    public ValueTask<ReplicaFileRecord?> GetFileAsync(long fileId) =>
        Ok(ReadFiles($"SELECT {FileColumns}, row_version FROM replica_files WHERE file_id = $id", ("$id", fileId)).FirstOrDefault());

    public ValueTask<IReadOnlyList<ReplicaFileRecord>> GetFilesAsync(long afterFileId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Ok<IReadOnlyList<ReplicaFileRecord>>(ReadFiles(
            $"SELECT {FileColumns}, row_version FROM replica_files WHERE file_id > $after ORDER BY file_id LIMIT $limit", ("$after", afterFileId), ("$limit", limit)));
    }

    public ValueTask InsertFileAsync(ReplicaFileRecord file)
    {
        Live();
        ArgumentNullException.ThrowIfNull(file);
        if (file.NeededReplicas < 1)
        {
            throw new ArgumentException("A replicated file needs at least one replica.", nameof(file));
        }

        try
        {
            Execute($"INSERT INTO replica_files ({FileColumns}, row_version) VALUES ({Placeholders(8)})", [.. FileValues(file), ("$p7", file.RowVersion)]);
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"Replicated file {file.FileId} already exists.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<ReplicaFileRecord> UpdateFileAsync(ReplicaFileRecord file)
    {
        Live();
        ArgumentNullException.ThrowIfNull(file);
        UpdateVersioned("replica_files", "file_id = $p0", FileColumns, FileValues(file), file.RowVersion, "replicated file",
            file.FileId.ToString(CultureInfo.InvariantCulture));
        return Ok(file with { RowVersion = file.RowVersion + 1 });
    }

    public ValueTask<ReplicaRecord?> GetReplicaAsync(Guid transferId) =>
        Ok(ReadReplicas($"SELECT {ReplicaColumns}, row_version FROM replicas WHERE transfer_id = $id", ("$id", transferId.ToString("N"))).FirstOrDefault());

    public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFileAsync(long fileId, bool includeDeleted = false) =>
        Ok<IReadOnlyList<ReplicaRecord>>(ReadReplicas(
            $"SELECT {ReplicaColumns}, row_version FROM replicas WHERE file_id = $id {(includeDeleted ? "" : "AND state <> 'DELETED'")} ORDER BY node_id, reference_id",
            ("$id", fileId)));

    public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfFilesAsync(IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var rows = new List<ReplicaRecord>();
        foreach (long[] chunk in fileIds.Distinct().Order().Chunk(Chunk))
        {
            rows.AddRange(ReadReplicas(
                $"SELECT {ReplicaColumns}, row_version FROM replicas WHERE file_id IN ({InList(chunk.Length)}) AND state <> 'DELETED' ORDER BY file_id, node_id, reference_id",
                InArgs(chunk)));
        }

        return Ok<IReadOnlyList<ReplicaRecord>>(rows);
    }

    public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOfNodeAsync(string nodeId, long afterFileId, int limit, ReplicaState? state = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Ok<IReadOnlyList<ReplicaRecord>>(ReadReplicas(
            $"""
            SELECT {ReplicaColumns}, row_version FROM replicas
            WHERE node_id = $node AND file_id > $after AND state <> 'DELETED' {(state is null ? "" : "AND state = $state")}
            ORDER BY file_id, reference_id LIMIT $limit
            """,
            ("$node", nodeId), ("$after", afterFileId), ("$limit", limit), ("$state", state is { } s ? ReplicaStateNames.Of(s) : null)));
    }

    public ValueTask<IReadOnlyList<(long FileId, ReplicaState State)>> GetReplicaStatesOfNodeAsync(string nodeId, long afterFileId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        SqliteCommand cmd = Command(
            "SELECT file_id, state FROM replicas WHERE node_id = $node AND file_id > $after AND state <> 'DELETED' ORDER BY file_id LIMIT $limit",
            ("$node", nodeId), ("$after", afterFileId), ("$limit", limit));
        var pairs = new List<(long, ReplicaState)>();
        using SqliteDataReader r = Translated(cmd.ExecuteReader);
        while (r.Read())
        {
            pairs.Add((r.GetInt64(0), ReplicaStateNames.ParseReplicaState(r.GetString(1))));
        }

        return Ok<IReadOnlyList<(long, ReplicaState)>>(pairs);
    }

    public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasOnNodeAsync(string nodeId, IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var rows = new List<ReplicaRecord>();
        foreach (long[] chunk in fileIds.Distinct().Order().Chunk(Chunk))
        {
            rows.AddRange(ReadReplicas(
                $"SELECT {ReplicaColumns}, row_version FROM replicas WHERE node_id = $node AND file_id IN ({InList(chunk.Length)}) AND state <> 'DELETED' ORDER BY file_id",
                [.. InArgs(chunk), ("$node", nodeId)]));
        }

        return Ok<IReadOnlyList<ReplicaRecord>>(rows);
    }

    public ValueTask<IReadOnlyList<ReplicaRecord>> GetTransfersAsync(string? sourceNodeId, string? targetNodeId, ReplicaSourceKind? sourceKind, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Ok<IReadOnlyList<ReplicaRecord>>(ReadReplicas(
            $"""
            SELECT {ReplicaColumns}, row_version FROM replicas WHERE state = 'CREATING'
            {(sourceNodeId is null ? "" : "AND source_node_id = $src")} {(targetNodeId is null ? "" : "AND node_id = $dst")}
            {(sourceKind is null ? "" : "AND source_kind = $kind")}
            ORDER BY created_at, transfer_id LIMIT $limit
            """,
            ("$src", sourceNodeId), ("$dst", targetNodeId), ("$kind", sourceKind is { } k ? ReplicaStateNames.Of(k) : null), ("$limit", limit)));
    }

    public ValueTask<IReadOnlyList<ReplicaRecord>> GetReplicasDueAsync(DateTimeOffset until, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return Ok<IReadOnlyList<ReplicaRecord>>(ReadReplicas(
            $"""
            SELECT {ReplicaColumns}, row_version FROM replicas
            WHERE state IN ('CREATING', 'STALLED') AND deadline <= $until ORDER BY deadline, transfer_id LIMIT $limit
            """,
            ("$until", Ms(until)), ("$limit", limit)));
    }

    public ValueTask<IReadOnlyDictionary<string, long>> CountReplicasByNodeAsync()
    {
        SqliteCommand cmd = Command("SELECT node_id, replicas FROM replica_node_counts WHERE replicas > 0");
        using SqliteDataReader r = Translated(cmd.ExecuteReader);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read())
        {
            counts[r.GetString(0)] = r.GetInt64(1);
        }

        return Ok<IReadOnlyDictionary<string, long>>(counts);
    }

    public ValueTask InsertReplicaAsync(ReplicaRecord replica)
    {
        Live();
        ArgumentNullException.ThrowIfNull(replica);
        Validate(replica);
        try
        {
            Execute($"INSERT INTO replicas ({ReplicaColumns}, row_version) VALUES ({Placeholders(16)})", [.. ReplicaValues(replica), ("$p15", replica.RowVersion)]);
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException(
                $"Replica ({replica.FileId}, '{replica.NodeId}', '{replica.ReferenceId}') cannot be inserted: it exists, its transfer id {replica.TransferId} is in use, or the node already holds a live replica of the file.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<ReplicaRecord> UpdateReplicaAsync(ReplicaRecord replica)
    {
        Live();
        ArgumentNullException.ThrowIfNull(replica);
        Validate(replica);
        try
        {
            UpdateVersioned("replicas", "file_id = $p0 AND node_id = $p1 AND reference_id = $p2", ReplicaColumns, ReplicaValues(replica), replica.RowVersion,
                "replica", $"{replica.FileId}/{replica.NodeId}/{replica.ReferenceId}", keyColumns: 3);
        }
        catch (CatalogConstraintException e) when (e.InnerException is not null)
        {
            throw new CatalogConstraintException(
                $"Replica ({replica.FileId}, '{replica.NodeId}', '{replica.ReferenceId}') cannot be written: its transfer id {replica.TransferId} is in use, or the node already holds a live replica of the file.", e);
        }

        return Ok(replica with { RowVersion = replica.RowVersion + 1 });
    }

    public ValueTask<int> ExtendDeadlinesAsync(TimeSpan by)
    {
        Live();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(by, TimeSpan.Zero);
        return Ok(Execute(
            "UPDATE replicas SET deadline = deadline + $by, row_version = row_version + 1 WHERE state IN ('CREATING', 'STALLED') AND deadline IS NOT NULL",
            ("$by", (long)by.TotalMilliseconds)));
    }

    public ValueTask<int> PruneDeletedAsync(DateTimeOffset before, int max)
    {
        Live();
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        return Ok(Execute("""
            DELETE FROM replicas WHERE (file_id, node_id, reference_id) IN (
                SELECT file_id, node_id, reference_id FROM replicas WHERE state = 'DELETED' AND updated_at < $before ORDER BY updated_at LIMIT $max)
            """, ("$before", Ms(before)), ("$max", max)));
    }

    public ValueTask<DateTimeOffset?> GetCheckpointAsync(string name) =>
        Ok(Scalar("SELECT at FROM replica_checkpoints WHERE name = $n", ("$n", name)) is long ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null);

    public ValueTask SetCheckpointAsync(string name, DateTimeOffset at)
    {
        Live();
        Execute("INSERT INTO replica_checkpoints (name, at) VALUES ($n, $at) ON CONFLICT (name) DO UPDATE SET at = excluded.at", ("$n", name), ("$at", Ms(at)));
        return ValueTask.CompletedTask;
    }

    public ValueTask AddTransitionsAsync(IReadOnlyList<ReplicaTransitionRecord> transitions)
    {
        Live();
        ArgumentNullException.ThrowIfNull(transitions);
        if (transitions.Count == 0)
        {
            return ValueTask.CompletedTask;
        }

        SqliteCommand cmd = Command("""
            INSERT INTO replica_transitions (file_id, node_id, transfer_id, from_state, to_state, rule, actor, reason, at)
            VALUES ($file, $node, $transfer, $from, $to, $rule, $actor, $reason, $at)
            """, ("$file", 0L), ("$node", ""), ("$transfer", ""), ("$from", null), ("$to", ""), ("$rule", ""), ("$actor", ""), ("$reason", null), ("$at", 0L));
        foreach (ReplicaTransitionRecord t in transitions)
        {
            cmd.Parameters["$file"].Value = t.FileId;
            cmd.Parameters["$node"].Value = t.NodeId;
            cmd.Parameters["$transfer"].Value = t.TransferId.ToString("N");
            cmd.Parameters["$from"].Value = t.From is { } f ? ReplicaStateNames.Of(f) : DBNull.Value;
            cmd.Parameters["$to"].Value = ReplicaStateNames.Of(t.To);
            cmd.Parameters["$rule"].Value = t.Rule;
            cmd.Parameters["$actor"].Value = t.Actor.ToString();
            cmd.Parameters["$reason"].Value = (object?)t.Reason ?? DBNull.Value;
            cmd.Parameters["$at"].Value = Ms(t.At);
            _ = Translated(cmd.ExecuteNonQuery);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<ReplicaTransitionRecord>> GetTransitionsAsync(long fileId)
    {
        SqliteCommand cmd = Command("""
            SELECT file_id, node_id, transfer_id, from_state, to_state, rule, actor, reason, at FROM replica_transitions
            WHERE file_id = $id ORDER BY seq
            """, ("$id", fileId));
        using SqliteDataReader r = Translated(cmd.ExecuteReader);
        var rows = new List<ReplicaTransitionRecord>();
        while (r.Read())
        {
            rows.Add(new ReplicaTransitionRecord(r.GetInt64(0), r.GetString(1), Guid.ParseExact(r.GetString(2), "N"),
                r.IsDBNull(3) ? null : ReplicaStateNames.ParseReplicaState(r.GetString(3)), ReplicaStateNames.ParseReplicaState(r.GetString(4)),
                r.GetString(5), Enum.Parse<ReplicaActor>(r.GetString(6)), SqliteCatalog.Text(r, 7), SqliteCatalog.At(r, 8)!.Value));
        }

        return Ok<IReadOnlyList<ReplicaTransitionRecord>>(rows);
    }

    private static void Validate(ReplicaRecord r)
    {
        ArgumentException.ThrowIfNullOrEmpty(r.NodeId);
        ArgumentException.ThrowIfNullOrEmpty(r.ReferenceId);
        if (r.State == ReplicaState.Offline)
        {
            throw new ArgumentException("OFFLINE is derived from the node row and is never stored in a replica row.", nameof(r));
        }
    }

    private static (string, object?)[] NodeValues(NodeRecord n) =>
    [
        ("$p0", n.NodeId), ("$p1", ReplicaStateNames.Of(n.State)), ("$p2", Ms(n.StateSince)), ("$p3", Ms(n.NextHeartbeatDue)),
        ("$p4", n.ReportSeq), ("$p5", n.DigestWanted ? 1 : 0), ("$p6", n.Address), ("$p7", Ms(n.RegisteredAt)),
    ];

    private static (string, object?)[] FileValues(ReplicaFileRecord f) =>
    [
        ("$p0", f.FileId), ("$p1", f.NeededReplicas), ("$p2", f.Size), ("$p3", f.Checksum.Type), ("$p4", f.Checksum.Value),
        ("$p5", Ms(f.CreatedAt)), ("$p6", SqliteCatalog.Ms(f.DeletedAt)),
    ];

    private static (string, object?)[] ReplicaValues(ReplicaRecord r) =>
    [
        ("$p0", r.FileId), ("$p1", r.NodeId), ("$p2", r.ReferenceId), ("$p3", ReplicaStateNames.Of(r.State)), ("$p4", r.TransferId.ToString("N")),
        ("$p5", r.Size), ("$p6", r.Checksum.Type), ("$p7", r.Checksum.Value), ("$p8", ReplicaStateNames.Of(r.SourceKind)), ("$p9", r.SourceNodeId),
        ("$p10", Ms(r.CreatedAt)), ("$p11", Ms(r.UpdatedAt)), ("$p12", SqliteCatalog.Ms(r.Deadline)), ("$p13", SqliteCatalog.Ms(r.StartedAt)),
        ("$p14", SqliteCatalog.Ms(r.LastCheckedAt)),
    ];

    private List<NodeRecord> ReadNodes(string sql, params (string, object?)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = Translated(cmd.ExecuteReader);
        var rows = new List<NodeRecord>();
        while (r.Read())
        {
            rows.Add(new NodeRecord
            {
                NodeId = r.GetString(0),
                State = ReplicaStateNames.ParseNodeState(r.GetString(1)),
                StateSince = At(r, 2),
                NextHeartbeatDue = At(r, 3),
                ReportSeq = r.GetInt64(4),
                DigestWanted = r.GetInt64(5) != 0,
                Address = SqliteCatalog.Text(r, 6),
                RegisteredAt = At(r, 7),
                RowVersion = r.GetInt64(8),
            });
        }

        return rows;
    }

    private List<ReplicaFileRecord> ReadFiles(string sql, params (string, object?)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = Translated(cmd.ExecuteReader);
        var rows = new List<ReplicaFileRecord>();
        while (r.Read())
        {
            rows.Add(new ReplicaFileRecord
            {
                FileId = r.GetInt64(0),
                NeededReplicas = r.GetInt32(1),
                Size = r.GetInt64(2),
                Checksum = new Checksum(r.GetString(3), r.GetString(4)),
                CreatedAt = At(r, 5),
                DeletedAt = SqliteCatalog.At(r, 6),
                RowVersion = r.GetInt64(7),
            });
        }

        return rows;
    }

    private List<ReplicaRecord> ReadReplicas(string sql, params (string, object?)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = Translated(cmd.ExecuteReader);
        var rows = new List<ReplicaRecord>();
        while (r.Read())
        {
            rows.Add(new ReplicaRecord
            {
                FileId = r.GetInt64(0),
                NodeId = r.GetString(1),
                ReferenceId = r.GetString(2),
                State = ReplicaStateNames.ParseReplicaState(r.GetString(3)),
                TransferId = Guid.ParseExact(r.GetString(4), "N"),
                Size = r.GetInt64(5),
                Checksum = new Checksum(r.GetString(6), r.GetString(7)),
                SourceKind = ReplicaStateNames.ParseSourceKind(r.GetString(8)),
                SourceNodeId = SqliteCatalog.Text(r, 9),
                CreatedAt = At(r, 10),
                UpdatedAt = At(r, 11),
                Deadline = SqliteCatalog.At(r, 12),
                StartedAt = SqliteCatalog.At(r, 13),
                LastCheckedAt = SqliteCatalog.At(r, 14),
                RowVersion = r.GetInt64(15),
            });
        }

        return rows;
    }

    /// <summary>A conditional update on the row version; zero rows means a missing row (constraint) or a newer version (conflict).</summary>
    private void UpdateVersioned(string table, string keyPredicate, string columns, (string, object?)[] values, long version, string entity, string id, int keyColumns = 1)
    {
        string[] names = columns.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        string set = string.Join(", ", names.Select((col, i) => (col, i)).Skip(keyColumns).Select(c => $"{c.col} = $p{c.i}"));
        int changed = Execute($"UPDATE {table} SET {set}, row_version = row_version + 1 WHERE {keyPredicate} AND row_version = $version", [.. values, ("$version", version)]);
        if (changed == 1)
        {
            return;
        }

        if (Scalar($"SELECT row_version FROM {table} WHERE {keyPredicate}", values) is not long)
        {
            throw new CatalogConstraintException($"The {entity} row {id} does not exist.");
        }

        throw new CatalogConflictException(entity, id, version);
    }

    public ValueTask<T> AllOrNothingAsync<T>(Func<ValueTask<T>> writes) => AtomicAsync(writes);

    private static string InList(int n) => string.Join(", ", Enumerable.Range(0, n).Select(i => $"$i{i}"));

    private static (string, object?)[] InArgs(long[] ids) => [.. ids.Select((id, i) => ($"$i{i}", (object?)id))];

    private static long Ms(DateTimeOffset t) => t.ToUnixTimeMilliseconds();

    private static DateTimeOffset At(SqliteDataReader r, int i) => DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static ValueTask<T> Ok<T>(T value) => ValueTask.FromResult(value);
}
