using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Messaging;

/// <summary>
/// A bus that keeps its queues in the catalogue's own store (the SQLite file, the PostgreSQL database), so that
/// deliveries can be acknowledged inside a catalogue transaction: the acknowledgement commits with the effect of handling
/// them, or rolls back with it. A consumer that can use it saves a transaction (a durable commit) per batch; one that
/// cannot acknowledges after its commit, as with any bus.
/// </summary>
public interface ICatalogAcknowledgingBus
{
    /// <summary>
    /// Acknowledges <paramref name="deliveries"/> as part of <paramref name="txn"/> when the transaction is of this bus's
    /// store and every delivery came from this bus; otherwise does nothing and returns <see langword="false"/> (the caller
    /// then acknowledges them after its commit). A delivery whose lease was lost is not acknowledged, as with
    /// <see cref="IMessageBus.AckManyAsync"/>.
    /// </summary>
    /// <param name="txn">An open catalogue transaction, not yet committed.</param>
    /// <param name="deliveries">Deliveries received from this bus.</param>
    /// <returns>Whether the acknowledgements are part of <paramref name="txn"/>.</returns>
    ValueTask<bool> TryAckInAsync(ICatalogTransaction txn, IReadOnlyList<IDelivery> deliveries);
}
