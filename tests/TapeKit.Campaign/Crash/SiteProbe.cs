using Microsoft.Data.Sqlite;

namespace TapeKit.Campaign.Crash;

/// <summary>
/// Read-only questions to a running (or killed) site's SQLite catalogue, as an operator would ask them: to the file, or —
/// with <paramref name="snapshot"/> — to a fresh copy of it per question (a catalogue this process cannot open in place).
/// </summary>
/// <param name="catalogue">The catalogue's file.</param>
/// <param name="snapshot">Makes a copy of the catalogue and returns its path; a torn copy is made again.</param>
internal sealed class SiteProbe(string catalogue, Func<string>? snapshot = null)
{
    /// <summary>The catalogue's file, or a fresh copy of it when the probe reads copies.</summary>
    public string Path => snapshot?.Invoke() ?? catalogue;

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

    /// <summary>The <c>ON_TAPE</c> aggregations each file is a member of (what the catalogue reports durable).</summary>
    public Dictionary<long, HashSet<long>> OnTapeAggregations()
    {
        var result = new Dictionary<long, HashSet<long>>();
        foreach ((long file, long aggregation) in Query("""
            SELECT m.file_id, a.aggregation_id FROM members m JOIN aggregations a ON a.aggregation_id = m.aggregation_id WHERE a.state = 'ON_TAPE'
            """, r => (r.GetInt64(0), r.GetInt64(1))))
        {
            if (!result.TryGetValue(file, out HashSet<long>? set))
            {
                result[file] = set = [];
            }

            set.Add(aggregation);
        }

        return result;
    }

    /// <summary>
    /// What faults left in the catalogue: aggregations <c>FAILED</c> or <c>DAMAGED</c>, tapes out of the normal cycle (not <c>FREE</c>,
    /// <c>FILLING</c> or <c>FULL</c>), and the read and write errors counted on tapes.
    /// </summary>
    public (int FailedAggregations, int TapesSetAside, long TapeErrors) Evidence() =>
        (Query("SELECT COUNT(*) FROM aggregations WHERE state IN ('FAILED', 'DAMAGED')", r => r.GetInt32(0)).SingleOrDefault(),
         Query("SELECT COUNT(*) FROM tapes WHERE state NOT IN ('FREE', 'FILLING', 'FULL')", r => r.GetInt32(0)).SingleOrDefault(),
         Query("SELECT COALESCE(SUM(read_errors + write_errors), 0) FROM tapes", r => r.GetInt64(0)).SingleOrDefault());

    /// <summary>The tapes of a pool holding committed copies, with how many: (VSN, ON_TAPE aggregations).</summary>
    public List<(string Vsn, int Aggregations)> TapesWithCopies(string pool) =>
        Query("""
            SELECT a.vsn, COUNT(*) FROM aggregations a JOIN tapes t ON t.vsn = a.vsn WHERE a.state = 'ON_TAPE' AND t.pool = $pool GROUP BY a.vsn ORDER BY a.vsn
            """, r => (r.GetString(0), r.GetInt32(1)), ("$pool", pool));

    /// <summary>The blocks of committed tape files on a tape: (first block id, block count) per ON_TAPE aggregation.</summary>
    public List<(long FirstBlock, long Blocks)> Segments(string vsn) =>
        Query("SELECT first_block_id, block_count FROM aggregations WHERE state = 'ON_TAPE' AND vsn = $vsn ORDER BY fseq",
            r => (r.GetInt64(0), r.GetInt64(1)), ("$vsn", vsn));

