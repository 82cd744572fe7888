namespace TapeKit.Hsm.Sqlite;

internal sealed partial class SqliteCatalogTransaction
{
    public ValueTask<long> AdvanceInstanceEpochAsync(string instanceName)
    {
        Live();
        ArgumentException.ThrowIfNullOrEmpty(instanceName);
        object? epoch = Scalar("""
            INSERT INTO instances (name, epoch, started_at) VALUES ($n, 1, $now)
            ON CONFLICT (name) DO UPDATE SET epoch = epoch + 1, started_at = $now
            RETURNING epoch
            """, ("$n", instanceName), ("$now", SqliteCatalog.Ms(Now)));
        return ValueTask.FromResult((long)epoch!);
    }

    public ValueTask<long> GetInstanceEpochAsync(string instanceName) =>
        ValueTask.FromResult(Scalar("SELECT epoch FROM instances WHERE name = $n", ("$n", instanceName)) is long epoch ? epoch : 0L);
}
