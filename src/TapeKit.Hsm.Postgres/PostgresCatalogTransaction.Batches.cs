using System.Globalization;
using System.Text;
using System.Text.Json;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// The batch methods as set statements: the rows travel as one <c>jsonb</c> array that
/// <c>jsonb_populate_recordset</c> turns into rows of the table's own type (so every column is cast as the table
/// declares it), or as one array per key. A batch write runs under a savepoint: a refused batch is rolled back to it
/// whole, and the transaction stays usable, as after a refused row.
/// </summary>
internal sealed partial class PostgresCatalogTransaction
{
    public async ValueTask<IReadOnlyList<FileRecord?>> GetFilesAsync(IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        if (fileIds.Count <= 1)
        {
            return fileIds.Count == 0 ? [] : [await GetFileAsync(fileIds[0])];
        }

        long[] ids = [.. fileIds.Distinct()];
        // Rows that recently lost a race are locked as GetFileAsync would; in id order, so two such readers cannot deadlock.
        string lockHot = ids.Any(id => _catalog.Contention.IsHot("files", id)) ? " ORDER BY file_id FOR NO KEY UPDATE" : "";
        Dictionary<long, FileRecord> rows = (await QueryAsync($"{FileSelect} WHERE file_id = ANY($1){lockHot}", ReadFile, ids)).ToDictionary(f => f.FileId);
        return [.. fileIds.Select(id => rows.GetValueOrDefault(id))];
    }

    public async ValueTask<IReadOnlyList<FileRecord?>> GetFilesByExternalIdsAsync(IReadOnlyList<string> externalIds)
    {
        ArgumentNullException.ThrowIfNull(externalIds);
        if (externalIds.Count == 0)
        {
            return [];
        }

        Dictionary<string, FileRecord> rows = (await QueryAsync($"{FileSelect} WHERE external_id = ANY($1)", ReadFile, (object)externalIds.Distinct().ToArray()))
            .ToDictionary(f => f.ExternalId!, StringComparer.Ordinal);
        return [.. externalIds.Select(id => rows.GetValueOrDefault(id))];
    }

    public async ValueTask<IReadOnlyList<long>> AllocateFileIdsAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (count == 0)
        {
            return [];
        }

