namespace TapeKit.Hsm.Catalog;

/// <summary>Prunes the catalogue's history by a <see cref="HistoryRetention"/>, a bounded batch per transaction.</summary>
public static class CatalogHistory
{
    /// <summary>Removes everything the retention lets go, in batches, until nothing older than its cut-offs is left.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="retention">The retention.</param>
    /// <param name="ct">Cancels between batches.</param>
    /// <returns>What was removed.</returns>
    public static async ValueTask<HistoryPruned> PruneAsync(ICatalog catalog, HistoryRetention retention, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentOutOfRangeException.ThrowIfLessThan(retention.BatchSize, 1);
        HistoryCutoffs cutoffs = retention.CutoffsAt(catalog.Time.GetUtcNow());
        HistoryPruned total = HistoryPruned.None;
        while (true)
        {
            HistoryPruned batch = await catalog.RunAsync(txn => txn.PruneHistoryAsync(cutoffs, retention.BatchSize), ct);
            total += batch;
            if (batch.Total == 0)
            {
                return total;
            }
        }
    }
}
