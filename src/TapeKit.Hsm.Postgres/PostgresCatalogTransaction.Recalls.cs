using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    public async ValueTask<IReadOnlyList<PendingRecall>> GetPendingRecallsAsync(string? diskLibrary, bool skipListed, long afterFileId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // A file waiting for a recall is archived (invariant I1): naming both states makes the page a range of an index
        // (files_library_status with a disk library, files_status without) in file-id order, never a sort of every
        // waiting file.
        string waiting = (diskLibrary is null ? "" : "f.disk_library = $3 AND ")
            + "f.cache_status = 'STAGING_REQUESTED' AND f.archive_status = 'ARCHIVED' AND f.deleted_at IS NULL AND f.file_id > $1";
        string unlisted = skipListed
            ? """
               AND NOT EXISTS (SELECT 1 FROM file_list_members lm JOIN file_lists l ON l.list_id = lm.list_id
                   WHERE lm.file_id = f.file_id AND l.kind = 'STAGE' AND l.state IN ('FILLING', 'FILLED', 'ACTIVE'))
              """
            : "";
        object?[] args = diskLibrary is null ? [afterFileId, limit] : [afterFileId, limit, diskLibrary];
        var files = await QueryAsync($"""
            SELECT f.file_id, f.size, f.disk_library, f.decision ->> 'priority', COALESCE(f.last_access_at, f.created_at)
            FROM files f WHERE {waiting}{unlisted} ORDER BY f.file_id LIMIT $2
            """, r => (Id: r.GetInt64(0), Size: r.GetInt64(1), Library: r.GetString(2), Priority: Enum.Parse<RequestPriority>(r.GetString(3)),
                At: r.GetFieldValue<DateTimeOffset>(4)), args);
        if (files.Count == 0)
        {
            return [];
        }

        // The second statement reads the page's copies through members_file: its cost is the page's, not the catalogue's.
        var copies = files.ToDictionary(f => f.Id, _ => new List<(AggregationRecord, AggregationMemberRecord)>());
        foreach ((AggregationRecord aggregation, AggregationMemberRecord member) in await QueryAsync($"""
            SELECT {Prefixed("m", MemberColumns.Split(", "))}, {Prefixed("a", AggregationColumns)}, a.row_version
            FROM members m JOIN aggregations a ON a.aggregation_id = m.aggregation_id
            WHERE m.file_id = ANY($1) ORDER BY m.file_id, m.aggregation_id
            """, r => (ReadAggregation(r, 7), ReadMember(r, 0)), files.Select(f => f.Id).ToArray()))
        {
            copies[member.FileId].Add((aggregation, member));
        }

        return [.. files.Select(f => new PendingRecall(f.Id, f.Size, f.Library, f.Priority, f.At, copies[f.Id]))];
    }
}
