using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

/// <summary>One-transaction reads and tape-row updates that services need between their state changes.</summary>
public static class CatalogShortcuts
{
    /// <summary>Runs one read in its own transaction (rolled back: nothing is written).</summary>
    /// <typeparam name="T">What is read.</typeparam>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="read">The read.</param>
    /// <param name="ct">Cancels waiting for the transaction.</param>
    public static async ValueTask<T> ReadAsync<T>(this ICatalog catalog, Func<ICatalogTransaction, ValueTask<T>> read, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(read);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        return await read(txn);
    }

    /// <summary>
    /// Changes a tape row's fields outside the state machines and the counters (mount counters, errors, reservations,
    /// state after a device error) in one unit of work, retried from a fresh read when another writer changed the row
    /// meanwhile; a tape the catalogue does not know is left alone.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="vsn">The tape.</param>
    /// <param name="change">The new row from the current one; it may run more than once.</param>
    /// <param name="ct">Cancels the call.</param>
    public static ValueTask UpdateTapeAsync(this ICatalog catalog, string vsn, Func<TapeRecord, TapeRecord> change, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(change);
        return catalog.RunAsync(async txn =>
        {
            if (await txn.GetTapeAsync(vsn) is { } tape)
            {
                _ = await txn.UpdateTapeAsync(change(tape));
            }
        }, ct);
    }
}
