namespace TapeKit.Hsm.Catalog;

/// <summary>
/// Runs a unit of work in one catalogue transaction and commits it, running it again from the start when it fails
/// with a transient error (<see cref="HsmException.IsTransient"/>: a lost optimistic race, a busy store, a
/// serialization failure, a restarted server). The unit must therefore have no effect outside the catalogue before
/// it commits (a file deleted, a message sent): everything it decides, it decides again on a retry from fresh reads.
/// </summary>
public static class CatalogUnitOfWork
{
    /// <summary>How many times a unit of work runs at most before its last transient error is rethrown.</summary>
    public const int MaxAttempts = 10;

    /// <summary>Runs <paramref name="work"/> and commits; retries transient failures.</summary>
    /// <typeparam name="T">What the unit returns.</typeparam>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="work">The unit of work; it may run more than once.</param>
    /// <param name="ct">Cancels waiting, the work between attempts, and the commit.</param>
    /// <returns>What the attempt that committed returned.</returns>
    public static async ValueTask<T> RunAsync<T>(this ICatalog catalog, Func<ICatalogTransaction, ValueTask<T>> work, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(work);
        return await TransactionRetry.RunAsync(catalog.BeginAsync, work, static (txn, ct) => txn.CommitAsync(ct), MaxAttempts, ct);
    }

    /// <summary>Runs <paramref name="work"/> and commits; retries transient failures.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="work">The unit of work; it may run more than once.</param>
    /// <param name="ct">Cancels waiting, the work between attempts, and the commit.</param>
    public static ValueTask RunAsync(this ICatalog catalog, Func<ICatalogTransaction, ValueTask> work, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        return Discard(catalog.RunAsync(async txn =>
        {
            await work(txn);
            return true;
        }, ct));
    }

    private static async ValueTask Discard(ValueTask<bool> task) => await task;
}
