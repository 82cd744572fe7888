using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    public ValueTask<IReadOnlyList<AreaUsageRow>> GetAreaUsageAsync(string diskLibrary) =>
        ValueTask.FromResult<IReadOnlyList<AreaUsageRow>>(Translated(() =>
        {
            SqliteCommand cmd = Command("""
                SELECT cache_status, SUM(files), SUM(bytes) FROM file_counts WHERE disk_library = $d AND deleted = 0
                GROUP BY cache_status HAVING SUM(files) > 0 ORDER BY cache_status
                """, ("$d", diskLibrary));
            using SqliteDataReader r = cmd.ExecuteReader();
            var rows = new List<AreaUsageRow>();
            while (r.Read())
            {
                rows.Add(new AreaUsageRow(StateNames.Parse<CacheStatus>(r.GetString(0)), r.GetInt64(1), r.GetInt64(2)));
            }

            return rows;
        }));

    public ValueTask<IReadOnlyList<FileCount>> CountFilesAsync() =>
        ValueTask.FromResult<IReadOnlyList<FileCount>>(Translated(() =>
        {
            SqliteCommand cmd = Command("""
                SELECT cache_status, archive_status, deleted, SUM(files), SUM(bytes) FROM file_counts
                GROUP BY cache_status, archive_status, deleted HAVING SUM(files) > 0 ORDER BY cache_status, archive_status, deleted
                """);
            using SqliteDataReader r = cmd.ExecuteReader();
            var rows = new List<FileCount>();
            while (r.Read())
            {
                rows.Add(new FileCount(StateNames.Parse<CacheStatus>(r.GetString(0)), StateNames.Parse<ArchiveStatus>(r.GetString(1)),
                    r.GetInt64(2) != 0, r.GetInt64(3), r.GetInt64(4)));
            }

            return rows;
        }));

    public ValueTask<IReadOnlyDictionary<FileListState, long>> CountListsAsync(FileListKind kind) =>
        ValueTask.FromResult<IReadOnlyDictionary<FileListState, long>>(Translated(() =>
        {
            SqliteCommand cmd = Command("SELECT state, lists FROM list_counts WHERE kind = $k AND lists > 0", ("$k", StateNames.Of(kind)));
            using SqliteDataReader r = cmd.ExecuteReader();
            var counts = new Dictionary<FileListState, long>();
            while (r.Read())
            {
                counts[StateNames.Parse<FileListState>(r.GetString(0))] = r.GetInt64(1);
            }

            return counts;
        }));
}
