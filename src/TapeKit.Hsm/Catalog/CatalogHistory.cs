namespace TapeKit.Hsm.Catalog;

/// <summary>Prunes the catalogue's history by a <see cref="HistoryRetention"/>, a bounded batch per transaction.</summary>
public static class CatalogHistory
{
    /// <summary>
    /// Removes what the retention lets go, a batch per transaction, until nothing older than its cut-offs is left or
    /// <paramref name="maxBatches"/> batches ran (a caller with other work to do comes back for the rest).
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="retention">The retention.</param>
    /// <param name="maxBatches">The most transactions this call runs.</param>
    /// <param name="ct">Cancels between batches.</param>
    /// <returns>What was removed, and whether history older than the cut-offs may be left.</returns>
    public static async ValueTask<HistoryPruned> PruneAsync(ICatalog catalog, HistoryRetention retention, int maxBatches = int.MaxValue, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatches, 1);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(retention);
        ArgumentOutOfRangeException.ThrowIfLessThan(retention.BatchSize, 1);
        HistoryCutoffs cutoffs = retention.CutoffsAt(catalog.Time.GetUtcNow());
        HistoryPruned total = HistoryPruned.None;
        for (int batches = 0; batches < maxBatches; batches++)
        {
            HistoryPruned batch = await catalog.RunAsync(txn => txn.PruneHistoryAsync(cutoffs, retention.BatchSize), ct);
            total += batch;
            if (batch.Total == 0)
            {
                return total;
            }
        }

        return total with { MayHaveMore = true };
    }
}