    /// <summary>
    /// The steps a kill interrupted, read from what the catalogue shows right after it (spec/hsm.md §3.7 and the
    /// ingest, stage and purge paths); "idle" when nothing was in progress.
    /// </summary>
    public List<string> InterruptedSteps()
    {
        var steps = new List<string>();
        void Add(string name, string sql)
        {
            if (Query(sql, r => r.GetInt32(0)).SingleOrDefault() > 0)
            {
                steps.Add(name);
            }
        }

        Add("ingest (C1-C2)", "SELECT COUNT(*) FROM files WHERE deleted_at IS NULL AND cache_status = 'CREATED'");
        Add("list filling", "SELECT COUNT(*) FROM file_lists WHERE state IN ('FILLING', 'FILLED')");
        Add("3.7 step 1 claim", """
            SELECT COUNT(*) FROM file_lists l WHERE l.state = 'ACTIVE' AND UPPER(l.kind) = 'ARCHIVE'
            AND NOT EXISTS (SELECT 1 FROM aggregations a WHERE a.list_id = l.list_id AND a.attempt = l.attempt)
            """);
        Add("3.7 step 2 package", "SELECT COUNT(*) FROM aggregations WHERE state = 'BUILDING'");
        Add("3.7 steps 3-4 mount, check, write", "SELECT COUNT(*) FROM aggregations WHERE state = 'WRITING'");
        Add("3.7 step 5 written, before sync/commit", "SELECT COUNT(*) FROM aggregations WHERE state = 'WRITTEN'");
        Add("3.7 steps 6-7 committed, list still active", """
            SELECT COUNT(*) FROM file_lists l WHERE l.state = 'ACTIVE' AND UPPER(l.kind) = 'ARCHIVE'
            AND EXISTS (SELECT 1 FROM aggregations a WHERE a.list_id = l.list_id AND a.attempt = l.attempt AND a.state = 'ON_TAPE')
            """);
        Add("3.7 step 8 purge", "SELECT COUNT(*) FROM files WHERE deleted_at IS NULL AND cache_status IN ('PURGING_REQUESTED', 'PURGING')");
        Add("stage", "SELECT COUNT(*) FROM files WHERE deleted_at IS NULL AND cache_status IN ('STAGING_REQUESTED', 'STAGING')");
        if (steps.Count == 0)
        {
            steps.Add("idle");
        }

        return steps;
    }

    /// <summary>SQLite's own check of the file (<c>PRAGMA integrity_check</c>): <c>ok</c>, or what is damaged.</summary>
    public string IntegrityCheck() => string.Join("; ", Query("PRAGMA integrity_check", r => r.GetString(0)));

    /// <summary>Whether any file is being purged (the moment of step 8).</summary>
    public bool Purging() =>
        Query("SELECT COUNT(*) FROM files WHERE deleted_at IS NULL AND cache_status IN ('PURGING_REQUESTED', 'PURGING')", r => r.GetInt32(0)).SingleOrDefault() > 0;

    /// <summary>Whether any aggregation is being built, written or waits for its commit (steps 2-5).</summary>
    public bool Writing() =>
        Query("SELECT COUNT(*) FROM aggregations WHERE state IN ('BUILDING', 'WRITING', 'WRITTEN')", r => r.GetInt32(0)).SingleOrDefault() > 0;

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> row, params (string Name, object Value)[] args)
    {
        if (snapshot is null)
        {
            return File.Exists(catalogue) ? Query(catalogue, SqliteOpenMode.ReadOnly, sql, row, args) : [];
        }

        for (int attempt = 1; ; attempt++)
        {
            try
            {
                // A private copy: opened for writing, so that SQLite rebuilds its shared-memory index from the copied log.
                return Query(snapshot(), SqliteOpenMode.ReadWrite, sql, row, args);
            }
            catch (SqliteException) when (attempt < 3)
            {
                // Torn while the daemon wrote: copy again.
            }
        }
    }

    private static List<T> Query<T>(string file, SqliteOpenMode mode, string sql, Func<SqliteDataReader, T> row, (string Name, object Value)[] args)
    {
        var result = new List<T>();
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Mode = mode, Pooling = false }.ToString());
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
        catch (SqliteException e) when (e.SqliteErrorCode is 1 or 17 && e.Message.Contains("no such table", StringComparison.Ordinal))
        {
            // The first start was killed before it created the catalogue's tables, or is creating them now (SQLITE_SCHEMA,
            // 17, when the schema changes under the statement): there is nothing in it yet.
        }

        return result;
    }
}
