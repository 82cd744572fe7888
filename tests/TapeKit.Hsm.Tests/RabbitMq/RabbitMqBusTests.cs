using Microsoft.Extensions.Time.Testing;
using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.RabbitMq;

/// <summary>
/// What only a real broker shows: mandatory publishes and confirms, connections that die holding deliveries, the
/// broker's delivery limit, the priority queues, reconnection with topology recovery. Each test under names of its own.
/// </summary>
public sealed class RabbitMqBusTests : IAsyncLifetime
{
    private const string Queue = "q.rmq";
    private const string Exchange = "x.rmq";
    private const string Key = "k";

    private readonly string _prefix = RabbitMqBroker.NewPrefix();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly List<RabbitMqMessageBus> _buses = [];

    private RabbitMqNames Names => new(_prefix);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (RabbitMqMessageBus bus in _buses)
        {
            await bus.DisposeAsync();
        }

        await RabbitMqBroker.DeleteAsync(_prefix, [Queue], [Exchange]);
    }

    [SkippableFact]
    public async Task A_publish_whose_binding_was_removed_behind_the_bus_s_back_fails_as_unroutable()
    {
        RabbitMqMessageBus bus = await BusAsync();
        await using (IConnection side = await RabbitMqBroker.ConnectAsync())
        await using (IChannel channel = await side.CreateChannelAsync())
        {
            await channel.QueueUnbindAsync(Names.LevelQueue(Queue, RequestPriority.Normal), Names.Exchange(Exchange), Key);
        }

        // The bus still knows the exchange, so only the broker's return of the mandatory publish can tell.
        UnroutableMessageException e = await Assert.ThrowsAsync<UnroutableMessageException>(async () => await bus.PublishAsync(Exchange, Key, Message()));
        Assert.Equal(Key, e.RoutingKey);
        await bus.PublishAsync(Exchange, Key, Message(priority: RequestPriority.High));
        Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 10)));
    }

    [SkippableFact]
    public async Task Deleting_a_topology_removes_every_broker_queue_and_exchange_it_declared_and_may_be_repeated()
    {
        RabbitMqMessageBus bus = await BusAsync();
        await bus.PublishAsync(Exchange, Key, Message());
        await using IConnection side = await RabbitMqBroker.ConnectAsync();
        Assert.All(Names.AllQueues(Queue), q => Assert.NotNull(RabbitMqBroker.CountAsync(side, q).GetAwaiter().GetResult()));

        var topology = new BusTopology([new QueueBinding(Exchange, Key, Queue)]);
        await bus.DeleteTopologyAsync(topology);
        foreach (string brokerQueue in Names.AllQueues(Queue))
        {
            Assert.Null(await RabbitMqBroker.CountAsync(side, brokerQueue));
        }

        await using (IChannel channel = await side.CreateChannelAsync())
        {
            var gone = await Assert.ThrowsAsync<RabbitMQ.Client.Exceptions.OperationInterruptedException>(async () => await channel.ExchangeDeclarePassiveAsync(Names.Exchange(Exchange)));
            Assert.True(gone.ShutdownReason?.ReplyCode == Constants.NotFound, $"reply code {gone.ShutdownReason?.ReplyCode}");
        }

        // Already gone: nothing to do, no error; and the bus no longer takes the exchange for declared.
        await bus.DeleteTopologyAsync(topology);
        await Assert.ThrowsAnyAsync<HsmException>(async () => await bus.PublishAsync(Exchange, Key, Message()));
    }

    [SkippableFact]
    public async Task A_publish_returns_once_the_broker_has_the_message_and_a_refused_publish_throws()
    {
        RabbitMqMessageBus bus = await BusAsync();
        await using IConnection side = await RabbitMqBroker.ConnectAsync();
        await bus.PublishAsync(Exchange, Key, Message());
        Assert.Equal(1u, await RabbitMqBroker.CountAsync(side, Names.LevelQueue(Queue, RequestPriority.Normal)));

        // A queue that holds one message and refuses more (reject-publish; a classic queue applies its limit exactly):
        // the broker answers the second publish with a negative confirm.
        string full = _prefix + "full";
        await using (IChannel channel = await side.CreateChannelAsync())
        {
            await channel.QueueDeclareAsync(full, durable: true, exclusive: false, autoDelete: false, arguments: new Dictionary<string, object?>
            {
                ["x-queue-type"] = "classic", ["x-max-length"] = 1, ["x-overflow"] = "reject-publish",
            });
            await channel.QueueBindAsync(full, Names.Exchange(Exchange), "full");
        }

        try
        {
            await bus.PublishAsync(Exchange, "full", Message());
            RabbitMqBusException refused = await Assert.ThrowsAsync<RabbitMqBusException>(async () => await bus.PublishAsync(Exchange, "full", Message()));
            Assert.Contains("negative confirmation", refused.Message, StringComparison.Ordinal);
            Assert.Equal(1u, await RabbitMqBroker.CountAsync(side, full));
        }
        finally
        {
            await using IChannel channel = await side.CreateChannelAsync();
            await channel.QueueDeleteAsync(full, ifUnused: false, ifEmpty: false);
        }
    }

    [SkippableFact]
    public async Task Deliveries_of_a_consumer_whose_connection_died_go_to_another_consumer_with_a_higher_count()
    {
        RabbitMqMessageBus crashing = await BusAsync();
        RabbitMqMessageBus other = await BusAsync(declare: false);
        Envelope[] sent = [Message("1"), Message("2"), Message("3")];
        foreach (Envelope m in sent)
        {
            await crashing.PublishAsync(Exchange, Key, m);
        }

        IReadOnlyList<IDelivery> held = await crashing.ReceiveAsync(Queue, new ReceiveOptions("crashing", 10));
        Assert.Equal(3, held.Count);
        Assert.Empty(await other.ReceiveAsync(Queue, new ReceiveOptions("other", 10)));

        await crashing.Connection.AbortAsync();

        List<IDelivery> taken = await ReceiveUntilAsync(other, "other", 3);
        Assert.Equal(sent.Select(m => m.MessageId).Order(), taken.Select(d => d.Message.MessageId).Order());
        Assert.All(taken, d => Assert.Equal(2, d.DeliveryCount));
        foreach (IDelivery d in held)
        {
            Assert.False(await d.AckAsync());
        }

        Assert.Equal(3, await other.AckManyAsync(taken));
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await other.GetStatsAsync(Queue));
    }

    [SkippableFact]
    public async Task After_the_broker_closed_the_connection_the_bus_reconnects_with_its_topology_and_gets_its_unacked_message_again()
    {
        RabbitMqBusOptions options = RabbitMqBroker.Options(_prefix);
        RabbitMqMessageBus bus = await BusAsync(options: options);
        Envelope m = Message();
        await bus.PublishAsync(Exchange, Key, m);
        IDelivery before = Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 10)));
        await using IConnection side = await RabbitMqBroker.ConnectAsync();
        string low = Names.LevelQueue(Queue, RequestPriority.Low);
        await using (IChannel channel = await side.CreateChannelAsync())
        {
            await channel.QueueDeleteAsync(low, ifUnused: false, ifEmpty: false);
        }

        Assert.Null(await RabbitMqBroker.CountAsync(side, low));

        await RabbitMqBroker.CloseConnectionAsync(options.ConnectionName);
        await WaitUntilAsync(() => bus.Recoveries == 1, "the client reconnects and recovers the topology");

        Assert.False(await before.AckAsync());
        List<IDelivery> again = await ReceiveUntilAsync(bus, "c", 1);
        Assert.Equal(m.MessageId, again[0].Message.MessageId);
        Assert.Equal(2, again[0].DeliveryCount);
        Assert.True(await again[0].AckAsync());
        // Topology recovery declared again what the connection had declared, the queue deleted meanwhile included.
        Assert.Equal(0u, await RabbitMqBroker.CountAsync(side, low));
        await bus.PublishAsync(Exchange, Key, Message(priority: RequestPriority.Low));
        Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 10)));
    }

    [SkippableFact]
    public async Task The_broker_s_delivery_limit_dead_letters_a_message_whose_consumers_keep_dying()
    {
        RabbitMqBusOptions options = RabbitMqBroker.Options(_prefix);
        options.MaxDeliveries = 3;
        RabbitMqMessageBus admin = await BusAsync(options: options);
        Envelope poison = Message("{\"kills\":\"its consumer\"}");
        await admin.PublishAsync(Exchange, Key, poison);
        for (int i = 1; i <= options.MaxDeliveries; i++)
        {
            RabbitMqBusOptions victimOptions = RabbitMqBroker.Options(_prefix);
            victimOptions.MaxDeliveries = options.MaxDeliveries;
            await using RabbitMqMessageBus victim = await RabbitMqMessageBus.ConnectAsync(victimOptions, _time);
            List<IDelivery> got = await ReceiveUntilAsync(victim, "victim", 1);
            Assert.Equal(i, got[0].DeliveryCount);
            await victim.Connection.AbortAsync();
        }

        IReadOnlyList<DeadLetter> letters = [];
        await WaitUntilAsync(async () => (letters = await admin.GetDeadLettersAsync(Queue)).Count > 0, "the broker dead-letters the message");
        DeadLetter dead = Assert.Single(letters);
        Assert.Equal(poison.MessageId, dead.Message.MessageId);
        Assert.Equal(options.MaxDeliveries, dead.DeliveryCount);
        Assert.Contains("delivery limit", dead.Reason, StringComparison.Ordinal);
        Assert.Empty(await admin.ReceiveAsync(Queue, new ReceiveOptions("c", 10)));
        Assert.True(await admin.ReplayDeadLetterAsync(Queue, poison.MessageId));
        Assert.Equal(1, Assert.Single(await admin.ReceiveAsync(Queue, new ReceiveOptions("c", 10))).DeliveryCount);
    }

    [SkippableFact]
    public async Task Each_priority_level_has_its_own_queue_and_a_receive_takes_urgent_then_high_then_normal_then_low()
    {
        RabbitMqMessageBus bus = await BusAsync();
        Envelope low = Message("low", RequestPriority.Low);
        Envelope normal1 = Message("n1");
        Envelope normal2 = Message("n2");
        Envelope high = Message("high", RequestPriority.High);
        Envelope urgent = Message("urgent", RequestPriority.Urgent);
        foreach (Envelope m in new[] { low, normal1, normal2, high, urgent })
        {
            await bus.PublishAsync(Exchange, Key, m);
        }

        await using IConnection side = await RabbitMqBroker.ConnectAsync();
        Assert.Equal(1u, await RabbitMqBroker.CountAsync(side, _prefix + Queue + ".urgent"));
        Assert.Equal(1u, await RabbitMqBroker.CountAsync(side, _prefix + Queue + ".high"));
        Assert.Equal(2u, await RabbitMqBroker.CountAsync(side, _prefix + Queue));
        Assert.Equal(1u, await RabbitMqBroker.CountAsync(side, _prefix + Queue + ".low"));

        var order = new List<Guid>();
        for (int i = 0; i < 5; i++)
        {
            IDelivery d = Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 1)));
            order.Add(d.Message.MessageId);
            Assert.True(await d.AckAsync());
        }

        Assert.Equal([urgent.MessageId, high.MessageId, normal1.MessageId, normal2.MessageId, low.MessageId], order);
    }

    [SkippableFact]
    public async Task Batches_taken_by_competing_consumers_hold_every_message_once_and_never_more_than_the_free_slots()
    {
        RabbitMqMessageBus one = await BusAsync();
        RabbitMqMessageBus two = await BusAsync(declare: false);
        Envelope[] sent = [.. Enumerable.Range(0, 300).Select(i => Message(i.ToString(System.Globalization.CultureInfo.InvariantCulture)))];
        await Task.WhenAll(sent.Select(m => one.PublishAsync(Exchange, Key, m).AsTask()));
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<Guid, int>();
        async Task DrainAsync(RabbitMqMessageBus bus, string consumer)
        {
            while (true)
            {
                IReadOnlyList<IDelivery> batch = await bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, 40));
                Assert.True(batch.Count <= 40, $"{consumer} got {batch.Count} deliveries for 40 free slots");
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (IDelivery d in batch)
                {
                    seen.AddOrUpdate(d.Message.MessageId, 1, (_, n) => n + 1);
                }

                Assert.Equal(batch.Count, await bus.AckManyAsync(batch));
            }
        }

        await Task.WhenAll(DrainAsync(one, "one"), DrainAsync(two, "two"));
        Assert.Equal(sent.Length, seen.Count);
        Assert.All(seen.Values, n => Assert.Equal(1, n));
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await one.GetStatsAsync(Queue));
    }

    [SkippableFact]
    public async Task Messages_survive_a_restart_of_the_bus_and_the_one_it_held_comes_back_at_once()
    {
        RabbitMqMessageBus first = await BusAsync();
        Envelope held = Message("held");
        Envelope waiting = Message("waiting");
        await first.PublishAsync(Exchange, Key, held);
        await first.PublishAsync(Exchange, Key, waiting);
        Assert.Equal(held.MessageId, Assert.Single(await first.ReceiveAsync(Queue, new ReceiveOptions("c", 1))).Message.MessageId);
        await first.DisposeAsync();

        RabbitMqMessageBus second = await BusAsync(declare: false);
        List<IDelivery> both = await ReceiveUntilAsync(second, "c", 2);
        Assert.Equal(held, both.Single(d => d.Message.MessageId == held.MessageId).Message);
        Assert.Equal(2, both.Single(d => d.Message.MessageId == held.MessageId).DeliveryCount);
        Assert.Equal(1, both.Single(d => d.Message.MessageId == waiting.MessageId).DeliveryCount);
    }

    [SkippableFact]
    public async Task A_body_that_is_not_an_envelope_is_dead_lettered_at_the_receive_with_the_reason()
    {
        RabbitMqMessageBus bus = await BusAsync();
        Guid id = Guid.CreateVersion7();
        await using (IConnection side = await RabbitMqBroker.ConnectAsync())
        await using (IChannel channel = await side.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true)))
        {
            // Another program's message on the disk library's routing key.
            await channel.BasicPublishAsync(Names.Exchange(Exchange), Key, mandatory: true, new BasicProperties { MessageId = id.ToString(), Persistent = true }, "<not json>"u8.ToArray());
        }

        await bus.PublishAsync(Exchange, Key, Message());
        IDelivery good = Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 10)));
        Assert.Equal("test.msg", good.Message.Type);
        DeadLetter dead = Assert.Single(await bus.GetDeadLettersAsync(Queue));
        Assert.Equal(id, dead.Message.MessageId);
        Assert.Equal("unreadable", dead.Message.Type);
        Assert.Equal("<not json>", dead.Message.Body);
        Assert.Contains("does not deserialise", dead.Reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Deliveries_before_a_delayed_nack_count_towards_MaxDeliveries()
    {
        RabbitMqMessageBus bus = await BusAsync();
        Envelope m = Message();
        await bus.PublishAsync(Exchange, Key, m);
        for (int i = 1; i <= 5; i++)
        {
            IDelivery d = Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 1)));
            Assert.Equal(i, d.DeliveryCount);
            Assert.True(await d.NackAsync(requeue: true, delay: TimeSpan.FromSeconds(10)));
            Assert.Equal(1, (await bus.GetStatsAsync(Queue)).Delayed);
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Empty(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 1)));
        DeadLetter dead = Assert.Single(await bus.GetDeadLettersAsync(Queue));
        Assert.Equal(m.MessageId, dead.Message.MessageId);
        Assert.Equal(5, dead.DeliveryCount);
        Assert.Contains("MaxDeliveries 5", dead.Reason, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Receive_and_stats_of_a_queue_the_broker_does_not_have_are_empty_and_leave_the_consumer_s_deliveries_alone()
    {
        RabbitMqMessageBus bus = await BusAsync();
        await bus.PublishAsync(Exchange, Key, Message());
        IDelivery d = Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 1)));
        Assert.Empty(await bus.ReceiveAsync("q.nobody", new ReceiveOptions("c", 1)));
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await bus.GetStatsAsync("q.nobody"));
        Assert.True(await d.AckAsync());
    }

    private async Task<RabbitMqMessageBus> BusAsync(bool declare = true, RabbitMqBusOptions? options = null)
    {
        RabbitMqMessageBus bus = await RabbitMqMessageBus.ConnectAsync(options ?? RabbitMqBroker.Options(_prefix), _time);
        _buses.Add(bus);
        if (declare)
        {
            await bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
        }

        return bus;
    }

    private Envelope Message(string body = "{}", RequestPriority priority = RequestPriority.Normal) => new()
    {
        MessageId = Guid.CreateVersion7(),
        Type = "test.msg",
        Priority = priority,
        CreatedAt = _time.GetUtcNow(),
        Body = body,
    };

    /// <summary>Receives until <paramref name="count"/> deliveries came (the broker returns a dead connection's messages a moment later).</summary>
    private static async Task<List<IDelivery>> ReceiveUntilAsync(RabbitMqMessageBus bus, string consumer, int count)
    {
        var got = new List<IDelivery>();
        await WaitUntilAsync(async () =>
        {
            got.AddRange(await bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, count - got.Count)));
            return got.Count >= count;
        }, $"{count} deliveries arrive");
        return got;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) => WaitUntilAsync(() => Task.FromResult(condition()), what);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        DateTime until = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < until, $"Waited 20 s in vain until {what}.");
            await Task.Delay(50);
        }
    }
}
