using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    /// <summary>A finished list has up to a thousand members: take few lists per call so one call stays small.</summary>
    private const int MembersPerListEstimate = 100;

    public async ValueTask<HistoryPruned> PruneHistoryAsync(HistoryCutoffs cutoffs, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
        // Rows another pruner holds are skipped (SKIP LOCKED), so pruners on several hosts neither wait for nor repeat each
        // other. The state list is spelled as in the partial index file_lists_ended, so the planner uses it.
        List<Guid> lists = await QueryAsync("""
            SELECT list_id FROM file_lists WHERE state IN ('DONE', 'SUPERSEDED', 'DEAD') AND created_at < $1
            ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED
            """, r => r.GetGuid(0), cutoffs.FinishedListsBefore, Math.Max(1, maxRows / MembersPerListEstimate));
        if (lists.Count > 0)
        {
            Guid[] ids = [.. lists];
            await ExecuteAsync("DELETE FROM file_list_members WHERE list_id = ANY($1)", ids);
            await ExecuteAsync("DELETE FROM file_lists WHERE list_id = ANY($1)", ids);
        }

        int transitions = await ExecuteAsync("""
            DELETE FROM transitions WHERE seq IN (SELECT seq FROM transitions WHERE at < $1 ORDER BY at LIMIT $2 FOR UPDATE SKIP LOCKED)
            """, cutoffs.TransitionsBefore, maxRows);
        int inbox = await ExecuteAsync("""
            DELETE FROM inbox WHERE (consumer, message_id) IN (
                SELECT consumer, message_id FROM inbox WHERE processed_at < $1 ORDER BY processed_at LIMIT $2 FOR UPDATE SKIP LOCKED)
            """, cutoffs.InboxBefore, maxRows);
        return new HistoryPruned(lists.Count, transitions, inbox);
    }
}
