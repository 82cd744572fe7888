using System.Collections.Concurrent;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// The bus of docs/hsm/overview.md#messaging on RabbitMQ (AMQP 0-9-1, RabbitMQ 3.10 or later): durable direct exchanges; per logical
/// queue one quorum queue per priority level (3.10's quorum queues have no priorities), a holding queue of delayed
/// messages and a dead-letter queue behind the dead-letter exchange <c>tapekit.hsm.dead</c>; quorum queues count
/// deliveries and dead-letter at <c>x-delivery-limit</c>. Publishes are <c>mandatory</c> and confirmed; a receive is
/// a series of <c>basic.get</c>s with manual acknowledgement, at most as many as the caller has free slots. The message
/// lease is the unacknowledged delivery on this process's channel, timed by the bus on its clock. The connection
/// recovers on its own, with its topology. See docs/hsm/rabbitmq-bus.md.
/// </summary>
public sealed partial class RabbitMqMessageBus : IMessageBus, IAsyncDisposable
{
    private readonly RabbitMqBusOptions _options;
    private readonly IConnection _connection;
    private readonly ChannelSlot _admin;
    private readonly SemaphoreSlim _adminGate = new(1, 1);
    private readonly ChannelSlot _publisher;
    private readonly ThrottlingRateLimiter _unconfirmed;
    private readonly ConcurrentDictionary<string, ConsumerChannel> _consumers = new(StringComparer.Ordinal);
    private readonly TopologyBook _topology = new();
    private long _receiveSequence;
    private int _recoveries;
    private int _disposed;

    private RabbitMqMessageBus(RabbitMqBusOptions options, TimeProvider time, IConnection connection)
    {
        _options = options;
        Time = time;
        _connection = connection;
        Names = new RabbitMqNames(options.NamePrefix);
        Delays = new DelaySchedule(options.PollInterval);
        _admin = new ChannelSlot(connection);
        // The client's default limiter delays publishes from 64 unconfirmed on (up to 1 s each), which would make a
        // batch wait instead of having the broker confirm it together.
        _unconfirmed = new ThrottlingRateLimiter(options.MaxUnconfirmedPublishes);
        _publisher = new ChannelSlot(connection, new CreateChannelOptions(
            publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: _unconfirmed));
        connection.ConnectionShutdownAsync += OnConnectionLostAsync;
        connection.RecoverySucceededAsync += OnRecoveredAsync;
    }

    /// <summary>The settings in force.</summary>
    public RabbitMqBusOptions Options => _options;

    /// <summary>The clock of leases and delays.</summary>
    internal TimeProvider Time { get; }

    /// <summary>The broker's names.</summary>
    internal RabbitMqNames Names { get; }

    /// <summary>The deliveries handed out and not settled.</summary>
    internal HeldDeliveries Held { get; } = new();

    /// <summary>The in-process wake-ups.</summary>
    internal QueueWakeUps WakeUps { get; } = new();

    /// <summary>When to look into the holding queues.</summary>
    internal DelaySchedule Delays { get; }

    /// <summary>The connection (tests close it abruptly).</summary>
    internal IConnection Connection => _connection;

    /// <summary>How often the connection was recovered, topology included.</summary>
    internal int Recoveries => Volatile.Read(ref _recoveries);

