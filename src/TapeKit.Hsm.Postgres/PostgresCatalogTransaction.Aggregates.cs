using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    // Each aggregate key has at most PostgresSchema.CounterStripes rows: these reads cost the number of states, never
    // the number of files or lists.

    public async ValueTask<IReadOnlyList<AreaUsageRow>> GetAreaUsageAsync(string diskLibrary) =>
        await QueryAsync("""
            SELECT cache_status, SUM(files)::bigint, SUM(bytes)::bigint FROM file_counts WHERE disk_library = $1 AND NOT deleted
            GROUP BY cache_status HAVING SUM(files) > 0 ORDER BY cache_status COLLATE "C"
            """, r => new AreaUsageRow(StateNames.Parse<CacheStatus>(r.GetString(0)), r.GetInt64(1), r.GetInt64(2)), diskLibrary);

    public async ValueTask<IReadOnlyList<FileCount>> CountFilesAsync() =>
        await QueryAsync("""
            SELECT cache_status, archive_status, deleted, SUM(files)::bigint, SUM(bytes)::bigint FROM file_counts
            GROUP BY cache_status, archive_status, deleted HAVING SUM(files) > 0
            ORDER BY cache_status COLLATE "C", archive_status COLLATE "C", deleted
            """, r => new FileCount(StateNames.Parse<CacheStatus>(r.GetString(0)), StateNames.Parse<ArchiveStatus>(r.GetString(1)),
                r.GetBoolean(2), r.GetInt64(3), r.GetInt64(4)));

    public async ValueTask<IReadOnlyDictionary<FileListState, long>> CountListsAsync(FileListKind kind) =>
        (await QueryAsync("""
            SELECT state, SUM(lists)::bigint FROM list_counts WHERE kind = $1 GROUP BY state HAVING SUM(lists) > 0
            """, r => (State: StateNames.Parse<FileListState>(r.GetString(0)), Lists: r.GetInt64(1)), StateNames.Of(kind)))
            .ToDictionary(x => x.State, x => x.Lists);
}
