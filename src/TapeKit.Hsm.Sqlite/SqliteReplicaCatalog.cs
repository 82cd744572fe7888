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
    public async ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default)
    {
        IDisposable writer = await Store.EnterWriterAsync(ct);
        SqliteConnection? c = null;
        try
        {
            c = Store.Open();
            SqliteTransaction txn = c.BeginTransaction(deferred: Store.Options.ReadOnly);
            return new SqliteReplicaTransaction(this, c, txn, writer, Store.Time.GetUtcNow());
        }
        catch (SqliteException e)
        {
            c?.Dispose();
            writer.Dispose();
            throw SqliteErrors.Translate(e, Store.Options.Path);
        }
        catch
        {
            c?.Dispose();
            writer.Dispose();
            throw;
        }
    }
}
