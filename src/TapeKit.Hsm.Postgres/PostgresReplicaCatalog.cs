using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// The replica store in the PostgreSQL catalogue's schema (<see cref="PostgresCatalog.Replicas"/>): tables
/// <c>replica_nodes</c>, <c>replica_files</c>, <c>replicas</c> (schema version 4). Several Librarians may write it at
/// once: every transaction is READ COMMITTED on its own pooled connection, and every row update is conditional on the
/// version read, so a lost race is a <see cref="Catalog.CatalogConflictException"/>, never a lost update.
/// </summary>
public sealed class PostgresReplicaCatalog : IReplicaCatalog
{
    private readonly PostgresCatalog _catalog;

    internal PostgresReplicaCatalog(PostgresCatalog catalog) => _catalog = catalog;

    /// <inheritdoc />
    public TimeProvider Time => _catalog.Time;

    /// <inheritdoc />
    public async ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default) =>
        await _catalog.BeginTransactionAsync((c, txn, now) => new PostgresReplicaTransaction(_catalog, c, txn, now), ct);
}
