using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <summary>
    /// Publishes several messages with their confirmations pipelined: every message is sent before the first
    /// confirmation is awaited, and the broker confirms them in few acknowledgements (AMQP's multiple confirm), so a
    /// batch costs about one round trip and one quorum write instead of one per message. Returns once every message was
    /// confirmed. Unlike the SQL buses' batches it is not atomic: each message is published on its own (mandatory,
    /// confirmed, as by <see cref="PublishAsync"/>), and when one fails the others may have been published.
    /// </summary>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="ct">Cancels the waits for the confirmations.</param>
    /// <exception cref="UnroutableMessageException">An exchange does not exist or a routing key has no binding (the first such message).</exception>
    /// <exception cref="RabbitMqBusException">A message was refused or not confirmed in time.</exception>
    public async ValueTask PublishManyAsync(IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var outgoing = new List<OutgoingMessage>(messages.Count);
        foreach ((string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore) in messages)
        {
            ArgumentException.ThrowIfNullOrEmpty(exchange);
            ArgumentNullException.ThrowIfNull(routingKey);
            ArgumentNullException.ThrowIfNull(message);
            if (!await ExchangeExistsAsync(exchange, ct))
            {
                throw new UnroutableMessageException(exchange, routingKey, message.Type);
            }

            outgoing.Add(Prepare(exchange, routingKey, message, notBefore));
        }

        var confirms = new Task<bool>[outgoing.Count];
        for (int i = 0; i < outgoing.Count; i++)
        {
            OutgoingMessage m = outgoing[i];
            confirms[i] = PublishConfirmedAsync(m.BrokerExchange, m.BrokerKey, m.Properties, m.Body, m.Doing, ct).AsTask();
        }

        Exception? failure = null;
        for (int i = 0; i < confirms.Length; i++)
        {
            try
            {
                if (await confirms[i])
                {
                    Published(outgoing[i]);
                }
                else
                {
                    failure ??= new UnroutableMessageException(outgoing[i].Exchange, outgoing[i].RoutingKey, outgoing[i].Message.Type);
                }
            }
            catch (Exception e) when (e is RabbitMqBusException or OperationCanceledException)
            {
                failure ??= e;
            }
        }

        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }
}
