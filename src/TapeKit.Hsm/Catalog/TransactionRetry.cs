namespace TapeKit.Hsm.Catalog;

/// <summary>
/// The retry loop shared by <see cref="CatalogUnitOfWork"/> and <see cref="Replicas.ReplicaUnitOfWork"/>: begin a store
/// transaction, run the work, commit; on a transient error (<see cref="HsmException.IsTransient"/>) run it all again
/// from the start after a jittered back-off.
/// </summary>
internal static class TransactionRetry
{
    public static async ValueTask<T> RunAsync<TTransaction, T>(
        Func<CancellationToken, ValueTask<TTransaction>> begin,
        Func<TTransaction, ValueTask<T>> work,
        Func<TTransaction, CancellationToken, ValueTask> commit,
        int maxAttempts,
        CancellationToken ct)
        where TTransaction : IAsyncDisposable
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                TTransaction txn = await begin(ct);
                await using (txn)
                {
                    T result = await work(txn);
                    await commit(txn, ct);
                    return result;
                }
            }
            catch (HsmException e) when (e.IsTransient && attempt < maxAttempts)
            {
                // A real race with another writer, not simulated time: back off on the wall clock, with jitter so that
                // the racers do not meet again (1 ms doubling to 128 ms).
                int ceiling = 1 << Math.Min(attempt - 1, 7);
                await Task.Delay(TimeSpan.FromMilliseconds(ceiling / 2.0 + (Random.Shared.NextDouble() * ceiling / 2.0)), ct);
            }
        }
    }
}