        List<long> ids = await QueryAsync("SELECT nextval('file_id_seq') FROM generate_series(1, $1)", r => r.GetInt64(0), count);
        ids.Sort();
        return ids;
    }

    public async ValueTask InsertFilesAsync(IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count <= 1)
        {
            if (files.Count == 1)
            {
                await InsertFileAsync(files[0]);
            }

            return;
        }

        await AtomicAsync(async () => await ExecuteAsync(FileBatchInsert, RowsJson(FileColumns, files.Select(f => FileValues(f, Now)))),
            $"One of {files.Count} files (ids {files[0].FileId}…) or their external ids already exists; none was inserted.");
        // Rows inserted with ids of their own (a rebuild from tape) keep the sequence ahead of them.
        await KeepSequenceAheadAsync("file_id_seq", files.Max(f => f.FileId));
    }

    public async ValueTask<IReadOnlyList<FileRecord>> UpdateFilesAsync(IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        if (files.Count <= 1)
        {
            return files.Count == 0 ? [] : [await UpdateFileAsync(files[0])];
        }

        return await AtomicAsync(async () =>
        {
            Dictionary<long, FileRecord> stored = (await QueryAsync(FileBatchUpdate, ReadFile,
                RowsJson([.. FileColumns, "row_version"], files.Select(f => (object?[])[.. FileValues(f, Now), f.RowVersion])))).ToDictionary(f => f.FileId);
            if (stored.Count == files.Count)
            {
                return (IReadOnlyList<FileRecord>)[.. files.Select(f => stored[f.FileId])];
            }

            // Why a row was missed, reported as UpdateFileAsync would (the savepoint then undoes the rows written).
            Dictionary<long, (long Version, string? ExternalId)> now = (await QueryAsync("SELECT file_id, row_version, external_id FROM files WHERE file_id = ANY($1)",
                r => (Id: r.GetInt64(0), Version: r.GetInt64(1), ExternalId: Text(r, 2)), files.Select(f => f.FileId).ToArray())).ToDictionary(x => x.Id, x => (x.Version, x.ExternalId));
            foreach (FileRecord f in files.Where(f => !stored.ContainsKey(f.FileId)))
            {
                if (!now.TryGetValue(f.FileId, out (long Version, string? ExternalId) row))
                {
                    throw new CatalogConstraintException($"The file row {Id(f.FileId)} does not exist.");
                }

                if (row.Version == f.RowVersion)
                {
                    throw new CatalogConstraintException($"The file row {Id(f.FileId)} cannot be written: its external id would change.");
                }

                _catalog.Contention.Lost("files", f.FileId);
                throw new CatalogConflictException("file", Id(f.FileId), f.RowVersion);
            }

            throw new CatalogConstraintException($"{files.Count} file rows were to be written but {stored.Count} were (a file named twice).");
        }, null);
    }

    public async ValueTask<IReadOnlyDictionary<long, Guid>> FindLiveListsOfFilesAsync(IReadOnlyList<long> fileIds, FileListKind kind)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        if (fileIds.Count == 0)
        {
            return new Dictionary<long, Guid>();
        }

        List<(long File, Guid List)> rows = await QueryAsync($"""
            SELECT DISTINCT ON (m.file_id) m.file_id, m.list_id FROM file_list_members m JOIN file_lists l ON l.list_id = m.list_id
            WHERE m.file_id = ANY($1) AND l.kind = $2 AND l.state IN {LiveStates}
            """, r => (r.GetInt64(0), r.GetGuid(1)), fileIds.Distinct().ToArray(), StateNames.Of(kind));
        return rows.ToDictionary(x => x.File, x => x.List);
    }

    public async ValueTask AddListMembersAsync(Guid listId, IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        if (fileIds.Count <= 1)
        {
            if (fileIds.Count == 1)
            {
                await AddListMemberAsync(listId, fileIds[0]);
            }

            return;
        }

        // As AddListMemberAsync, for many: the list row locked, the flag from its state; ordinals in the order given. A
        // duplicate or a file in another live archive list breaks a unique index and the savepoint undoes the batch.
        await AtomicAsync(async () =>
        {
            int added = await ExecuteAsync($"""
                WITH l AS (SELECT kind, state FROM file_lists WHERE list_id = $1 FOR NO KEY UPDATE)
                INSERT INTO file_list_members (list_id, file_id, live_archive)
                SELECT $1, x.file_id, CASE WHEN l.kind = 'ARCHIVE' AND l.state IN {LiveStates} THEN TRUE END
                FROM l, unnest($2::bigint[]) WITH ORDINALITY AS x (file_id, n)
                WHERE EXISTS (SELECT 1 FROM files WHERE file_id = x.file_id)
                ORDER BY x.n
                """, listId, fileIds.ToArray());
            if (added == fileIds.Count)
            {
                return added;
            }

            if (await ScalarAsync("SELECT 1 FROM file_lists WHERE list_id = $1", listId) is null)
            {
                throw new CatalogConstraintException($"List {listId:N} does not exist.");
            }

            throw new CatalogConstraintException($"One of {fileIds.Count} files cannot join list {listId:N}: it does not exist.");
        }, $"One of {fileIds.Count} files cannot join list {listId:N}: it does not exist, is already a member, or is in another live archive list (invariant I4).");
    }

    public async ValueTask AddOutboxManyAsync(IReadOnlyList<OutboundMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        string[] columns = ["message_id", "exchange", "routing_key", "envelope", "not_before", "created_at"];
        await InsertRowsAsync("outbox", columns, messages.Select(m => (object?[])
            [m.Message.MessageId, m.Exchange, m.RoutingKey, HsmMessages.SerializeEnvelope(m.Message), m.NotBefore, Now]));
    }

    public async ValueTask<IReadOnlyList<bool>> TryMarkInboxManyAsync(string consumer, IReadOnlyList<Guid> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        if (messageIds.Count == 0)
        {
            return [];
        }

        HashSet<Guid> marked = [.. await QueryAsync("""
            INSERT INTO inbox (consumer, message_id, processed_at) SELECT $1, x, $3 FROM unnest($2::uuid[]) AS x
            ON CONFLICT DO NOTHING RETURNING message_id
            """, r => r.GetGuid(0), consumer, messageIds.Distinct().ToArray(), Now)];
        // The first of repeated ids is the one processed; later ones are duplicates.
        return [.. messageIds.Select(id => marked.Remove(id))];
    }

    public async ValueTask AddTransitionsAsync(IReadOnlyList<TransitionRecord> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        if (transitions.Count == 0)
        {
            return;
        }

        string[] columns = ["entity", "entity_id", "from_state", "to_state", "rule", "actor", "reason", "at"];
        await InsertRowsAsync("transitions", columns, transitions.Select(t => (object?[]) [t.Entity, t.EntityId, t.From, t.To, t.Rule, t.Actor.ToString(), t.Reason, t.At]));
    }

    /// <summary>Inserts rows in the order given (their identity column follows it), in one statement.</summary>
    private async ValueTask InsertRowsAsync(string table, string[] columns, IEnumerable<object?[]> rows) =>
        await ExecuteAsync($"""
            INSERT INTO {table} ({string.Join(", ", columns)})
            SELECT {string.Join(", ", columns.Select(c => "x." + c))} FROM jsonb_populate_recordset(NULL::{table}, $1) WITH ORDINALITY AS x ORDER BY x.ordinality
            """, RowsJson(columns, rows));

    /// <summary>Rows as a <c>jsonb</c> array of objects keyed by column, each value as PostgreSQL reads it back into the column's type.</summary>
    private static Jsonb RowsJson(string[] columns, IEnumerable<object?[]> rows)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartArray();
            foreach (object?[] row in rows)
            {
                w.WriteStartObject();
                for (int i = 0; i < columns.Length; i++)
                {
                    w.WritePropertyName(columns[i]);
                    switch (row[i])
                    {
                        case null: w.WriteNullValue(); break;
                        case Jsonb j: w.WriteRawValue(j.Text); break;
                        case string s: w.WriteStringValue(s); break;
                        case long l: w.WriteNumberValue(l); break;
                        case int n: w.WriteNumberValue(n); break;
                        case bool b: w.WriteBooleanValue(b); break;
                        case Guid g: w.WriteStringValue(g); break;
                        // timestamptz keeps microseconds; a value bound as a parameter is cut to them the same way.
                        case DateTimeOffset t:
                            w.WriteStringValue(PostgresCatalog.TruncateToMicroseconds(t).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'+00:00'", CultureInfo.InvariantCulture));
                            break;
                        case object other: throw new ArgumentException($"Column {columns[i]}: no JSON form for {other.GetType()}.", nameof(rows));
                    }
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return new Jsonb(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
    }
}
