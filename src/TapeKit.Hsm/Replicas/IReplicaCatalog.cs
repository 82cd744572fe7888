namespace TapeKit.Hsm.Replicas;

/// <summary>
/// The replica store (docs/hsm/replicas.md#the-state-machine <c>nodes</c> and <c>replicas</c>): the rows the Librarian keeps about
/// storage nodes, replicated files and their disk copies. It is a contract of its own beside <see cref="Catalog.ICatalog"/>
/// and follows the same rules: every change happens in a transaction; every row update is a compare-and-set on the row
/// version read (R3), failing with <see cref="Catalog.CatalogConflictException"/>; a broken constraint throws
/// <see cref="Catalog.CatalogConstraintException"/>; a store that fails throws <see cref="Catalog.CatalogStoreException"/>.
/// File ids are the catalogue's, so that a file's tape copies are found by them. The SQLite provider keeps these tables
/// in the catalogue's file (<c>SqliteHsmStore.Replicas</c>).
/// </summary>
public interface IReplicaCatalog
{
    /// <summary>The store's clock: deadlines and audit times come from here.</summary>
    TimeProvider Time { get; }

    /// <summary>Begins a transaction. Disposing it without <see cref="IReplicaTransaction.CommitAsync"/> rolls it back.</summary>
    /// <param name="ct">Cancels waiting for the writer lock.</param>
    ValueTask<IReplicaTransaction> BeginAsync(CancellationToken ct = default);
}
