using System.Text.Json;
using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    /// <summary>The live list states, spelled as the SQL of the statements below.</summary>
    private const string LiveStates = "('FILLING', 'FILLED', 'ACTIVE')";

    private static readonly string[] ListColumns =
    [
        "list_id", "kind", "policy_key", "rule_name", "disk_library", "limits", "policy_version", "strategy", "format", "tape_pool",
        "copy_count", "state", "created_at", "first_member_at", "closed_at", "close_reason", "member_count", "member_bytes", "busy_count",
        "not_before", "owner", "lease_until", "last_reply", "priority", "vsn", "attempt", "failure_count", "failure_reason", "superseded_by",
    ];

    private static readonly string ListSelect = $"SELECT {string.Join(", ", ListColumns)}, row_version FROM file_lists";

    private static readonly string ListInsert = $"""
        INSERT INTO file_lists ({string.Join(", ", ListColumns)}) VALUES ({Placeholders(ListColumns.Length)}) ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// The conditional update of a list that also returns whether the list was a live archive list before: the old row
    /// is locked and read in the same statement, so the member flags set after it follow the state that was replaced.
    /// </summary>
    private static readonly string ListUpdate = BuildListUpdate();

    public async ValueTask<FileListRecord?> GetListAsync(Guid listId) =>
        (await QueryAsync($"{ListSelect} WHERE list_id = $1{LockIfHot("file_lists", listId)}", r => ReadList(r, 0), listId)).FirstOrDefault();

    public async ValueTask InsertListAsync(FileListRecord list)
    {
        ArgumentNullException.ThrowIfNull(list);
        if (await ExecuteAsync(ListInsert, ListValues(list)) == 0)
        {
            throw new CatalogConstraintException($"List {list.ListId:N} already exists.");
        }
    }

    public async ValueTask<FileListRecord> UpdateListAsync(FileListRecord list)
    {
        ArgumentNullException.ThrowIfNull(list);
        string id = list.ListId.ToString("N");
        (bool WasLive, FileListRecord Row) updated = await UpdateVersionedAsync(ListUpdate, ListValues(list), list.RowVersion,
            r => (r.GetBoolean(0), ReadList(r, 1)), "file_lists", "list_id", "list", id);

        // Members carry the list's liveness for the I4 index; they are rewritten only when it changes (creation of a list
        // and its end), never on each member appended, so filling a list costs O(1) per member.
        bool isLive = IsLiveArchive(list);
        if (updated.WasLive && !isLive)
        {
            await ExecuteAsync("UPDATE file_list_members SET live_archive = NULL WHERE list_id = $1", list.ListId);
        }
        else if (!updated.WasLive && isLive)
        {
            await AtomicAsync(async () => await ExecuteAsync("UPDATE file_list_members SET live_archive = TRUE WHERE list_id = $1", list.ListId),
                $"List {id} cannot become live: a member is already in another live archive list (invariant I4).");
        }

        return updated.Row;
    }

    public async ValueTask<IReadOnlyList<FileListRecord>> QueryListsAsync(ListQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string> { "TRUE" };
        var args = new List<object?>();
        if (query.Kind is { } k)
        {
            args.Add(StateNames.Of(k));
            where.Add($"kind = ${args.Count}");
        }

        if (query.States.Count > 0)
        {
            args.Add(query.States.Select(s => StateNames.Of(s)).ToArray());
            where.Add($"state = ANY(${args.Count})");
        }

        if (query.PolicyKey is { } p)
        {
            args.Add(p);
            where.Add($"policy_key = ${args.Count}");
        }

        if (query.DiskLibrary is { } d)
        {
            args.Add(d);
            where.Add($"disk_library = ${args.Count}");
        }

        return await QueryAsync($"{ListSelect} WHERE {string.Join(" AND ", where)} ORDER BY created_at, list_id", r => ReadList(r, 0), [.. args]);
    }

    public async ValueTask<IReadOnlyList<long>> GetListMembersAsync(Guid listId) =>
        await QueryAsync("SELECT file_id FROM file_list_members WHERE list_id = $1 ORDER BY ordinal", r => r.GetInt64(0), listId);

    public async ValueTask AddListMemberAsync(Guid listId, long fileId)
    {
        // One statement: the list row is locked (so its state cannot change before this transaction ends, and a list that
        // ends waits for this member before clearing its members' flags), the flag follows its state, and a refused
        // member (a duplicate, a file in another live archive list, a missing file) inserts nothing instead of failing.
        int added = await ExecuteAsync($"""
            WITH l AS (SELECT kind, state FROM file_lists WHERE list_id = $1 FOR NO KEY UPDATE)
            INSERT INTO file_list_members (list_id, file_id, live_archive)
            SELECT $1, $2, CASE WHEN l.kind = 'ARCHIVE' AND l.state IN {LiveStates} THEN TRUE END
            FROM l WHERE EXISTS (SELECT 1 FROM files WHERE file_id = $2)
            ON CONFLICT DO NOTHING
            """, listId, fileId);
        if (added == 1)
        {
            return;
        }

        if (await ScalarAsync("SELECT 1 FROM file_lists WHERE list_id = $1", listId) is null)
        {
            throw new CatalogConstraintException($"List {listId:N} does not exist.");
        }

        throw new CatalogConstraintException(
            $"File {fileId} cannot join list {listId:N}: it does not exist, is already a member, or is in another live archive list (invariant I4).");
    }

    public async ValueTask<bool> RemoveListMemberAsync(Guid listId, long fileId) =>
        await ExecuteAsync("DELETE FROM file_list_members WHERE list_id = $1 AND file_id = $2", listId, fileId) > 0;

    public async ValueTask<Guid?> FindLiveListOfFileAsync(long fileId, FileListKind kind) =>
        await ScalarAsync($"""
            SELECT m.list_id FROM file_list_members m JOIN file_lists l ON l.list_id = m.list_id
            WHERE m.file_id = $1 AND l.kind = $2 AND l.state IN {LiveStates} LIMIT 1
            """, fileId, StateNames.Of(kind)) as Guid?;

    private static bool IsLiveArchive(FileListRecord list) => list.Kind == FileListKind.Archive && list.IsLive;

    private static string BuildListUpdate()
    {
        string set = string.Join(", ", ListColumns.Select((c, i) => (c, i)).Skip(1).Select(c => $"{c.c} = ${c.i + 1}"));
        string version = "$" + (ListColumns.Length + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"""
            WITH old AS (
                SELECT list_id, kind = 'ARCHIVE' AND state IN {LiveStates} AS was_live FROM file_lists
                WHERE list_id = $1 AND row_version = {version} FOR NO KEY UPDATE)
            UPDATE file_lists l SET {set}, row_version = l.row_version + 1 FROM old WHERE l.list_id = old.list_id
            RETURNING old.was_live, {string.Join(", ", ListColumns.Select(c => "l." + c))}, l.row_version
            """;
    }

    private static object?[] ListValues(FileListRecord l) =>
    [
        l.ListId, StateNames.Of(l.Kind), l.PolicyKey, l.RuleName, l.DiskLibrary,
        new Jsonb(JsonSerializer.Serialize(l.Limits, PostgresJsonContext.Default.ListLimits)), l.PolicyVersion, l.Strategy.ToString(),
        l.Format.ToString(), l.TapePool, l.CopyCount, StateNames.Of(l.State), l.CreatedAt, l.FirstMemberAt, l.ClosedAt, l.CloseReason?.ToString(),
        l.MemberCount, l.MemberBytes, l.BusyCount, l.NotBefore, l.Owner, l.LeaseUntil, l.LastReply, l.Priority.ToString(), l.Vsn, l.Attempt,
        l.FailureCount, l.FailureReason, l.SupersededBy,
    ];

    /// <summary>Maps the list columns (and row_version after them) that start at column <paramref name="o"/>.</summary>
    private static FileListRecord ReadList(NpgsqlDataReader r, int o) => new()
    {
        ListId = r.GetGuid(o),
        Kind = StateNames.Parse<FileListKind>(r.GetString(o + 1)),
        PolicyKey = r.GetString(o + 2),
        RuleName = r.GetString(o + 3),
        DiskLibrary = r.GetString(o + 4),
        Limits = JsonSerializer.Deserialize(r.GetString(o + 5), PostgresJsonContext.Default.ListLimits)
            ?? throw new PostgresSchemaException($"List {r.GetGuid(o):N} has no limits."),
        PolicyVersion = r.GetInt32(o + 6),
        Strategy = Enum.Parse<ArchiveStrategy>(r.GetString(o + 7)),
        Format = Enum.Parse<AggregationPayloadFormat>(r.GetString(o + 8)),
        TapePool = r.GetString(o + 9),
        CopyCount = r.GetInt32(o + 10),
        State = StateNames.Parse<FileListState>(r.GetString(o + 11)),
        CreatedAt = r.GetFieldValue<DateTimeOffset>(o + 12),
        FirstMemberAt = At(r, o + 13),
        ClosedAt = At(r, o + 14),
        CloseReason = r.IsDBNull(o + 15) ? null : Enum.Parse<CloseReason>(r.GetString(o + 15)),
        MemberCount = r.GetInt32(o + 16),
        MemberBytes = r.GetInt64(o + 17),
        BusyCount = r.GetInt32(o + 18),
        NotBefore = At(r, o + 19),
        Owner = Text(r, o + 20),
        LeaseUntil = At(r, o + 21),
        LastReply = Text(r, o + 22),
        Priority = Enum.Parse<RequestPriority>(r.GetString(o + 23)),
        Vsn = Text(r, o + 24),
        Attempt = r.GetInt32(o + 25),
        FailureCount = r.GetInt32(o + 26),
        FailureReason = Text(r, o + 27),
        SupersededBy = r.IsDBNull(o + 28) ? null : r.GetGuid(o + 28),
        RowVersion = r.GetInt64(o + 29),
    };
}
