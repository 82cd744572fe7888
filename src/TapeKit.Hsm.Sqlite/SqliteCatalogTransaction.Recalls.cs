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
        // Two spellings, so that each walks its index in file-id order: by disk library (files_library_status) or by state
        // (files_status). A file waiting for a recall is archived (invariant I1), and naming the archive status makes the
        // index's prefix an equality, so a page is a range of the index, never a sort of every waiting file.
        string waiting = (diskLibrary is null ? "" : "f.disk_library = $dl AND ")
            + "f.cache_status = 'STAGING_REQUESTED' AND f.archive_status = 'ARCHIVED' AND f.deleted_at IS NULL AND f.file_id > $after";
        string unlisted = skipListed
            ? """
               AND NOT EXISTS (SELECT 1 FROM file_list_members lm JOIN file_lists l ON l.list_id = lm.list_id
                   WHERE lm.file_id = f.file_id AND l.kind = 'STAGE' AND l.state IN ('FILLING', 'FILLED', 'ACTIVE'))
              """
            : "";
        var files = new List<(long Id, long Size, string Library, RequestPriority Priority, DateTimeOffset At)>();
        using (SqliteCommand cmd = Command($"""
            SELECT f.file_id, f.size, f.disk_library, f.priority, COALESCE(f.last_access_at, f.created_at)
            FROM files f WHERE {waiting}{unlisted} ORDER BY f.file_id LIMIT $n
            """, ("$dl", diskLibrary), ("$after", afterFileId), ("$n", limit)))
        using (SqliteDataReader r = cmd.ExecuteReader())
        {
            while (r.Read())
            {
                files.Add((r.GetInt64(0), r.GetInt64(1), r.GetString(2), Enum.Parse<RequestPriority>(r.GetString(3)),
                    SqliteCatalog.At(r, 4) ?? default));
            }
        }

        if (files.Count == 0)
        {
            return [];
        }

        // CROSS JOIN fixes the join order: the page's files (an index range), their member rows, their aggregations.
        var copies = files.ToDictionary(f => f.Id, _ => new List<(AggregationRecord, AggregationMemberRecord)>());
        using (SqliteCommand cmd = Command($"""
            SELECT m.aggregation_id, m.idx, m.file_id, m.payload_offset, m.block_index, m.offset_in_block, m.block_count,
                   {string.Join(", ", AggregationColumns.Split(',', StringSplitOptions.TrimEntries).Select(c => "a." + c))}, a.row_version
            FROM files f CROSS JOIN members m CROSS JOIN aggregations a
            WHERE {waiting} AND f.file_id <= $last AND m.file_id = f.file_id AND a.aggregation_id = m.aggregation_id
            ORDER BY m.file_id, m.aggregation_id
            """, ("$dl", diskLibrary), ("$after", afterFileId), ("$last", files[^1].Id)))
        using (SqliteDataReader r = cmd.ExecuteReader())
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
}
