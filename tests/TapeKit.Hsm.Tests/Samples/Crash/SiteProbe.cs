using Microsoft.Data.Sqlite;

namespace TapeKit.Hsm.Tests.Samples.Crash;

/// <summary>Read-only questions to a running (or killed) site's SQLite catalogue, as an operator would ask them.</summary>
internal sealed class SiteProbe(string catalogue)
{
    /// <summary>File rows by external id: (file id, cache status, archive status).</summary>
    public Dictionary<string, (long Id, string Cache, string Archive)> Files() =>
        Query("SELECT external_id, file_id, cache_status, archive_status FROM files JOIN file_details USING (file_id) WHERE deleted_at IS NULL AND external_id IS NOT NULL",
            r => (r.GetString(0), (r.GetInt64(1), r.GetString(2), r.GetString(3))))
            .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    /// <summary>How many rows each external id has (a duplicate ingest would show 2).</summary>
    public int DuplicateRows() =>
        Query("SELECT COUNT(*) FROM (SELECT external_id FROM file_details WHERE external_id IS NOT NULL GROUP BY external_id HAVING COUNT(*) > 1)", r => r.GetInt32(0)).SingleOrDefault();

    /// <summary>The work a crash interrupts: every file the catalogue has that is not archived yet (being ingested, listed or archived).</summary>
    public HashSet<long> UnfinishedWork() =>
        [.. Query("SELECT file_id FROM files WHERE deleted_at IS NULL AND archive_status <> 'ARCHIVED'", r => r.GetInt64(0))];

    /// <summary>Files caught in the middle of a step: CREATED (ingest) or ARCHIVING (claimed by a migrator).</summary>
    public int FilesMidStep() =>
        Query("SELECT COUNT(*) FROM files WHERE deleted_at IS NULL AND (cache_status = 'CREATED' OR archive_status = 'ARCHIVING')", r => r.GetInt32(0)).SingleOrDefault();

    /// <summary>Lists a worker was carrying out (ACTIVE), of every kind.</summary>
    public int ActiveLists() =>
        Query("SELECT COUNT(*) FROM file_lists WHERE state = 'ACTIVE'", r => r.GetInt32(0)).SingleOrDefault();

    /// <summary>Whether every one of these files is archived.</summary>
    public bool AllArchived(IReadOnlyCollection<long> fileIds)
    {
        if (fileIds.Count == 0)
        {
            return true;
        }

        HashSet<long> archived = [.. Query("SELECT file_id FROM files WHERE archive_status = 'ARCHIVED'", r => r.GetInt64(0))];
        return fileIds.All(archived.Contains);
    }

    /// <summary>Committed tape copies per file: (file id, copies, distinct copy numbers).</summary>
    public Dictionary<long, (int Copies, int DistinctCopyNumbers)> TapeCopies() =>
        Query("""
            SELECT m.file_id, COUNT(*), COUNT(DISTINCT a.copy_nb) FROM members m JOIN aggregations a ON a.aggregation_id = m.aggregation_id
            WHERE a.state = 'ON_TAPE' GROUP BY m.file_id
            """, r => (r.GetInt64(0), r.GetInt32(1), r.GetInt32(2)))
            .ToDictionary(x => x.Item1, x => (x.Item2, x.Item3));

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> row, params (string Name, object Value)[] args)
    {
        var result = new List<T>();
        if (!File.Exists(catalogue))
        {
            return result;
        }

        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = catalogue, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "PRAGMA busy_timeout = 5000";
        cmd.ExecuteNonQuery();
        cmd.CommandText = sql;
        foreach ((string name, object value) in args)
        {
            cmd.Parameters.AddWithValue(name, value);
        }

        try
        {
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                result.Add(row(r));
            }
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1 && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            // The first start was killed before it created the catalogue's tables: there is nothing in it yet.
        }

        return result;
    }
}