    /// <summary>Connects to the broker named by <paramref name="options"/>.</summary>
    /// <param name="options">The settings.</param>
    /// <param name="time">The clock of leases and delays.</param>
    /// <param name="ct">Cancels the connect.</param>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    /// <exception cref="RabbitMqBusException">The broker cannot be reached or refused the login.</exception>
    public static async ValueTask<RabbitMqMessageBus> ConnectAsync(RabbitMqBusOptions options, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        options.Validate();
        var factory = new ConnectionFactory
        {
            Uri = new Uri(options.Uri),
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            // The bus's consumers live for one batch: none is to come back after a reconnect and take messages
            // that nobody would ever settle.
            TopologyRecoveryFilter = new TopologyRecoveryFilter { ConsumerFilter = _ => false },
            NetworkRecoveryInterval = options.ReconnectInterval,
            RequestedHeartbeat = options.Heartbeat,
            ClientProvidedName = options.ConnectionName.Length > 0 ? options.ConnectionName : "tapekit-hsm@" + Environment.MachineName,
        };
        if (options.VirtualHost.Length > 0)
        {
            factory.VirtualHost = options.VirtualHost;
        }

        IConnection connection;
        try
        {
            connection = await factory.CreateConnectionAsync(ct);
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            throw new RabbitMqBusException(
                $"RabbitMQ at {RabbitMqBusOptions.Redacted(options.Uri)} (virtual host '{factory.VirtualHost}') could not be reached or refused the login: {e.InnerException?.Message ?? e.Message}",
                transient: RabbitMqErrors.IsConnectionFailure(e) && e is not RabbitMQ.Client.Exceptions.AuthenticationFailureException, e);
        }

        return new RabbitMqMessageBus(options, time, connection);
    }

    /// <inheritdoc />
    public async ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        var exchanges = new HashSet<string>(StringComparer.Ordinal);
        var queues = new HashSet<string>(StringComparer.Ordinal);
        await AdminAsync(async channel =>
        {
            await DeclareExchangeAsync(channel, Names.DeadLetterExchange, ct);
            foreach (QueueBinding b in topology.Bindings)
            {
                if (exchanges.Add(b.Exchange))
                {
                    await DeclareExchangeAsync(channel, Names.Exchange(b.Exchange), ct);
                }

                if (queues.Add(b.Queue))
                {
                    await DeclareQueuesAsync(channel, b.Queue, ct);
                }

                foreach (RequestPriority level in PriorityQueues.ReceiveOrder)
                {
                    await channel.QueueBindAsync(Names.LevelQueue(b.Queue, level), Names.Exchange(b.Exchange), RabbitMqNames.LevelKey(b.RoutingKey, level), cancellationToken: ct);
                }

                await channel.QueueBindAsync(Names.DelayedQueue(b.Queue), Names.Exchange(b.Exchange), RabbitMqNames.DelayedKey(b.RoutingKey), cancellationToken: ct);
            }

            return true;
        }, "declaring the topology", ct);
        _topology.Record(topology);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _connection.ConnectionShutdownAsync -= OnConnectionLostAsync;
        _connection.RecoverySucceededAsync -= OnRecoveredAsync;
        foreach (ConsumerChannel consumer in _consumers.Values)
        {
            await consumer.Slot.DisposeAsync();
        }

