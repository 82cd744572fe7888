using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// A message taken with <c>basic.get</c> and not yet settled: it stays unacknowledged on the consumer's channel, which
/// is the broker's only lease. The lease of the contract is kept by the bus on its clock (<see cref="LeaseUntil"/>);
/// when it has passed, the next receive of the queue in this process returns the message to the broker (or
/// dead-letters it after <see cref="RabbitMqBusOptions.MaxDeliveries"/>). When the channel or connection closes first,
/// the broker returns it itself. Each operation settles the delivery at most once, and only while its channel is the
/// one it was received on; settling frames are sent even when the caller's token is cancelled, so that a settle never
/// stops half way.
/// </summary>
internal sealed class RabbitMqDelivery : IDelivery
{
    private const int Held = 0;
    private const int Settling = 1;
    private const int Settled = 2;

    /// <summary>An exchange every virtual host has: its passive declaration is a round trip that changes nothing.</summary>
    private const string RoundTripExchange = "amq.direct";

    private readonly RabbitMqMessageBus _bus;
    private readonly object _lease = new();
    private long _leaseUntilUtcTicks;
    private int _state;

    /// <summary>Wraps a message just received.</summary>
    /// <param name="bus">The bus.</param>
    /// <param name="consumer">The consumer's channel.</param>
    /// <param name="channel">The channel the message was received on.</param>
    /// <param name="generation">The channel's generation at the receive.</param>
    /// <param name="got">The received message.</param>
    /// <param name="queue">The logical queue.</param>
    /// <param name="message">Its envelope (a stand-in for an unreadable body).</param>
    /// <param name="leaseUntil">The end of the lease.</param>
    /// <param name="sequence">The bus's receive counter, for the order of releases.</param>
    public RabbitMqDelivery(
        RabbitMqMessageBus bus, ConsumerChannel consumer, IChannel channel, long generation, BasicGetResult got, string queue, Envelope message, DateTimeOffset leaseUntil, long sequence)
    {
        _bus = bus;
        Consumer = consumer;
        Channel = channel;
        Generation = generation;
        DeliveryTag = got.DeliveryTag;
        Properties = got.BasicProperties;
        Body = got.Body;
        Queue = queue;
        Message = message;
        DeliveryCount = AmqpMessages.DeliveryCount(got.BasicProperties);
        _leaseUntilUtcTicks = leaseUntil.UtcTicks;
        Sequence = sequence;
    }

    /// <inheritdoc />
    public Envelope Message { get; }

    /// <inheritdoc />
    public string Queue { get; }

    /// <inheritdoc />
    public int DeliveryCount { get; }

    /// <inheritdoc />
    /// <remarks>Read without the lease lock: the registry of held deliveries reads it under its own lock.</remarks>
    public DateTimeOffset LeaseUntil => new(Interlocked.Read(ref _leaseUntilUtcTicks), TimeSpan.Zero);

    /// <summary>The bus that received it.</summary>
    public RabbitMqMessageBus Bus => _bus;

    /// <summary>The consumer's channel.</summary>
    public ConsumerChannel Consumer { get; }

    /// <summary>The consumer's channel slot.</summary>
    public ChannelSlot Slot => Consumer.Slot;

    /// <summary>The channel it was received on.</summary>
    public IChannel Channel { get; }

    /// <summary>The channel's generation at the receive.</summary>
    public long Generation { get; }

    /// <summary>The delivery tag on <see cref="Channel"/>.</summary>
    public ulong DeliveryTag { get; }

    /// <summary>The received properties.</summary>
    public IReadOnlyBasicProperties Properties { get; }

    /// <summary>The received body.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <summary>The bus's receive counter at the receive.</summary>
    public long Sequence { get; }

    /// <summary>Not settled, and its channel is still the one it was received on.</summary>
    public bool IsHeld => Volatile.Read(ref _state) == Held && Slot.Generation == Generation;

    /// <summary>Not settled by the bus, but its channel shut down: the broker has returned it.</summary>
    public bool IsLost => Volatile.Read(ref _state) == Held && Slot.Generation != Generation;

