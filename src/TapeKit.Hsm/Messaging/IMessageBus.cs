namespace TapeKit.Hsm.Messaging;

/// <summary>
/// The messaging abstraction (docs/hsm/overview.md#messaging): direct exchanges, routing keys and durable queues; at-least-once
/// delivery under leases with ack/nack, redelivery and dead letters after <see cref="MessageBusOptions.MaxDeliveries"/>;
/// priorities; delayed visibility. No ordering guarantee across redeliveries and competing consumers.
/// </summary>
public interface IMessageBus
{
    /// <summary>Declares exchanges, queues and bindings; idempotent.</summary>
    /// <param name="topology">The topology.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default);

    /// <summary>Publishes; returns once the message is durable.</summary>
    /// <param name="exchange">The exchange.</param>
    /// <param name="routingKey">The routing key.</param>
    /// <param name="message">The message.</param>
    /// <param name="notBefore">Invisible until then (delayed send), if given.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">No queue is bound to the routing key.</exception>
    ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default);

    /// <summary>
    /// Publishes several messages; returns once all are durable. A bus that can do better than one publish after the
    /// other (one transaction, pipelined confirmations) overrides it; the default publishes them one by one. Whether a
    /// failure leaves none or some of them published is the bus's (the SQL buses publish all or none).
    /// </summary>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">No queue is bound to a message's routing key.</exception>
    async ValueTask PublishManyAsync(IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach ((string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore) in messages)
        {
            await PublishAsync(exchange, routingKey, message, notBefore, ct);
        }
    }

    /// <summary>Claims up to <see cref="ReceiveOptions.MaxMessages"/> visible messages, highest priority first, under a lease. Never waits.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="options">Consumer id, batch size and lease.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default);

    /// <summary>
    /// Acknowledges several deliveries of this bus at once (one durable write where the transport allows it, like
    /// AMQP's multiple acknowledgement). Returns how many were still held and are now removed.
    /// </summary>
    /// <param name="deliveries">Deliveries received from this bus.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<int> AckManyAsync(IReadOnlyList<IDelivery> deliveries, CancellationToken ct = default);

    /// <summary>Completes when a message may have become visible in <paramref name="queue"/>, or after <paramref name="timeout"/> on the bus's clock.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="ct">Cancels the wait.</param>
    Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default);

    /// <summary>Counts of a queue, for metrics and health.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default);

    /// <summary>The dead letters of <paramref name="queue"/>.</summary>
    /// <param name="queue">The source queue.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default);

    /// <summary>Moves a dead letter back into its queue with a fresh delivery count.</summary>
    /// <param name="queue">The source queue.</param>
    /// <param name="messageId">The message.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default);

    /// <summary>
    /// Start-up recovery: every message leased by a consumer that is known dead (an earlier incarnation of a restarted
    /// process) becomes visible again at once instead of after its lease. Its delivery count stays, so a message that
    /// kills its consumer every time still reaches <c>MaxDeliveries</c>. The default suits a bus whose leases die with
    /// the process; a durable bus overrides it.
    /// </summary>
    /// <param name="isDeadConsumer">Whether a lease owner is dead.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>How many messages were released.</returns>
    ValueTask<int> ReleaseLeasesAsync(Func<string, bool> isDeadConsumer, CancellationToken ct = default) => ValueTask.FromResult(0);
}

/// <summary>How to receive.</summary>
/// <param name="ConsumerId">Who holds the leases.</param>
/// <param name="MaxMessages">At most this many messages (the consumer's free slots: flow control).</param>
/// <param name="Lease">The message lease; <see langword="null"/> = the bus default (60 s).</param>
public sealed record ReceiveOptions(string ConsumerId, int MaxMessages = 1, TimeSpan? Lease = null);

/// <summary>Counts of one queue.</summary>
/// <param name="Ready">Visible now.</param>
/// <param name="Leased">Delivered and not yet settled.</param>
/// <param name="Delayed">Not yet visible.</param>
/// <param name="DeadLetters">In the dead-letter queue.</param>
/// <param name="OldestReadyAge">The age of the oldest ready message.</param>
public sealed record QueueStats(int Ready, int Leased, int Delayed, int DeadLetters, TimeSpan OldestReadyAge);

/// <summary>A dead-lettered message.</summary>
/// <param name="Message">The message.</param>
/// <param name="Reason">Why it was dead-lettered.</param>
/// <param name="DeliveryCount">How often it had been delivered.</param>
public sealed record DeadLetter(Envelope Message, string Reason, int DeliveryCount);

/// <summary>Bus settings shared by all implementations (docs/hsm/overview.md#messaging).</summary>
public sealed class MessageBusOptions
{
    /// <summary>Dead-letter a message instead of delivering it a further time after this many deliveries (5).</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>The default message lease (60 s).</summary>
    public TimeSpan DefaultLease { get; set; } = TimeSpan.FromSeconds(60);
}