        await _publisher.DisposeAsync();
        await _unconfirmed.DisposeAsync();
        await _admin.DisposeAsync();
        try
        {
            await _connection.CloseAsync();
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e))
        {
            // Already gone: the broker returns every unacknowledged delivery either way.
        }

        await _connection.DisposeAsync();
        WakeUps.WakeAll();
    }

    private static async Task DeclareExchangeAsync(IChannel channel, string exchange, CancellationToken ct) =>
        await channel.ExchangeDeclareAsync(exchange, ExchangeType.Direct, durable: true, autoDelete: false, arguments: null, cancellationToken: ct);

    /// <summary>The level queues, the holding queue and the dead-letter queue of a logical queue, and the dead-letter binding.</summary>
    private async Task DeclareQueuesAsync(IChannel channel, string queue, CancellationToken ct)
    {
        var levelArguments = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["x-queue-type"] = "quorum",
            // Quorum queues count returns (a nack with requeue, a closed channel): after MaxDeliveries - 1 returns a
            // message has been delivered MaxDeliveries times, and the next return dead-letters it.
            ["x-delivery-limit"] = _options.MaxDeliveries - 1,
            ["x-dead-letter-exchange"] = Names.DeadLetterExchange,
            ["x-dead-letter-routing-key"] = Names.DeadLetterKey(queue),
            // At-least-once dead-lettering (RabbitMQ 3.10): the broker keeps a dead letter until the dead-letter queue
            // confirmed it; it needs reject-publish overflow.
            ["x-dead-letter-strategy"] = "at-least-once",
            ["x-overflow"] = "reject-publish",
        };
        var plainArguments = new Dictionary<string, object?>(StringComparer.Ordinal) { ["x-queue-type"] = "quorum" };
        foreach (RequestPriority level in PriorityQueues.ReceiveOrder)
        {
            await DeclareQueueAsync(channel, Names.LevelQueue(queue, level), levelArguments, ct);
        }

        await DeclareQueueAsync(channel, Names.DelayedQueue(queue), plainArguments, ct);
        await DeclareQueueAsync(channel, Names.DeadQueue(queue), plainArguments, ct);
        await channel.QueueBindAsync(Names.DeadQueue(queue), Names.DeadLetterExchange, Names.DeadLetterKey(queue), cancellationToken: ct);
    }

    private async Task DeclareQueueAsync(IChannel channel, string name, Dictionary<string, object?> arguments, CancellationToken ct)
    {
        try
        {
            await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments: arguments, cancellationToken: ct);
        }
        catch (Exception e) when (RabbitMqErrors.IsPreconditionFailed(e))
        {
            throw new RabbitMqBusException(
                $"RabbitMQ already has a queue '{name}' declared otherwise than this bus declares it (a quorum queue with x-delivery-limit {_options.MaxDeliveries - 1} "
                + $"and dead-letter exchange '{Names.DeadLetterExchange}'): {((RabbitMQ.Client.Exceptions.OperationInterruptedException)e).ShutdownReason?.ReplyText}. "
                + "Keep the settings it was declared with (MaxDeliveries) or delete the queue once it is empty.", transient: false, e);
        }
    }

    /// <summary>
    /// Runs calls on the administrative channel, one at a time: a 404 or 406 closes the channel, which must not take a
    /// concurrent call with it. Client failures are translated, except a 404 when <paramref name="notFoundIsAnAnswer"/>
    /// (a passive declaration asks whether something exists).
    /// </summary>
    private async ValueTask<T> AdminAsync<T>(Func<IChannel, Task<T>> call, string doing, CancellationToken ct, bool notFoundIsAnAnswer = false)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _adminGate.WaitAsync(ct);
        try
        {
            (IChannel channel, _) = await _admin.GetAsync(ct);
            return await call(channel);
        }
        catch (Exception e) when (RabbitMqErrors.IsClientFailure(e) && !(notFoundIsAnAnswer && RabbitMqErrors.IsNotFound(e)))
        {
            throw RabbitMqErrors.Translate(e, doing);
        }
        finally
        {
            _adminGate.Release();
        }
    }

    /// <summary>The channel of a consumer id, opened on first use.</summary>
    private ConsumerChannel Consumer(string consumerId) =>
        _consumers.GetOrAdd(consumerId, _ => new ConsumerChannel(new ChannelSlot(_connection)));

    private Task OnConnectionLostAsync(object sender, ShutdownEventArgs e)
    {
        // Every unacknowledged delivery went back to its queue with the connection.
        _admin.Invalidate();
        _publisher.Invalidate();
        foreach (ConsumerChannel consumer in _consumers.Values)
        {
            consumer.Slot.Invalidate();
        }

        return Task.CompletedTask;
    }

    private Task OnRecoveredAsync(object sender, AsyncEventArgs e)
    {
        // The client re-declared the exchanges, queues and bindings this connection declared (topology recovery);
        // messages returned while it was away are visible again.
        Interlocked.Increment(ref _recoveries);
        WakeUps.WakeAll();
        return Task.CompletedTask;
    }
}
