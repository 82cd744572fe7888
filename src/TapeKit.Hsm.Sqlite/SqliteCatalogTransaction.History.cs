using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    /// <summary>A finished list has up to a thousand members: take few lists per call so one call stays small.</summary>
    private const int MembersPerListEstimate = 100;

    public ValueTask<HistoryPruned> PruneHistoryAsync(HistoryCutoffs cutoffs, int maxRows)
    {
        Live();
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        var lists = new List<string>();
        Translated(() =>
        {
            // The state list is spelled as in the partial index file_lists_ended, so the planner uses it.
            SqliteCommand cmd = Command("""
                SELECT list_id FROM file_lists WHERE state IN ('DONE', 'SUPERSEDED', 'DEAD') AND created_at < $c ORDER BY created_at LIMIT $n
                """, ("$c", SqliteCatalog.Ms(cutoffs.FinishedListsBefore)), ("$n", Math.Max(1, maxRows / MembersPerListEstimate)));
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                lists.Add(r.GetString(0));
            }

            return 0;
        });
        foreach (string id in lists)
        {
            Execute("DELETE FROM file_list_members WHERE list_id = $id", ("$id", id));
            Execute("DELETE FROM file_lists WHERE list_id = $id", ("$id", id));
        }

        // The log's oldest end, in sequence order (its times follow its sequence): a call reads the maxRows oldest rows and
        // deletes those past retention, so the log needs no index on time.
        int transitions = Execute("""
            DELETE FROM transitions WHERE seq IN (SELECT seq FROM (SELECT seq, at FROM transitions ORDER BY seq LIMIT $n) WHERE at < $c)
            """, ("$c", SqliteCatalog.Ms(cutoffs.TransitionsBefore)), ("$n", maxRows));
        int inbox = Execute("""
            DELETE FROM inbox WHERE (consumer, message_id) IN (SELECT consumer, message_id FROM inbox WHERE processed_at < $c ORDER BY processed_at LIMIT $n)
            """, ("$c", SqliteCatalog.Ms(cutoffs.InboxBefore)), ("$n", maxRows));
        return ValueTask.FromResult(new HistoryPruned(lists.Count, transitions, inbox));
    }
}
