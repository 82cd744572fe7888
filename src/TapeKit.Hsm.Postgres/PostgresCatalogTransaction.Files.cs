using System.Collections.Immutable;
using System.Text.Json;
using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    private static readonly string[] FileColumns =
    [
        "file_id", "external_id", "namespace_path", "cache_path", "size", "checksums", "storage_group", "file_family", "wrapper", "library",
        "attributes", "disk_library", "policy_key", "policy_version", "strategy", "decision", "cache_status", "archive_status",
        "archive_claim_list", "archive_claim_attempt", "copies_required", "pin_count", "speculative", "created_at", "cached_at",
        "archived_at", "last_access_at", "updated_at", "deleted_at", "failure_reason",
    ];

    private static readonly string FileSelect = $"SELECT {string.Join(", ", FileColumns)}, row_version FROM files";

    private static readonly string FileInsert = $"""
        INSERT INTO files ({string.Join(", ", FileColumns)}) VALUES ({Placeholders(FileColumns.Length)}) ON CONFLICT DO NOTHING
        """;

    // The external id is part of the predicate ($2): it never changes, and a row whose id would change is refused.
    private static readonly string FileUpdate = VersionedUpdate("files", FileColumns, skipColumns: 1, "external_id IS NOT DISTINCT FROM $2");

    // The batch forms (PostgresCatalogTransaction.Batches.cs); here, after FileColumns, which they are built from.
    private static readonly string FileBatchInsert = $"""
        INSERT INTO files ({string.Join(", ", FileColumns)})
        SELECT {string.Join(", ", FileColumns.Select(c => "x." + c))} FROM jsonb_populate_recordset(NULL::files, $1) WITH ORDINALITY AS x ORDER BY x.ordinality
        """;

    // As FileUpdate, for many rows: the external id ($2 there) is part of the predicate, never written.
    private static readonly string FileBatchUpdate = $"""
        UPDATE files f SET {string.Join(", ", FileColumns.Skip(2).Select(c => $"{c} = x.{c}"))}, row_version = f.row_version + 1
        FROM jsonb_populate_recordset(NULL::files, $1) AS x
        WHERE f.file_id = x.file_id AND f.row_version = x.row_version AND f.external_id IS NOT DISTINCT FROM x.external_id
        RETURNING {string.Join(", ", FileColumns.Select(c => "f." + c))}, f.row_version
        """;

    public async ValueTask<FileRecord?> GetFileAsync(long fileId) =>
        (await QueryAsync($"{FileSelect} WHERE file_id = $1{LockIfHot("files", fileId)}", ReadFile, fileId)).FirstOrDefault();

    public async ValueTask<FileRecord?> GetFileByExternalIdAsync(string externalId) =>
        (await QueryAsync($"{FileSelect} WHERE external_id = $1", ReadFile, externalId)).FirstOrDefault();

    public async ValueTask<long> AllocateFileIdAsync() => (long)(await ScalarAsync("SELECT nextval('file_id_seq')"))!;

    public async ValueTask InsertFileAsync(FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (await ExecuteAsync(FileInsert, FileValues(file, Now)) == 0)
        {
            throw new CatalogConstraintException($"File {file.FileId} or external id '{file.ExternalId}' already exists.");
        }

        // A row inserted with its own id (a rebuild from tape) keeps the sequence ahead of it.
        await KeepSequenceAheadAsync("file_id_seq", file.FileId);
    }

    public async ValueTask<FileRecord> UpdateFileAsync(FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return await UpdateVersionedAsync(FileUpdate, FileValues(file, Now), file.RowVersion, ReadFile, "files", "file_id", "file", Id(file.FileId),
            identity: "its external id would change");
    }

    public async ValueTask<IReadOnlyList<FileRecord>> QueryFilesAsync(FileQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string> { "file_id > $1" };
        var args = new List<object?> { query.AfterFileId };
        if (query.CacheStatus is { } c)
        {
            args.Add(StateNames.Of(c));
            where.Add($"cache_status = ${args.Count}");
        }

        if (query.ArchiveStatus is { } a)
        {
            args.Add(StateNames.Of(a));
            where.Add($"archive_status = ${args.Count}");
        }

        if (query.DiskLibrary is { } d)
        {
            args.Add(d);
            where.Add($"disk_library = ${args.Count}");
        }

        if (!query.IncludeDeleted)
        {
            where.Add("deleted_at IS NULL");
        }

        string limit = query.Limit == int.MaxValue ? "" : $" LIMIT {query.Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
        return await QueryAsync($"{FileSelect} WHERE {string.Join(" AND ", where)} ORDER BY file_id{limit}", ReadFile, [.. args]);
    }

    private static object?[] FileValues(FileRecord f, DateTimeOffset now) =>
    [
        f.FileId, f.ExternalId, f.NamespacePath, f.CachePath, f.Size,
        new Jsonb(JsonSerializer.Serialize(f.Checksums.ToArray(), PostgresJsonContext.Default.ChecksumArray)),
        f.Attributes.StorageGroup, f.Attributes.FileFamily, f.Attributes.Wrapper, f.Attributes.Library,
        new Jsonb(JsonSerializer.Serialize(new Dictionary<string, string>(f.Attributes.Extra, StringComparer.Ordinal), PostgresJsonContext.Default.DictionaryStringString)),
        f.Decision.DiskLibrary, f.Decision.PolicyKey, f.Decision.PolicyVersion, f.Decision.Strategy.ToString(),
        new Jsonb(JsonSerializer.Serialize(f.Decision, PostgresJsonContext.Default.PolicyDecision)),
        StateNames.Of(f.CacheStatus), StateNames.Of(f.ArchiveStatus), f.ArchiveClaim?.ListId, f.ArchiveClaim?.Attempt,
        f.Decision.CopyCount, f.PinCount, f.Speculative, f.CreatedAt, f.CachedAt, f.ArchivedAt, f.LastAccessAt, now, f.DeletedAt, f.FailureReason,
    ];

    private static FileRecord ReadFile(NpgsqlDataReader r)
    {
        Dictionary<string, string> extra = JsonSerializer.Deserialize(r.GetString(10), PostgresJsonContext.Default.DictionaryStringString) ?? [];
        return new FileRecord
        {
            FileId = r.GetInt64(0),
            ExternalId = Text(r, 1),
            NamespacePath = r.GetString(2),
            CachePath = r.GetString(3),
            Size = r.GetInt64(4),
            Checksums = [.. JsonSerializer.Deserialize(r.GetString(5), PostgresJsonContext.Default.ChecksumArray) ?? []],
            Attributes = new HsmFileAttributes
            {
                StorageGroup = r.GetString(6),
                FileFamily = r.GetString(7),
                Wrapper = r.GetString(8),
                Library = r.GetString(9),
                Size = r.GetInt64(4),
                Extra = extra.ToImmutableSortedDictionary(StringComparer.Ordinal),
            },
            Decision = JsonSerializer.Deserialize(r.GetString(15), PostgresJsonContext.Default.PolicyDecision)
                ?? throw new PostgresSchemaException($"File {r.GetInt64(0)} has no stored policy decision."),
            CacheStatus = StateNames.Parse<CacheStatus>(r.GetString(16)),
            ArchiveStatus = StateNames.Parse<ArchiveStatus>(r.GetString(17)),
            ArchiveClaim = r.IsDBNull(18) ? null : new ListClaim(r.GetGuid(18), r.GetInt32(19)),
            PinCount = r.GetInt32(21),
            Speculative = r.GetBoolean(22),
            CreatedAt = r.GetFieldValue<DateTimeOffset>(23),
            CachedAt = At(r, 24),
            ArchivedAt = At(r, 25),
            LastAccessAt = At(r, 26),
            DeletedAt = At(r, 28),
            FailureReason = Text(r, 29),
            RowVersion = r.GetInt64(30),
        };
    }
}
