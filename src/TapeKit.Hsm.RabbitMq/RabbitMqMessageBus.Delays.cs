using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <summary>
    /// Moves the delayed messages of <paramref name="queue"/> whose not-before has come (on the bus's clock) from the
    /// holding queue into the queue of their priority level. Without the delayed-message plugin (which the broker of
    /// Debian 12 lacks) and with an injectable clock, the bus itself decides when a message is due: it takes the
    /// holding queue's messages with <c>basic.get</c> on a channel of its own, publishes the due ones (confirmed) and
    /// acknowledges them, and closes the channel, which returns the others. It looks when the schedule says
    /// (<see cref="DelaySchedule"/>), so a receive does not pay for it every time. A crash between publish and
    /// acknowledgement leaves the message in both queues: consumers' inboxes de-duplicate it.
    /// </summary>
    private async ValueTask PromoteDueMessagesAsync(string queue, CancellationToken ct)
    {
        if (!Delays.IsDue(queue, Time.GetUtcNow()))
        {
            return;
        }

        SemaphoreSlim gate = Delays.Gate(queue);
        await gate.WaitAsync(ct);
        try
        {
            DateTimeOffset now = Time.GetUtcNow();
            if (!Delays.IsDue(queue, now))
            {
                return;
            }

            string holding = Names.DelayedQueue(queue);
            DateTimeOffset? earliestWaiting = null;
            bool promoted = false;
            IChannel channel;
            try
            {
                channel = await _connection.CreateChannelAsync(cancellationToken: ct);
            }
            catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
            {
                throw RabbitMqErrors.Translate(e, $"opening a channel to look into '{holding}'");
            }

            ulong highestHeld = 0;
            int held = 0;
            try
            {
                while (await channel.BasicGetAsync(holding, autoAck: false, ct) is { } got)
                {
                    long? dueMs = AmqpMessages.Long(got.BasicProperties.Headers, AmqpMessages.NotBeforeHeader);
                    DateTimeOffset due = dueMs is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : now;
                    if (due > now)
                    {
                        earliestWaiting = earliestWaiting is { } e && e <= due ? e : due;
                        highestHeld = got.DeliveryTag;
                        held++;
                        continue;
                    }

                    await PromoteAsync(channel, got, queue, ct);
                    promoted = true;
                }

                await ReturnAllAsync(channel, holding, highestHeld, held);
            }
            catch (Exception e) when (RabbitMqErrors.IsClientFailure(e) && !RabbitMqErrors.IsNotFound(e))
            {
                throw RabbitMqErrors.Translate(e, $"moving due messages out of '{holding}'");
            }
            catch (Exception e) when (RabbitMqErrors.IsNotFound(e))
            {
                // No holding queue (declared by an older version, or deleted): nothing is delayed.
            }
            finally
            {
                await CloseQuietlyAsync(channel);
            }

            Delays.Looked(queue, now, earliestWaiting);
            if (promoted)
            {
                WakeUps.Wake(queue);
            }
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Publishes a due message into its level's queue with its earlier deliveries, then acknowledges the held copy.</summary>
    private async ValueTask PromoteAsync(IChannel channel, BasicGetResult got, string queue, CancellationToken ct)
    {
        RequestPriority level;
        try
        {
            level = AmqpMessages.Read(got.Body).Priority;
        }
        catch (PoisonMessageException)
        {
            // The receive dead-letters it with the reason.
            level = RequestPriority.Normal;
        }

        BasicProperties copy = AmqpMessages.Republished(got.BasicProperties);
        if (AmqpMessages.Long(got.BasicProperties.Headers, AmqpMessages.PriorDeliveriesHeader) is { } prior)
        {
            copy.Headers![AmqpMessages.PriorDeliveriesHeader] = prior;
        }

        await PublishCopyAsync("", Names.LevelQueue(queue, level), copy, got.Body, $"moving a due message into queue '{queue}'", ct);
        await channel.BasicAckAsync(got.DeliveryTag, multiple: false, CancellationToken.None);
    }

    /// <summary>
    /// Returns every message still unacknowledged on a channel of the bus's own (tags up to <paramref name="highestTag"/>,
    /// which must be unacknowledged itself: the broker refuses an unknown tag; 0: none), and waits until the broker has handed them back: a nack has no reply, so a round trip on the same
    /// channel follows it. Closing the channel would return them too, but later than a receive on another channel may
    /// look for them.
    /// </summary>
    /// <remarks>
    /// The broker counts returned messages a moment after it has taken them back (its count is read from the queue's
    /// applied state): so that a count right after this (<see cref="GetStatsAsync"/>) includes them, it waits until the
    /// queue counts at least <paramref name="returned"/> messages, for at most a second (other consumers may take them).
    /// </remarks>
    private static async ValueTask ReturnAllAsync(IChannel channel, string brokerQueue, ulong highestTag, int returned)
    {
        if (highestTag == 0)
        {
            return;
        }

        await channel.BasicNackAsync(highestTag, multiple: true, requeue: true, CancellationToken.None);
        await channel.BasicQosAsync(0, 0, global: false, CancellationToken.None);
        long until = Environment.TickCount64 + 1000;
        while ((await channel.QueueDeclarePassiveAsync(brokerQueue, CancellationToken.None)).MessageCount < returned && Environment.TickCount64 < until)
        {
            await Task.Delay(5, CancellationToken.None);
        }
    }

    /// <summary>Closes a channel of the bus's own (unacknowledged messages go back to their queues), ignoring a lost connection.</summary>
    private static async ValueTask CloseQuietlyAsync(IChannel channel)
    {
        try
        {
            if (channel.IsOpen)
            {
                await channel.CloseAsync();
            }
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            // Closing fails only when the connection went first; the broker returns the messages either way.
        }

        await channel.DisposeAsync();
    }
}
