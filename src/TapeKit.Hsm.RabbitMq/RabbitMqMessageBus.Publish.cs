using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <inheritdoc />
    /// <remarks>
    /// The message goes to the exchange with the routing key plus the suffix of its priority level; a delayed one (a
    /// <paramref name="notBefore"/> later than now on the bus's clock) with the suffix <c>.delayed</c> into the holding
    /// queue. The publish is <c>mandatory</c> and returns once the broker confirmed it (quorum queues confirm after the
    /// write is replicated and on disk); a return (no binding) or a missing exchange raises
    /// <see cref="UnroutableMessageException"/>, a negative confirmation or none within
    /// <see cref="RabbitMqBusOptions.PublishTimeout"/> a <see cref="RabbitMqBusException"/>.
    /// </remarks>
    public async ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(exchange);
        ArgumentNullException.ThrowIfNull(routingKey);
        ArgumentNullException.ThrowIfNull(message);
        if (!await ExchangeExistsAsync(exchange, ct))
        {
            throw new UnroutableMessageException(exchange, routingKey, message.Type);
        }

        OutgoingMessage outgoing = Prepare(exchange, routingKey, message, notBefore);
        if (!await PublishConfirmedAsync(outgoing.BrokerExchange, outgoing.BrokerKey, outgoing.Properties, outgoing.Body, outgoing.Doing, ct))
        {
            throw new UnroutableMessageException(exchange, routingKey, message.Type);
        }

        Published(outgoing);
    }

    /// <summary>The broker's exchange, routing key, properties and body of a publish; the key of a delayed one leads to the holding queue.</summary>
    private OutgoingMessage Prepare(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore)
    {
        BasicProperties properties = AmqpMessages.Properties(message);
        bool delayed = notBefore is { } due && due > Time.GetUtcNow();
        string key = RabbitMqNames.LevelKey(routingKey, message.Priority);
        if (delayed)
        {
            key = RabbitMqNames.DelayedKey(routingKey);
            properties.Headers![AmqpMessages.NotBeforeHeader] = notBefore!.Value.ToUnixTimeMilliseconds();
        }

        return new OutgoingMessage(exchange, routingKey, message, delayed ? notBefore : null, Names.Exchange(exchange), key, properties, AmqpMessages.Body(message),
            $"publishing {message.Type} to '{exchange}' with key '{routingKey}'");
    }

    /// <summary>After the confirmation: wakes this process's waiters of the bound queues, or schedules the delayed message's promotion.</summary>
    private void Published(OutgoingMessage outgoing)
    {
        foreach (string queue in _topology.QueuesBoundTo(outgoing.Exchange, outgoing.RoutingKey))
        {
            if (outgoing.NotBefore is { } due)
            {
                Delays.Expect(queue, due);
            }
            else
            {
                WakeUps.Wake(queue);
            }
        }
    }

    /// <summary>Publishes a copy of a received message (to a holding, dead-letter or level queue); a return is a failure here.</summary>
    /// <param name="exchange">The broker's exchange (<c>""</c>: the default exchange, routing key = queue).</param>
    /// <param name="routingKey">The broker's routing key.</param>
    /// <param name="properties">The copy's properties.</param>
    /// <param name="body">The body.</param>
    /// <param name="doing">What for, in messages.</param>
    /// <param name="ct">Cancels the wait for the confirmation.</param>
    /// <exception cref="RabbitMqBusException">The copy was not confirmed.</exception>
    internal async ValueTask PublishCopyAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, string doing, CancellationToken ct)
    {
        if (!await PublishConfirmedAsync(exchange, routingKey, properties, body, doing, ct))
        {
            throw new RabbitMqBusException(
                $"RabbitMQ has no queue for '{routingKey}' on exchange '{(exchange.Length == 0 ? "(default)" : exchange)}' while {doing}: declare the topology again.", transient: false);
        }
    }

    /// <summary>One mandatory, confirmed publish; <see langword="false"/> when the broker returned it as unroutable.</summary>
    private async ValueTask<bool> PublishConfirmedAsync(string exchange, string routingKey, BasicProperties properties, ReadOnlyMemory<byte> body, string doing, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(_options.PublishTimeout);
        try
        {
            (IChannel channel, _) = await _publisher.GetAsync(timeout.Token);
            await channel.BasicPublishAsync(exchange, routingKey, mandatory: true, properties, body, timeout.Token);
            return true;
        }
        catch (PublishException e) when (e.IsReturn)
        {
            return false;
        }
        catch (PublishException e)
        {
            throw new RabbitMqBusException($"RabbitMQ refused a message (negative confirmation) while {doing}; a queue may be over its limits.", transient: true, e);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new RabbitMqBusException($"RabbitMQ did not confirm within {_options.PublishTimeout.TotalSeconds:0.#} s while {doing} (is the broker blocked by a memory or disk alarm?).", transient: true, e);
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e) && e is not RabbitMqBusException)
        {
            throw RabbitMqErrors.Translate(e, doing);
        }
    }

    /// <summary>Whether the logical exchange exists (declared by this bus, or found by a passive declaration).</summary>
    private async ValueTask<bool> ExchangeExistsAsync(string exchange, CancellationToken ct)
    {
        if (_topology.KnowsExchange(exchange))
        {
            return true;
        }

        try
        {
            await AdminAsync(async channel =>
            {
                await channel.ExchangeDeclarePassiveAsync(Names.Exchange(exchange), ct);
                return true;
            }, $"looking for exchange '{exchange}'", ct, notFoundIsAnAnswer: true);
        }
        catch (Exception e) when (RabbitMqErrors.IsNotFound(e))
        {
            return false;
        }

        _topology.AddExchange(exchange);
        return true;
    }
}
