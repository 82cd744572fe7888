using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Replicas;

/// <summary>
/// Runs a unit of work in one replica-store transaction and commits it, running it again from the start after a
/// transient error (a lost optimistic race, a busy or restarted store), as <see cref="CatalogUnitOfWork"/> does for the
/// catalogue. The unit must have no effect outside the store before it commits.
/// </summary>
public static class ReplicaUnitOfWork
{
    /// <summary>Runs <paramref name="work"/> and commits; retries transient failures.</summary>
    /// <typeparam name="T">What the unit returns.</typeparam>
    /// <param name="store">The store.</param>
    /// <param name="work">The unit of work; it may run more than once.</param>
    /// <param name="maxAttempts">How many times it runs at most before the last transient error is rethrown.</param>
    /// <param name="ct">Cancels waiting, the work between attempts, and the commit.</param>
    public static async ValueTask<T> RunAsync<T>(this IReplicaCatalog store, Func<IReplicaTransaction, ValueTask<T>> work, int maxAttempts = CatalogUnitOfWork.MaxAttempts, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(work);
        return await TransactionRetry.RunAsync(store.BeginAsync, work, static (txn, ct) => txn.CommitAsync(ct), maxAttempts, ct);
    }
}
