using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <inheritdoc />
    /// <remarks>
    /// Browses <c>&lt;queue&gt;.dead</c>: takes its messages with <c>basic.get</c> on a channel of its own and closes the
    /// channel, which returns them all. The reason is the bus's (a poison message, a lease that ran out after the last
    /// allowed delivery, a consumer's <see cref="IDelivery.DeadLetterAsync"/>), or the broker's when the quorum queue's
    /// delivery limit dead-lettered the message because its consumers died holding it.
    /// </remarks>
    public async ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        var result = new List<DeadLetter>();
        await BrowseDeadLettersAsync(queue, (_, got) =>
        {
            result.Add(ToDeadLetter(got));
            return ValueTask.FromResult(true);
        }, ct);
        return result;
    }

    /// <inheritdoc />
    /// <remarks>
    /// The dead letter is published (confirmed) into the queue of its priority level without the bus's headers, so its
    /// delivery count starts again, and then acknowledged in the dead-letter queue.
    /// </remarks>
    public async ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        bool replayed = false;
        await BrowseDeadLettersAsync(queue, async (channel, got) =>
        {
            DeadLetter dead = ToDeadLetter(got);
            if (dead.Message.MessageId != messageId)
            {
                return true;
            }

            RequestPriority level = dead.Message.Type == "unreadable" ? RequestPriority.Normal : dead.Message.Priority;
            await PublishCopyAsync("", Names.LevelQueue(queue, level), AmqpMessages.Republished(got.BasicProperties), got.Body, $"replaying a dead letter of queue '{queue}'", ct);
            await channel.BasicAckAsync(got.DeliveryTag, multiple: false, CancellationToken.None);
            replayed = true;
            return false;
        }, ct);
        if (replayed)
        {
            WakeUps.Wake(queue);
        }

        return replayed;
    }

    /// <summary>
    /// Takes the dead letters one by one until <paramref name="visit"/> says stop (having settled the message it was
    /// given) or none is left; all others go back before this returns.
    /// </summary>
    private async ValueTask BrowseDeadLettersAsync(string queue, Func<IChannel, BasicGetResult, ValueTask<bool>> visit, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        string dead = Names.DeadQueue(queue);
        IChannel channel;
        try
        {
            channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            throw RabbitMqErrors.Translate(e, $"opening a channel to browse '{dead}'");
        }

        ulong highestHeld = 0;
        int held = 0;
        try
        {
            // Until the queue has nothing more for this channel: what it holds is not given out twice.
            while (await channel.BasicGetAsync(dead, autoAck: false, ct) is { } got)
            {
                if (!await visit(channel, got))
                {
                    break;
                }

                highestHeld = got.DeliveryTag;
                held++;
            }

            await ReturnAllAsync(channel, dead, highestHeld, held);
        }
        catch (Exception e) when (RabbitMqErrors.IsNotFound(e))
        {
            // Never declared: no dead letters.
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            throw RabbitMqErrors.Translate(e, $"browsing '{dead}'");
        }
        finally
        {
            await CloseQuietlyAsync(channel);
        }
    }

    /// <summary>A dead letter as the contract shows it: the bus's reason and count, or the broker's.</summary>
    private DeadLetter ToDeadLetter(BasicGetResult got)
    {
        IDictionary<string, object?>? headers = got.BasicProperties.Headers;
        Envelope message;
        try
        {
            message = AmqpMessages.Read(got.Body);
        }
        catch (PoisonMessageException)
        {
            message = AmqpMessages.Unreadable(got.BasicProperties, got.Body);
        }

        if (AmqpMessages.Text(headers, AmqpMessages.DeadReasonHeader) is { } reason)
        {
            return new DeadLetter(message, reason, (int)(AmqpMessages.Long(headers, AmqpMessages.PriorDeliveriesHeader) ?? 0));
        }

        // Dead-lettered by the broker: the quorum queue's delivery limit (its consumers died holding it), or a
        // rejection without requeue by a client other than this bus.
        string? brokerReason = AmqpMessages.BrokerDeathReason(headers);
        return brokerReason == "delivery_limit"
            ? new DeadLetter(message, $"delivered {_options.MaxDeliveries} times (MaxDeliveries {_options.MaxDeliveries}); the broker's delivery limit: its consumers' connections closed while they held it", _options.MaxDeliveries)
            : new DeadLetter(message, $"dead-lettered by the broker ({brokerReason ?? "no reason given"})", AmqpMessages.DeliveryCount(got.BasicProperties));
    }
}
