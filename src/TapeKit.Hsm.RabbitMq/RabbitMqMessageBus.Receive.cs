using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <summary>From this many free slots (and as many ready messages) on, a receive takes a batch with a consumer.</summary>
    private const int BatchThreshold = 16;

    /// <summary>
    /// How long without a pushed message ends a batch (the queue has no more for it: competing consumers took the rest).
    /// The broker pushes a batch back to back, so a pause of this length means it is done; a batch ended early only
    /// makes the receive take another.
    /// </summary>
    private static readonly TimeSpan BatchQuiet = TimeSpan.FromMilliseconds(10);

    /// <inheritdoc />
    /// <remarks>
    /// In order: delayed messages that became due are moved from the holding queue into their level's queue; up to
    /// <see cref="ReceiveOptions.MaxMessages"/> deliveries of this queue held by this process past their lease are
    /// returned to the broker (or dead-lettered after <see cref="RabbitMqBusOptions.MaxDeliveries"/>); then messages are
    /// taken without auto-acknowledgement from the level queues, urgent first, until the caller's free slots are filled
    /// or every level is empty: by <c>basic.get</c>, and, when that leaves 16 or more free slots and ready messages, by a
    /// short-lived consumer whose prefetch is the free slots (<see cref="BatchConsumer"/>). A receive never waits for a
    /// message that is not there. A message whose
    /// body is not an envelope, or that had <see cref="RabbitMqBusOptions.MaxDeliveries"/> deliveries (counted by the
    /// quorum queue plus those before a delayed nack), is dead-lettered instead of delivered. A queue the broker does
    /// not have yields nothing.
    /// </remarks>
    public async ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMessages);
        if (!await QueueExistsAsync(queue, ct))
        {
            return [];
        }

        await PromoteDueMessagesAsync(queue, ct);
        await ReleaseExpiredAsync(queue, options.MaxMessages, ct);
        TimeSpan lease = options.Lease ?? _options.DefaultLease;
        ConsumerChannel consumer = Consumer(options.ConsumerId);
        var result = new List<IDelivery>(Math.Min(options.MaxMessages, 256));
        await consumer.ReceiveGate.WaitAsync(ct);
        try
        {
            foreach (RequestPriority level in PriorityQueues.ReceiveOrder)
            {
                string levelQueue = Names.LevelQueue(queue, level);
                while (result.Count < options.MaxMessages)
                {
                    // basic.get has the last word on an empty level (the broker's count can lag behind a return), and
                    // tells how many messages are left: from BatchThreshold on, the rest comes with a batch consumer.
                    (IChannel channel, long generation) = await consumer.Slot.GetAsync(ct);
                    BasicGetResult? got;
                    try
                    {
                        got = await channel.BasicGetAsync(levelQueue, autoAck: false, ct);
                    }
                    catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
                    {
                        throw RabbitMqErrors.Translate(e, $"receiving from queue '{levelQueue}'");
                    }

                    if (got is null)
                    {
                        break;
                    }

                    if (await AcceptAsync(consumer, channel, generation, got, queue, lease, ct) is { } delivery)
                    {
                        result.Add(delivery);
                    }

                    int room = options.MaxMessages - result.Count;
                    if (room >= BatchThreshold && got.MessageCount >= BatchThreshold)
                    {
                        _ = await TakeBatchAsync(consumer, levelQueue, queue, room, (int)Math.Min(got.MessageCount, (uint)room), lease, result, ct);
                    }
                }
            }
        }
        finally
        {
            consumer.ReceiveGate.Release();
        }

        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The deliveries still held are acknowledged on their channels: with one multiple acknowledgement per channel when
    /// no other unsettled delivery of that channel lies below the highest tag, else one by one. Acknowledgements are not
    /// confirmed by AMQP 0-9-1: one lost with the connection makes the message come back, and the consumer's inbox
    /// de-duplicates it.
    /// </remarks>
    public async ValueTask<int> AckManyAsync(IReadOnlyList<IDelivery> deliveries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var mine = new List<RabbitMqDelivery>(deliveries.Count);
        foreach (IDelivery d in deliveries)
        {
            mine.Add(d is RabbitMqDelivery r && ReferenceEquals(r.Bus, this)
                ? r
                : throw new ArgumentException("A delivery of another bus cannot be acknowledged here.", nameof(deliveries)));
        }

        int acked = 0;
        foreach (IGrouping<(ConsumerChannel Consumer, long Generation), RabbitMqDelivery> group in mine.GroupBy(d => (d.Consumer, d.Generation)))
        {
            await group.Key.Consumer.ReceiveGate.WaitAsync(ct);
            var claimed = new List<RabbitMqDelivery>();
            try
            {
                foreach (RabbitMqDelivery d in group)
                {
                    if (d.TryBeginSettle())
                    {
                        claimed.Add(d);
                    }
                }

                if (claimed.Count == 0)
                {
                    continue;
                }

                IChannel channel = claimed[0].Channel;
                ulong highest = claimed.Max(d => d.DeliveryTag);
                if (!Held.AnyOtherBelow(group.Key.Consumer.Slot, group.Key.Generation, highest, claimed.ToHashSet()))
                {
                    await channel.BasicAckAsync(highest, multiple: true, CancellationToken.None);
                }
                else
                {
                    foreach (RabbitMqDelivery d in claimed)
                    {
                        await channel.BasicAckAsync(d.DeliveryTag, multiple: false, CancellationToken.None);
                    }
                }

                acked += claimed.Count;
            }
            catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
            {
                // The channel is gone, and these deliveries with it: the broker has returned them.
            }
            finally
            {
                foreach (RabbitMqDelivery d in claimed)
                {
                    d.EndSettle();
                }

                group.Key.Consumer.ReceiveGate.Release();
            }
        }

        return acked;
    }

    /// <summary>
    /// Takes up to <paramref name="wanted"/> messages of a level queue with a short-lived consumer whose prefetch is the
    /// caller's free slots (<see cref="BatchConsumer"/>) and adds the deliveries to <paramref name="result"/>.
    /// </summary>
    /// <returns>How many messages the broker pushed (0: others took them; the caller falls back to <c>basic.get</c>).</returns>
    private async ValueTask<int> TakeBatchAsync(
        ConsumerChannel consumer, string levelQueue, string queue, int wanted, int expected, TimeSpan lease, List<IDelivery> result, CancellationToken ct)
    {
        (IChannel channel, long generation) = await consumer.Slot.GetAsync(ct);
        IReadOnlyList<BasicGetResult> pushed;
        try
        {
            ushort prefetch = (ushort)Math.Min(wanted, ushort.MaxValue);
            if (consumer.Prefetch != (channel, prefetch))
            {
                // basic.qos is the channel's: set again only when the batch size or the channel changed.
                await channel.BasicQosAsync(0, prefetch, global: false, ct);
                consumer.Prefetch = (channel, prefetch);
            }

            pushed = await BatchConsumer.TakeAsync(channel, levelQueue, prefetch, expected, BatchQuiet, ct);
            // The prefetch bounds the batch; should the channel's be other than it was set to (a recovered channel),
            // what came beyond the caller's free slots goes straight back instead of being held away from others.
            for (int i = prefetch; i < pushed.Count; i++)
            {
                await channel.BasicNackAsync(pushed[i].DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
            }

            if (pushed.Count > prefetch)
            {
                consumer.Prefetch = default;
                pushed = [.. pushed.Take(prefetch)];
            }
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            throw RabbitMqErrors.Translate(e, $"receiving a batch from queue '{levelQueue}'");
        }

        foreach (BasicGetResult got in pushed)
        {
            if (await AcceptAsync(consumer, channel, generation, got, queue, lease, ct) is { } delivery)
            {
                result.Add(delivery);
            }
        }

        return pushed.Count;
    }

    /// <summary>Wraps a received message; dead-letters it instead when it is unreadable or over the delivery limit.</summary>
    private async ValueTask<RabbitMqDelivery?> AcceptAsync(
        ConsumerChannel consumer, IChannel channel, long generation, BasicGetResult got, string queue, TimeSpan lease, CancellationToken ct)
    {
        Envelope message;
        string? poison = null;
        try
        {
            message = AmqpMessages.Read(got.Body);
        }
        catch (PoisonMessageException e)
        {
            message = AmqpMessages.Unreadable(got.BasicProperties, got.Body);
            poison = e.Message;
        }

        var delivery = new RabbitMqDelivery(this, consumer, channel, generation, got, queue, message, Time.GetUtcNow() + lease, Interlocked.Increment(ref _receiveSequence));
        Held.Add(delivery);
        if (poison is not null)
        {
            await delivery.DeadLetterAsync(poison, ct);
            return null;
        }

        if (delivery.DeliveryCount > _options.MaxDeliveries)
        {
            int had = delivery.DeliveryCount - 1;
            await delivery.DeadLetterAsync($"delivered {had} times (MaxDeliveries {_options.MaxDeliveries})", had, ct);
            return null;
        }

        return delivery;
    }

    /// <summary>
    /// Settles up to <paramref name="max"/> deliveries of <paramref name="queue"/> that this process holds past their
    /// lease: back to the queue, or to the dead letters after the last allowed delivery. As many as the caller asks for,
    /// so that a lease that ran out is taken over by the next receive, while another one nobody wanted stays
    /// acknowledgeable by its holder.
    /// </summary>
    private async ValueTask ReleaseExpiredAsync(string queue, int max, CancellationToken ct)
    {
        DateTimeOffset now = Time.GetUtcNow();
        foreach (RabbitMqDelivery expired in Held.Expired(queue, now, max))
        {
            await expired.ReleaseExpiredAsync(now, _options.MaxDeliveries, ct);
        }
    }

    /// <summary>Whether the broker has the logical queue (its normal-level queue); remembered once found.</summary>
    private async ValueTask<bool> QueueExistsAsync(string queue, CancellationToken ct)
    {
        if (_topology.KnowsQueue(queue))
        {
            return true;
        }

        if (await CountAsync(Names.LevelQueue(queue, RequestPriority.Normal), ct) is null)
        {
            return false;
        }

        _topology.AddQueue(queue);
        return true;
    }

    /// <summary>The ready messages of a broker queue, or <see langword="null"/> when it does not exist.</summary>
    private async ValueTask<uint?> CountAsync(string brokerQueue, CancellationToken ct)
    {
        try
        {
            return await AdminAsync(async channel => (await channel.QueueDeclarePassiveAsync(brokerQueue, ct)).MessageCount,
                $"counting queue '{brokerQueue}'", ct, notFoundIsAnAnswer: true);
        }
        catch (Exception e) when (RabbitMqErrors.IsNotFound(e))
        {
            return null;
        }
    }
}
