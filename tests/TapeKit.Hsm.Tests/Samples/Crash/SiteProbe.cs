using Microsoft.Data.Sqlite;

namespace TapeKit.Hsm.Tests.Samples.Crash;

/// <summary>Read-only questions to a running (or killed) site's SQLite catalogue, as an operator would ask them.</summary>
internal sealed class SiteProbe(string catalogue)
{
    /// <summary>The instance's current epoch in the catalogue (0 before its first start finished opening the site).</summary>
    public long Epoch(string instanceName)
    {
        try
        {
            return Query("SELECT epoch FROM instances WHERE name = $n", r => r.GetInt64(0), ("$n", instanceName)).SingleOrDefault();
        }
        catch (SqliteException e) when (e.SqliteErrorCode == 1)
        {
            return 0; // No such table yet: the first start is still creating the catalogue.
        }
    }

    /// <summary>File rows by external id: (file id, cache status, archive status).</summary>
    public Dictionary<string, (long Id, string Cache, string Archive)> Files() =>
        Query("SELECT external_id, file_id, cache_status, archive_status FROM files WHERE deleted_at IS NULL AND external_id IS NOT NULL",
            r => (r.GetString(0), (r.GetInt64(1), r.GetString(2), r.GetString(3))))
            .ToDictionary(x => x.Item1, x => x.Item2, StringComparer.Ordinal);

    /// <summary>How many rows each external id has (a duplicate ingest would show 2).</summary>
    public int DuplicateRows() =>
        Query("SELECT COUNT(*) FROM (SELECT external_id FROM files WHERE external_id IS NOT NULL GROUP BY external_id HAVING COUNT(*) > 1)", r => r.GetInt32(0)).Single();

    /// <summary>The work a crash interrupts: files being ingested (CREATED) or archived (ARCHIVING).</summary>
    public HashSet<long> InterruptedWork() =>
        [.. Query("SELECT file_id FROM files WHERE deleted_at IS NULL AND (cache_status = 'CREATED' OR archive_status = 'ARCHIVING')", r => r.GetInt64(0))];

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

        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            result.Add(row(r));
        }

        return result;
    }
}
