using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Messaging;

/// <summary>Replies to a command, queued in the outbox of the transaction that decided them (R1).</summary>
internal static class CommandReplies
{
    /// <summary>Adds a reply to the command's reply address, correlated with it.</summary>
    public static ValueTask AddAsync<T>(ICatalogTransaction txn, Envelope command, string type, T body, TimeProvider time)
    {
        MessageAddress to = command.ReplyTo ?? throw new ArgumentException($"Command {command.MessageId} has no reply address.", nameof(command));
        Envelope reply = HsmMessages.Create(type, body, time,
            new Envelope { MessageId = Guid.Empty, Type = "", CorrelationId = command.CorrelationId, Attempt = command.Attempt, DiskLibrary = command.DiskLibrary });
        return txn.AddOutboxAsync(new OutboundMessage(to.Exchange, to.RoutingKey, reply));
    }
}
