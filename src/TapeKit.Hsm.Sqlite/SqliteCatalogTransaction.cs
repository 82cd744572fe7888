using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Sqlite;

/// <summary>One <c>BEGIN IMMEDIATE</c> transaction of <see cref="SqliteCatalog"/>.</summary>
internal sealed partial class SqliteCatalogTransaction : SqliteStoreTransaction, ICatalogTransaction
{
    /// <summary>A file row as read: its state (<c>files</c>) joined to its description (<c>file_details</c>) and policy decision (<c>decisions</c>), in <see cref="ReadFiles"/>'s order.</summary>
    private const string FileSelect = """
        SELECT file_id, external_id, namespace_path, cache_path, size, checksums, storage_group, file_family, wrapper, library, attributes,
            disk_library, decision, cache_status, archive_status, archive_claim_list, archive_claim_attempt,
            copies_required, pin_count, speculative, created_at, cached_at, archived_at, last_access_at, updated_at, deleted_at, failure_reason,
            row_version
        FROM files JOIN file_details USING (file_id) JOIN decisions USING (decision_id)
        """;

    /// <summary>The columns of a file's state, the key first, in <see cref="FileStateValues"/>'s order.</summary>
    private const string FileStateColumns = """
        file_id, size, disk_library, priority, cache_status, archive_status, archive_claim_list, archive_claim_attempt, copies_required,
        pin_count, speculative, created_at, cached_at, archived_at, last_access_at, updated_at, deleted_at, failure_reason
        """;

    /// <summary>The columns of a file's description, the key first, in <see cref="FileDetailValues"/>'s order.</summary>
    private const string FileDetailColumns = """
        file_id, external_id, namespace_path, cache_path, checksums, storage_group, file_family, wrapper, library, attributes, decision_id
        """;

    private const string ListColumns = """
        list_id, kind, policy_key, rule_name, disk_library, limits, policy_version, strategy, format, tape_pool, copy_count, state,
        created_at, first_member_at, closed_at, close_reason, member_count, member_bytes, busy_count, not_before, owner, lease_until,
        last_reply, priority, vsn, attempt, failure_count, failure_reason, superseded_by
        """;

    /// <summary>The live list states as literal SQL, the predicate of the partial index <c>file_lists_live</c>.</summary>
    private const string LiveListStates = "state IN ('FILLING', 'FILLED', 'ACTIVE')";

    private readonly SqliteCatalog _catalog;
    private readonly HashSet<string> _woken = new(StringComparer.Ordinal);
    private HashSet<long>? _liveStageMembers;

    public SqliteCatalogTransaction(SqliteCatalog catalog, SqliteSession session, SqliteTransaction txn, IDisposable writer, DateTimeOffset now)
        : base(catalog.Store, session, txn, writer, now)
    {
        _catalog = catalog;
    }

    public ValueTask<FileRecord?> GetFileAsync(long fileId) =>
        ValueTask.FromResult(QueryFiles($"{FileSelect} WHERE file_id = $id", ("$id", fileId)).FirstOrDefault());

    public ValueTask<FileRecord?> GetFileByExternalIdAsync(string externalId) =>
        ValueTask.FromResult(QueryFiles($"{FileSelect} WHERE file_id = (SELECT file_id FROM file_details WHERE external_id = $id)", ("$id", externalId)).FirstOrDefault());

    public ValueTask<long> AllocateFileIdAsync() => ValueTask.FromResult(NextSequenceValue("file_id"));

