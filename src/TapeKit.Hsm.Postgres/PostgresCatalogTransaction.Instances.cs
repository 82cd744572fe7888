namespace TapeKit.Hsm.Postgres;

internal sealed partial class PostgresCatalogTransaction
{
    public async ValueTask<long> AdvanceInstanceEpochAsync(string instanceName)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceName);
        // One upsert: two incarnations starting at once get two different epochs (the second waits for the first's row).
        return (long)(await ScalarAsync("""
            INSERT INTO instances AS i (name, epoch, started_at) VALUES ($1, 1, $2)
            ON CONFLICT (name) DO UPDATE SET epoch = i.epoch + 1, started_at = excluded.started_at
            RETURNING epoch
            """, instanceName, Now))!;
    }

    public async ValueTask<long> GetInstanceEpochAsync(string instanceName) =>
        await ScalarAsync("SELECT epoch FROM instances WHERE name = $1", instanceName) is long epoch ? epoch : 0L;

    /// <summary>
    /// Reads an instance's epoch and keeps its row share-locked until this transaction ends: an epoch advance (a new
    /// incarnation, a new leader's term) waits for this transaction, so a commit decided on the epoch read here lands
    /// before the advance, never after it.
    /// </summary>
    /// <param name="instanceName">The instance (or election) name.</param>
    internal async ValueTask<long> LockInstanceEpochAsync(string instanceName) =>
        await ScalarAsync("SELECT epoch FROM instances WHERE name = $1 FOR SHARE", instanceName) is long epoch ? epoch : 0L;
}
