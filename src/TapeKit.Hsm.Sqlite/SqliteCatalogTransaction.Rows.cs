using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    /// <summary>The conditional rewrite of a file's description: every column but the key and the external id, where one differs.</summary>
    private static readonly string DetailUpdate = DetailUpdateSql();

    private static string DetailUpdateSql()
    {
        string[] names = FileDetailColumns.Split(',', StringSplitOptions.TrimEntries);
        var written = names.Select((col, i) => (col, i)).Skip(2).ToList();
        return $"UPDATE file_details SET {string.Join(", ", written.Select(c => $"{c.col} = $p{c.i}"))} "
            + $"WHERE file_id = $p0 AND ({string.Join(" OR ", written.Select(c => $"{c.col} IS NOT $p{c.i}"))})";
    }

    private static (string, object?)[] FileStateValues(FileRecord f, DateTimeOffset now)
    {
        object?[] values =
        [
            f.FileId, f.Size, f.Decision.DiskLibrary, f.Decision.Priority.ToString(),
            StateNames.Of(f.CacheStatus), StateNames.Of(f.ArchiveStatus), f.ArchiveClaim?.ListId.ToString("N"), f.ArchiveClaim?.Attempt,
            f.Decision.CopyCount, f.PinCount, f.Speculative ? 1 : 0,
            SqliteCatalog.Ms(f.CreatedAt), SqliteCatalog.Ms(f.CachedAt), SqliteCatalog.Ms(f.ArchivedAt), SqliteCatalog.Ms(f.LastAccessAt),
            SqliteCatalog.Ms(now), SqliteCatalog.Ms(f.DeletedAt), f.FailureReason,
        ];
        return [.. values.Select((v, i) => ($"$p{i}", v))];
    }

    private static (string, object?)[] FileDetailValues(FileRecord f, long decisionId)
    {
        object?[] values =
        [
            f.FileId, f.ExternalId, f.NamespacePath, f.CachePath,
            JsonSerializer.Serialize(f.Checksums.ToArray(), SqliteJsonContext.Default.ChecksumArray),
            f.Attributes.StorageGroup, f.Attributes.FileFamily, f.Attributes.Wrapper, f.Attributes.Library,
            JsonSerializer.Serialize(new Dictionary<string, string>(f.Attributes.Extra, StringComparer.Ordinal), SqliteJsonContext.Default.DictionaryStringString),
            decisionId,
        ];
        return [.. values.Select((v, i) => ($"$p{i}", v))];
    }

    /// <summary>The id of a stored policy decision, storing it the first time it is seen (a rule places many files alike).</summary>
    private long DecisionId(PolicyDecision decision)
    {
        string json = JsonSerializer.Serialize(decision, SqliteJsonContext.Default.PolicyDecision);
        return (long)Scalar("""
            INSERT INTO decisions (decision) VALUES ($d) ON CONFLICT (decision) DO NOTHING;
            SELECT decision_id FROM decisions WHERE decision = $d
            """, ("$d", json))!;
    }

    private List<FileRecord> QueryFiles(string sql, params (string Name, object? Value)[] args) =>
        Translated(() => ReadFiles(sql, args));

    private List<FileRecord> ReadFiles(string sql, (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<FileRecord>();
        while (r.Read())
        {
            Dictionary<string, string> extra = JsonSerializer.Deserialize(r.GetString(10), SqliteJsonContext.Default.DictionaryStringString) ?? [];
            rows.Add(new FileRecord
            {
                FileId = r.GetInt64(0),
                ExternalId = SqliteCatalog.Text(r, 1),
                NamespacePath = r.GetString(2),
                CachePath = r.GetString(3),
                Size = r.GetInt64(4),
                Checksums = [.. JsonSerializer.Deserialize(r.GetString(5), SqliteJsonContext.Default.ChecksumArray) ?? []],
                Attributes = new HsmFileAttributes
                {
                    StorageGroup = r.GetString(6),
                    FileFamily = r.GetString(7),
                    Wrapper = r.GetString(8),
                    Library = r.GetString(9),
                    Size = r.GetInt64(4),
                    Extra = extra.ToImmutableSortedDictionary(StringComparer.Ordinal),
                },
                Decision = JsonSerializer.Deserialize(r.GetString(12), SqliteJsonContext.Default.PolicyDecision)
                    ?? throw new SqliteSchemaException($"File {r.GetInt64(0)} has no stored policy decision."),
                CacheStatus = StateNames.Parse<CacheStatus>(r.GetString(13)),
                ArchiveStatus = StateNames.Parse<ArchiveStatus>(r.GetString(14)),
                ArchiveClaim = r.IsDBNull(15) ? null : new ListClaim(Guid.ParseExact(r.GetString(15), "N"), r.GetInt32(16)),
                PinCount = r.GetInt32(18),
                Speculative = r.GetInt64(19) != 0,
                CreatedAt = SqliteCatalog.At(r, 20) ?? default,
                CachedAt = SqliteCatalog.At(r, 21),
                ArchivedAt = SqliteCatalog.At(r, 22),
                LastAccessAt = SqliteCatalog.At(r, 23),
                DeletedAt = SqliteCatalog.At(r, 25),
                FailureReason = SqliteCatalog.Text(r, 26),
                RowVersion = r.GetInt64(27),
            });
        }

        return rows;
    }

    private static (string, object?)[] ListValues(FileListRecord l)
    {
        object?[] values =
        [
            l.ListId.ToString("N"), StateNames.Of(l.Kind), l.PolicyKey, l.RuleName, l.DiskLibrary,
            JsonSerializer.Serialize(l.Limits, SqliteJsonContext.Default.ListLimits), l.PolicyVersion, l.Strategy.ToString(), l.Format.ToString(),
            l.TapePool, l.CopyCount, StateNames.Of(l.State), SqliteCatalog.Ms(l.CreatedAt), SqliteCatalog.Ms(l.FirstMemberAt),
            SqliteCatalog.Ms(l.ClosedAt), l.CloseReason?.ToString(), l.MemberCount, l.MemberBytes, l.BusyCount, SqliteCatalog.Ms(l.NotBefore),
            l.Owner, SqliteCatalog.Ms(l.LeaseUntil), l.LastReply, l.Priority.ToString(), l.Vsn, l.Attempt, l.FailureCount, l.FailureReason,
            l.SupersededBy?.ToString("N"),
        ];
        return [.. values.Select((v, i) => ($"$p{i}", v))];
    }

    private List<FileListRecord> QueryLists(string sql, params (string Name, object? Value)[] args) =>
        Translated(() => ReadLists(sql, args));

    private List<FileListRecord> ReadLists(string sql, (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        using SqliteDataReader r = cmd.ExecuteReader();
        var rows = new List<FileListRecord>();
        while (r.Read())
        {
            rows.Add(new FileListRecord
            {
                ListId = Guid.ParseExact(r.GetString(0), "N"),
                Kind = StateNames.Parse<FileListKind>(r.GetString(1)),
                PolicyKey = r.GetString(2),
                RuleName = r.GetString(3),
                DiskLibrary = r.GetString(4),
                Limits = JsonSerializer.Deserialize(r.GetString(5), SqliteJsonContext.Default.ListLimits)
                    ?? throw new SqliteSchemaException($"List {r.GetString(0)} has no limits."),
                PolicyVersion = r.GetInt32(6),
                Strategy = Enum.Parse<ArchiveStrategy>(r.GetString(7)),
                Format = Enum.Parse<AggregationPayloadFormat>(r.GetString(8)),
                TapePool = r.GetString(9),
                CopyCount = r.GetInt32(10),
                State = StateNames.Parse<FileListState>(r.GetString(11)),
                CreatedAt = SqliteCatalog.At(r, 12) ?? default,
                FirstMemberAt = SqliteCatalog.At(r, 13),
                ClosedAt = SqliteCatalog.At(r, 14),
                CloseReason = r.IsDBNull(15) ? null : Enum.Parse<CloseReason>(r.GetString(15)),
                MemberCount = r.GetInt32(16),
                MemberBytes = r.GetInt64(17),
                BusyCount = r.GetInt32(18),
                NotBefore = SqliteCatalog.At(r, 19),
                Owner = SqliteCatalog.Text(r, 20),
                LeaseUntil = SqliteCatalog.At(r, 21),
                LastReply = SqliteCatalog.Text(r, 22),
                Priority = Enum.Parse<RequestPriority>(r.GetString(23)),
                Vsn = SqliteCatalog.Text(r, 24),
                Attempt = r.GetInt32(25),
                FailureCount = r.GetInt32(26),
                FailureReason = SqliteCatalog.Text(r, 27),
                SupersededBy = r.IsDBNull(28) ? null : Guid.ParseExact(r.GetString(28), "N"),
                RowVersion = r.GetInt64(29),
            });
        }

        return rows;
    }
}