    public ValueTask InsertFileAsync(FileRecord file)
    {
        Live();
        try
        {
            Execute($"INSERT INTO file_details ({FileDetailColumns}) VALUES ({Placeholders(11)})", FileDetailValues(file, DecisionId(file.Decision)));
            Execute($"INSERT INTO files ({FileStateColumns}) VALUES ({Placeholders(18)})", FileStateValues(file, Now));
            // A row inserted with its own id (a rebuild from tape) keeps the sequence ahead of it.
            Execute("UPDATE sequences SET value = MAX(value, $id) WHERE name = 'file_id'", ("$id", file.FileId));
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"File {file.FileId} or external id '{file.ExternalId}' already exists.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<FileRecord> UpdateFileAsync(FileRecord file)
    {
        Live();
        ArgumentNullException.ThrowIfNull(file);
        string id = file.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Scalar("SELECT external_id IS $ext FROM file_details WHERE file_id = $id", ("$id", file.FileId), ("$ext", file.ExternalId)) is 0L)
        {
            throw new CatalogConstraintException($"The file row {id} cannot change its external id.");
        }

        UpdateVersioned("files", "file_id", FileStateColumns, FileStateValues(file, Now), file.RowVersion, "file", id);

        // The description is rewritten only when it differs (completion sets the checksums; nothing else changes it), so a
        // state change writes one small row.
        Execute(DetailUpdate, FileDetailValues(file, DecisionId(file.Decision)));
        return ValueTask.FromResult(file with { RowVersion = file.RowVersion + 1 });
    }

    public ValueTask<IReadOnlyList<FileRecord>> QueryFilesAsync(FileQuery query)
    {
        var where = new List<string> { "file_id > $after" };
        var args = new List<(string, object?)> { ("$after", query.AfterFileId), ("$limit", query.Limit == int.MaxValue ? -1 : query.Limit) };
        if (query.CacheStatus is { } c)
        {
            where.Add("cache_status = $cs");
            args.Add(("$cs", StateNames.Of(c)));
        }

        if (query.ArchiveStatus is { } a)
        {
            where.Add("archive_status = $as");
            args.Add(("$as", StateNames.Of(a)));
        }

        if (query.DiskLibrary is { } d)
        {
            where.Add("disk_library = $dl");
            args.Add(("$dl", d));
        }

        if (!query.IncludeDeleted)
        {
            where.Add("deleted_at IS NULL");
        }

        return ValueTask.FromResult<IReadOnlyList<FileRecord>>(
            QueryFiles($"{FileSelect} WHERE {string.Join(" AND ", where)} ORDER BY file_id LIMIT $limit", [.. args]));
    }

    public ValueTask<FileListRecord?> GetListAsync(Guid listId) =>
        ValueTask.FromResult(QueryLists($"SELECT {ListColumns}, row_version FROM file_lists WHERE list_id = $id", ("$id", listId.ToString("N"))).FirstOrDefault());

    public ValueTask InsertListAsync(FileListRecord list)
    {
        _liveStageMembers = null;
        Live();
        try
        {
            Execute($"INSERT INTO file_lists ({ListColumns}) VALUES ({Placeholders(29)})", ListValues(list));
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"List {list.ListId:N} already exists.", e);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<FileListRecord> UpdateListAsync(FileListRecord list)
    {
        _liveStageMembers = null;
        Live();
        ArgumentNullException.ThrowIfNull(list);
        string listId = list.ListId.ToString("N");
        bool wasLive = Scalar("SELECT state FROM file_lists WHERE list_id = $id AND kind = 'ARCHIVE'", ("$id", listId)) is string state
            && state is "FILLING" or "FILLED" or "ACTIVE";
        UpdateVersioned("file_lists", "list_id", ListColumns, ListValues(list), list.RowVersion, "list", listId);

        // Members carry the list's liveness for the I4 index; they are rewritten only when it changes (creation of a
        // list and its end), never on each member appended, so filling a list costs O(1) per member.
        if (wasLive != IsLiveArchive(list))
        {
            try
            {
                Execute("UPDATE file_list_members SET live_archive = $live WHERE list_id = $id", ("$live", IsLiveArchive(list) ? 1 : null), ("$id", listId));
            }
            catch (CatalogConstraintException e)
            {
                throw new CatalogConstraintException($"List {list.ListId:N} cannot become live: a member is already in another live archive list (invariant I4).", e);
            }
        }

        return ValueTask.FromResult(list with { RowVersion = list.RowVersion + 1 });
    }

    public ValueTask<IReadOnlyList<FileListRecord>> QueryListsAsync(ListQuery query)
    {
        var where = new List<string> { "1 = 1" };
        var args = new List<(string, object?)>();
        if (query.Kind is { } k)
        {
            where.Add("kind = $kind");
            args.Add(("$kind", StateNames.Of(k)));
        }

        if (query.States.Count == ListQuery.LiveStates.Count && query.States.All(ListQuery.LiveStates.Contains))
        {
            // Spelled as the partial index file_lists_live is, so that the planner uses it however the finished lists
            // outnumber the live ones (averaged statistics would otherwise make a scan of every list look cheaper).
            where.Add(LiveListStates);
        }
        else if (query.States.Count > 0)
        {
            where.Add($"state IN ({string.Join(", ", query.States.Select((_, i) => $"$s{i}"))})");
            args.AddRange(query.States.Select((s, i) => ($"$s{i}", (object?)StateNames.Of(s))));
        }

        if (query.PolicyKey is { } p)
        {
            where.Add("policy_key = $pk");
            args.Add(("$pk", p));
        }

        if (query.DiskLibrary is { } d)
        {
            where.Add("disk_library = $dl");
            args.Add(("$dl", d));
        }

        return ValueTask.FromResult<IReadOnlyList<FileListRecord>>(
            QueryLists($"SELECT {ListColumns}, row_version FROM file_lists WHERE {string.Join(" AND ", where)} ORDER BY created_at, list_id", [.. args]));
    }

    public ValueTask<IReadOnlyList<long>> GetListMembersAsync(Guid listId)
    {
        SqliteCommand cmd = Command("SELECT file_id FROM file_list_members WHERE list_id = $id ORDER BY ordinal", ("$id", listId.ToString("N")));
        using SqliteDataReader r = cmd.ExecuteReader();
        var ids = new List<long>();
        while (r.Read())
        {
            ids.Add(r.GetInt64(0));
        }

        return ValueTask.FromResult<IReadOnlyList<long>>(ids);
    }

    public async ValueTask AddListMemberAsync(Guid listId, long fileId)
    {
        _liveStageMembers = null;
        Live();
        FileListRecord list = await GetListAsync(listId) ?? throw new CatalogConstraintException($"List {listId:N} does not exist.");
        try
        {
            Execute("""
                INSERT INTO file_list_members (list_id, file_id, ordinal, live_archive)
                VALUES ($id, $file, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM file_list_members WHERE list_id = $id), $live)
                """, ("$id", listId.ToString("N")), ("$file", fileId), ("$live", IsLiveArchive(list) ? 1 : null));
        }
        catch (CatalogConstraintException e)
        {
            throw new CatalogConstraintException($"File {fileId} cannot join list {listId:N}: it does not exist, is already a member, or is in another live archive list (invariant I4).", e);
        }
    }

    public ValueTask<bool> RemoveListMemberAsync(Guid listId, long fileId)
    {
        _liveStageMembers = null;
        Live();
        return ValueTask.FromResult(Execute("DELETE FROM file_list_members WHERE list_id = $id AND file_id = $file",
            ("$id", listId.ToString("N")), ("$file", fileId)) > 0);
    }

    public ValueTask<Guid?> FindLiveListOfFileAsync(long fileId, FileListKind kind)
    {
        object? id = Scalar("""
            SELECT m.list_id FROM file_list_members m JOIN file_lists l ON l.list_id = m.list_id
            WHERE m.file_id = $file AND l.kind = $kind AND l.state IN ('FILLING', 'FILLED', 'ACTIVE') LIMIT 1
            """, ("$file", fileId), ("$kind", StateNames.Of(kind)));
        return ValueTask.FromResult(id is string s ? Guid.ParseExact(s, "N") : (Guid?)null);
    }

    public ValueTask AddOutboxAsync(OutboundMessage message)
    {
        Live();
        _woken.UnionWith(SqliteQueueWriter.Enqueue(Session, _txn, message.Exchange, message.RoutingKey, message.Message,
            _catalog.Store.NowMs(), SqliteCatalog.Ms(message.NotBefore)));
        return ValueTask.CompletedTask;
    }

    public ValueTask<bool> TryMarkInboxAsync(string consumer, Guid messageId)
    {
        Live();
        return ValueTask.FromResult(Execute("INSERT OR IGNORE INTO inbox (consumer, message_id, processed_at) VALUES ($c, $m, $at)",
            ("$c", consumer), ("$m", messageId.ToString("N")), ("$at", SqliteCatalog.Ms(Now))) > 0);
    }

    public ValueTask AddTransitionAsync(TransitionRecord t)
    {
        Live();
        Execute("""
            INSERT INTO transitions (entity, entity_id, from_state, to_state, rule, actor, reason, at)
            VALUES ($e, $id, $from, $to, $rule, $actor, $reason, $at)
            """, ("$e", t.Entity), ("$id", t.EntityId), ("$from", t.From), ("$to", t.To), ("$rule", t.Rule),
            ("$actor", t.Actor.ToString()), ("$reason", t.Reason), ("$at", SqliteCatalog.Ms(t.At)));
        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string entity, string entityId)
    {
        SqliteCommand cmd = Command("""
            SELECT entity, entity_id, from_state, to_state, rule, actor, reason, at FROM transitions
            WHERE entity = $e AND length(entity_id) = length($id) AND entity_id = $id ORDER BY seq
            """, ("$e", entity), ("$id", entityId));
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<TransitionRecord>();
        while (r.Read())
        {
            rows.Add(new TransitionRecord(r.GetString(0), r.GetString(1), SqliteCatalog.Text(r, 2), r.GetString(3), r.GetString(4),
                Enum.Parse<HsmActor>(r.GetString(5)), SqliteCatalog.Text(r, 6), SqliteCatalog.At(r, 7)!.Value));
        }

        return ValueTask.FromResult<IReadOnlyList<TransitionRecord>>(rows);
    }

    private protected override void Committed() => _catalog.Woke(_woken);

    private protected override void RolledBack() => _liveStageMembers = null;

    private static bool IsLiveArchive(FileListRecord list) => list.Kind == FileListKind.Archive && list.IsLive;
}