    /// <inheritdoc />
    public async ValueTask<bool> AckAsync(CancellationToken ct = default)
    {
        if (!TryBeginSettle())
        {
            return false;
        }

        try
        {
            await Channel.BasicAckAsync(DeliveryTag, multiple: false, CancellationToken.None);
            return true;
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            return false;
        }
        finally
        {
            EndSettle();
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> NackAsync(bool requeue, TimeSpan? delay = null, string? reason = null, CancellationToken ct = default)
    {
        if (!requeue)
        {
            return await DeadLetterAsync(reason ?? "rejected", ct);
        }

        if (delay is not { } pause || pause <= TimeSpan.Zero)
        {
            return await ReturnAsync();
        }

        if (!TryBeginSettle())
        {
            return false;
        }

        DateTimeOffset notBefore = _bus.Time.GetUtcNow() + pause;
        BasicProperties copy = AmqpMessages.Republished(Properties);
        copy.Headers![AmqpMessages.PriorDeliveriesHeader] = (long)DeliveryCount;
        copy.Headers[AmqpMessages.NotBeforeHeader] = notBefore.ToUnixTimeMilliseconds();
        return await ReplaceAsync("", _bus.Names.DelayedQueue(Queue), copy, $"delaying a message of queue '{Queue}'", () => _bus.Delays.Expect(Queue, notBefore), ct);
    }

    /// <inheritdoc />
    public ValueTask<bool> ExtendLeaseAsync(TimeSpan by, CancellationToken ct = default)
    {
        lock (_lease)
        {
            if (!IsHeld)
            {
                return ValueTask.FromResult(false);
            }

            Interlocked.Exchange(ref _leaseUntilUtcTicks, (_bus.Time.GetUtcNow() + by).UtcTicks);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> DeadLetterAsync(string reason, CancellationToken ct = default) =>
        await DeadLetterAsync(reason, DeliveryCount, ct);

    /// <summary>Dead-letters with the number of deliveries to record.</summary>
    /// <param name="reason">Why.</param>
    /// <param name="deliveries">How often it had been delivered.</param>
    /// <param name="ct">Cancels the publish of the dead letter.</param>
    public async ValueTask<bool> DeadLetterAsync(string reason, int deliveries, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return TryBeginSettle() && await DeadLetterClaimedAsync(reason, deliveries, ct);
    }

    /// <summary>
    /// Settles a delivery whose lease has passed: returns it to its queue, or dead-letters it when it has had
    /// <paramref name="maxDeliveries"/> deliveries. <see langword="false"/> when it was settled, lost or extended meanwhile.
    /// </summary>
    /// <param name="now">The bus's time.</param>
    /// <param name="maxDeliveries">The delivery limit.</param>
    /// <param name="ct">Cancels the publish of a dead letter.</param>
    public async ValueTask<bool> ReleaseExpiredAsync(DateTimeOffset now, int maxDeliveries, CancellationToken ct)
    {
        lock (_lease)
        {
            if (LeaseUntil > now || !TryBeginSettle())
            {
                return false;
            }
        }

        return DeliveryCount >= maxDeliveries
            ? await DeadLetterClaimedAsync($"delivered {DeliveryCount} times (MaxDeliveries {maxDeliveries}); the last lease ran out", DeliveryCount, ct)
            : await ReturnClaimedAsync();
    }

    private async ValueTask<bool> DeadLetterClaimedAsync(string reason, int deliveries, CancellationToken ct)
    {
        BasicProperties copy = AmqpMessages.Republished(Properties);
        copy.Headers![AmqpMessages.PriorDeliveriesHeader] = (long)deliveries;
        copy.Headers[AmqpMessages.DeadReasonHeader] = reason;
        return await ReplaceAsync(_bus.Names.DeadLetterExchange, _bus.Names.DeadLetterKey(Queue), copy, $"dead-lettering a message of queue '{Queue}'", null, ct);
    }

    /// <summary>Returns the message to its queue at once (a nack with requeue: the broker counts the delivery).</summary>
    public async ValueTask<bool> ReturnAsync() => TryBeginSettle() && await ReturnClaimedAsync();

    private async ValueTask<bool> ReturnClaimedAsync()
    {
        try
        {
            await Channel.BasicNackAsync(DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            // A nack has no reply. A round trip on the same channel makes sure the broker has handed the message back
            // to its queue before this returns, so that a receive on another channel right after it finds the message.
            // Not a basic.qos: that would change the channel's prefetch under the consumer's next batch (a prefetch of
            // 0 is unlimited: the batch would take the whole queue).
            await Channel.ExchangeDeclarePassiveAsync(RoundTripExchange, CancellationToken.None);
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            return false;
        }
        finally
        {
            EndSettle();
        }

        _bus.WakeUps.Wake(Queue);
        return true;
    }

    /// <summary>Claims the delivery for one settling operation; <see langword="false"/> when it was settled or lost.</summary>
    public bool TryBeginSettle()
    {
        if (Interlocked.CompareExchange(ref _state, Settling, Held) != Held)
        {
            return false;
        }

        if (Slot.Generation != Generation)
        {
            EndSettle();
            return false;
        }

        return true;
    }

    /// <summary>Ends a settling operation (its frame is sent, or the channel is gone).</summary>
    public void EndSettle()
    {
        Volatile.Write(ref _state, Settled);
        _bus.Held.Remove(this);
    }

    /// <summary>
    /// Publishes a copy (confirmed) and then acknowledges this delivery. Should the publish fail, the delivery is returned
    /// to its queue and the failure thrown; should the acknowledgement be lost with the connection, the message exists
    /// twice, and consumers' inboxes de-duplicate it.
    /// </summary>
    private async ValueTask<bool> ReplaceAsync(string exchange, string routingKey, BasicProperties copy, string doing, Action? published, CancellationToken ct)
    {
        try
        {
            await _bus.PublishCopyAsync(exchange, routingKey, copy, Body, doing, ct);
        }
        catch
        {
            try
            {
                await Channel.BasicNackAsync(DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }
            catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
            {
                // The channel is gone, and with it the delivery: the broker has returned it.
            }

            EndSettle();
            throw;
        }

        published?.Invoke();
        try
        {
            await Channel.BasicAckAsync(DeliveryTag, multiple: false, CancellationToken.None);
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            // The copy is durable; the original comes back once more and is de-duplicated by the consumer's inbox.
        }
        finally
        {
            EndSettle();
        }

        return true;
    }
}
