using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    public ValueTask<IReadOnlyList<PendingRecall>> GetPendingRecallsAsync(string? diskLibrary, bool skipListed, long afterFileId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return ValueTask.FromResult<IReadOnlyList<PendingRecall>>(Translated(() => ReadPendingRecalls(diskLibrary, skipListed, afterFileId, limit)));
    }

    private List<PendingRecall> ReadPendingRecalls(string? diskLibrary, bool skipListed, long afterFileId, int limit)
    {
        // Two spellings, so that each walks an index in file-id order: by disk library (files_library_status) or the
        // waiting files' own covering index (files_waiting). A file waiting for a recall is archived (invariant I1), and
        // naming the archive status makes the index's prefix an equality, so a page is a range of an index, never a sort.
        string waiting = (diskLibrary is null ? "" : "f.disk_library = $dl AND ")
            + "f.cache_status = 'STAGING_REQUESTED' AND f.archive_status = 'ARCHIVED' AND f.deleted_at IS NULL AND f.file_id > $after";

        // Files already in a live stage list are left out by a set read once per transaction (bounded by the live stage
        // work), not by a look-up per waiting file.
        HashSet<long>? listed = skipListed ? LiveStageMembers() : null;
        var files = new List<(long Id, long Size, string Library, RequestPriority Priority, DateTimeOffset At)>();
        long after = afterFileId;
        while (true)
        {
            int wanted = limit - files.Count;
            int read = 0;
            using (SqliteDataReader r = Command($"""
                SELECT f.file_id, f.size, f.disk_library, f.priority, COALESCE(f.last_access_at, f.created_at)
                FROM files f WHERE {waiting} ORDER BY f.file_id LIMIT $n
                """, ("$dl", diskLibrary), ("$after", after), ("$n", wanted)).ExecuteReader())
            {
                while (r.Read())
                {
                    read++;
                    after = r.GetInt64(0);
                    if (listed?.Contains(after) != true)
                    {
                        files.Add((after, r.GetInt64(1), r.GetString(2), Enum.Parse<RequestPriority>(r.GetString(3)), SqliteCatalog.At(r, 4) ?? default));
                    }
                }
            }

            // Done when the waiting files ran out or the page is full; a page thinned by listed files reads on.
            if (read < wanted || files.Count == limit)
            {
                break;
            }
        }

        if (files.Count == 0)
        {
            return [];
        }

        // CROSS JOIN fixes the join order: the page's files (an index range), their member rows, their aggregations.
        var copies = files.ToDictionary(f => f.Id, _ => new List<(AggregationRecord, AggregationMemberRecord)>());
        using (SqliteDataReader r = Command($"""
            SELECT m.aggregation_id, m.idx, m.file_id, m.payload_offset, m.block_index, m.offset_in_block, m.block_count,
                   {string.Join(", ", AggregationColumns.Split(',', StringSplitOptions.TrimEntries).Select(c => "a." + c))}, a.row_version
            FROM files f CROSS JOIN members m CROSS JOIN aggregations a
            WHERE {waiting} AND f.file_id <= $last AND m.file_id = f.file_id AND a.aggregation_id = m.aggregation_id
            ORDER BY m.file_id, m.aggregation_id
            """, ("$dl", diskLibrary), ("$after", afterFileId), ("$last", files[^1].Id)).ExecuteReader())
        {
            while (r.Read())
            {
                if (copies.TryGetValue(r.GetInt64(2), out List<(AggregationRecord, AggregationMemberRecord)>? list))
                {
                    var member = new AggregationMemberRecord(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt32(5), r.GetInt64(6));
                    list.Add((AggregationAt(r, 7), member));
                }
            }
        }

        return [.. files.Select(f => new PendingRecall(f.Id, f.Size, f.Library, f.Priority, f.At, copies[f.Id]))];
    }

    /// <summary>The files in live stage lists, read once per transaction and forgotten when a list or its members change.</summary>
    private HashSet<long> LiveStageMembers()
    {
        if (_liveStageMembers is { } known)
        {
            return known;
        }

        var members = new HashSet<long>();
        SqliteCommand cmd = Command("""
            SELECT lm.file_id FROM file_lists l JOIN file_list_members lm ON lm.list_id = l.list_id
            WHERE l.kind = 'STAGE' AND l.state IN ('FILLING', 'FILLED', 'ACTIVE')
            """);
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            members.Add(r.GetInt64(0));
        }

        return _liveStageMembers = members;
    }
}
