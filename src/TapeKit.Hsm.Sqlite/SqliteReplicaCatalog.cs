using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The replica store in the catalogue's SQLite file (<see cref="SqliteHsmStore.Replicas"/>): tables <c>replica_nodes</c>,
/// <c>replica_files</c>, <c>replicas</c> (schema version 9). Transactions take the store's writer lock and run
/// <c>BEGIN IMMEDIATE</c> like the catalogue's, so a replica transaction never interleaves with a catalogue one; do not
/// open one while holding the other.
/// </summary>
public sealed class SqliteReplicaCatalog : IReplicaCatalog
{
    internal SqliteReplicaCatalog(SqliteHsmStore store) => Store = store;

    internal SqliteHsmStore Store { get; }

    /// <inheritdoc />
    public TimeProvider Time => Store.Time;

    /// <inheritdoc />
    public async ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default) =>
        await SqliteStoreTransaction.BeginAsync(Store, (session, txn, writer, now) => new SqliteReplicaTransaction(Store, session, txn, writer, now), ct);
}
