using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Messaging;

/// <summary>
/// Events for the host (<c>FileArchived</c>, <c>CacheStaged</c>, <c>CachePurged</c>): queued in the outbox of the
/// transaction that makes them true, on the notify exchange under the host's routing key, never earlier.
/// </summary>
internal static class HostNotifications
{
    /// <summary>Adds one notification to the transaction's outbox.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="txn">The transaction that makes the event true.</param>
    /// <param name="type">The message type.</param>
    /// <param name="body">The body.</param>
    /// <param name="time">The catalogue's clock.</param>
    /// <param name="diskLibrary">The disk library it concerns.</param>
    public static ValueTask AddAsync<T>(ICatalogTransaction txn, string type, T body, TimeProvider time, string? diskLibrary)
    {
        ArgumentNullException.ThrowIfNull(txn);
        Envelope note = HsmMessages.Create(type, body, time, new Envelope { MessageId = Guid.Empty, Type = "", DiskLibrary = diskLibrary });
        return txn.AddOutboxAsync(new OutboundMessage(HsmTopology.NotifyExchange, HsmTopology.HostKey, note));
    }
}
