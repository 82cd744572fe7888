using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tests.Messaging;

/// <summary>
/// The bus conformance kit of spec/hsm.md §6.4: every <see cref="IMessageBus"/> implementation derives from this
/// class and must pass every test.
/// </summary>
public abstract class BusConformanceTests : IAsyncLifetime
{
    protected const string Queue = "q.test";
    protected const string Exchange = "x.test";
    protected const string Key = "k";

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    protected MessageBusOptions Options { get; } = new() { MaxDeliveries = 5, DefaultLease = TimeSpan.FromSeconds(60) };

    protected IMessageBus Bus { get; private set; } = null!;

    /// <summary>Creates a bus (over the same store when called again after a restart).</summary>
    protected abstract ValueTask<IMessageBus> CreateAsync();

    /// <summary>Drops the current instance without settling anything and creates a new one over the same store.</summary>
    protected virtual async ValueTask RestartAsync()
    {
        if (Bus is IAsyncDisposable d)
        {
            await d.DisposeAsync();
        }

        Bus = await CreateAsync();
    }

    public async Task InitializeAsync()
    {
        Bus = await CreateAsync();
        await Bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
    }

    public virtual async Task DisposeAsync()
    {
        if (Bus is IAsyncDisposable d)
        {
            await d.DisposeAsync();
        }
    }

    protected Envelope Message(string body = "{}", RequestPriority priority = RequestPriority.Normal) => new()
    {
        MessageId = MessageIds.New(Time),
        Type = "test.msg",
        Priority = priority,
        CreatedAt = Time.GetUtcNow(),
        Body = body,
    };

    protected ValueTask<IReadOnlyList<IDelivery>> Receive(string consumer = "c1", int max = 1, TimeSpan? lease = null) =>
        Bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, max, lease));

    [SkippableFact]
    public async Task Publish_consume_ack_removes_the_message()
    {
        Envelope sent = Message("{\"n\":1}");
        await Bus.PublishAsync(Exchange, Key, sent);
        IReadOnlyList<IDelivery> got = await Receive();
        IDelivery d = Assert.Single(got);
        Assert.Equal(sent, d.Message);
        Assert.Equal(1, d.DeliveryCount);
        Assert.Equal(Queue, d.Queue);
        Assert.True(await d.AckAsync());
        Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(await Receive());
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await Bus.GetStatsAsync(Queue));
    }

    [SkippableFact]
    public async Task A_crashed_consumer_s_message_is_redelivered_after_the_lease_with_a_higher_count()
    {
        await Bus.PublishAsync(Exchange, Key, Message());
        IDelivery first = Assert.Single(await Receive("crashing"));
        Assert.Empty(await Receive("other"));
        Time.Advance(TimeSpan.FromSeconds(59));
        Assert.Empty(await Receive("other"));
        Time.Advance(TimeSpan.FromSeconds(1));
        IDelivery second = Assert.Single(await Receive("other"));
        Assert.Equal(first.Message.MessageId, second.Message.MessageId);
        Assert.Equal(2, second.DeliveryCount);
        Assert.False(await first.AckAsync());
        Assert.True(await second.AckAsync());
    }

    [SkippableFact]
    public async Task ExtendLease_prevents_redelivery()
    {
        await Bus.PublishAsync(Exchange, Key, Message());
        IDelivery d = Assert.Single(await Receive());
        Time.Advance(TimeSpan.FromSeconds(50));
        Assert.True(await d.ExtendLeaseAsync(TimeSpan.FromSeconds(60)));
        Assert.Equal(Time.GetUtcNow() + TimeSpan.FromSeconds(60), d.LeaseUntil);
        Time.Advance(TimeSpan.FromSeconds(50));
        Assert.Empty(await Receive("other"));
        Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(await Receive("other"));
        Assert.False(await d.ExtendLeaseAsync(TimeSpan.FromSeconds(60)));
    }

    [SkippableFact]
    public async Task Nack_with_delay_hides_the_message_until_the_delay_passed()
    {
        await Bus.PublishAsync(Exchange, Key, Message());
        IDelivery d = Assert.Single(await Receive());
        Assert.True(await d.NackAsync(requeue: true, delay: TimeSpan.FromSeconds(30)));
        Assert.Empty(await Receive());
        Assert.Equal(1, (await Bus.GetStatsAsync(Queue)).Delayed);
        Time.Advance(TimeSpan.FromSeconds(30));
        IDelivery again = Assert.Single(await Receive());
        Assert.Equal(2, again.DeliveryCount);
    }

    [SkippableFact]
    public async Task Delayed_publish_is_invisible_until_not_before()
    {
        await Bus.PublishAsync(Exchange, Key, Message(), Time.GetUtcNow() + TimeSpan.FromMinutes(2));
        Assert.Empty(await Receive());
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(await Receive());
    }

    [SkippableFact]
    public async Task A_message_is_dead_lettered_after_MaxDeliveries()
    {
        Envelope m = Message();
        await Bus.PublishAsync(Exchange, Key, m);
        for (int i = 1; i <= Options.MaxDeliveries; i++)
        {
            IDelivery d = Assert.Single(await Receive());
            Assert.Equal(i, d.DeliveryCount);
            Time.Advance(Options.DefaultLease);
        }

        Assert.Empty(await Receive());
        DeadLetter dead = Assert.Single(await Bus.GetDeadLettersAsync(Queue));
        Assert.Equal(m.MessageId, dead.Message.MessageId);
        Assert.Equal(Options.MaxDeliveries, dead.DeliveryCount);
        Assert.Contains("MaxDeliveries", dead.Reason, StringComparison.Ordinal);
        Assert.True(await Bus.ReplayDeadLetterAsync(Queue, m.MessageId));
        Assert.Equal(1, Assert.Single(await Receive()).DeliveryCount);
        Assert.Empty(await Bus.GetDeadLettersAsync(Queue));
    }

    [SkippableFact]
    public async Task A_poison_message_is_dead_lettered_at_once_with_its_reason()
    {
        Envelope m = Message("not json");
        await Bus.PublishAsync(Exchange, Key, m);
        IDelivery d = Assert.Single(await Receive());
        Assert.True(await d.DeadLetterAsync("does not deserialise"));
        Assert.Empty(await Receive());
        DeadLetter dead = Assert.Single(await Bus.GetDeadLettersAsync(Queue));
        Assert.Equal("does not deserialise", dead.Reason);
        Assert.Equal(1, (await Bus.GetStatsAsync(Queue)).DeadLetters);
    }

    [SkippableFact]
    public async Task An_unroutable_publish_throws_and_stores_nothing()
    {
        UnroutableMessageException e = await Assert.ThrowsAsync<UnroutableMessageException>(async () => await Bus.PublishAsync(Exchange, "nobody", Message()));
        Assert.Equal("nobody", e.RoutingKey);
        await Assert.ThrowsAsync<UnroutableMessageException>(async () => await Bus.PublishAsync("x.unknown", Key, Message()));
        Assert.Empty(await Receive());
    }

    [SkippableFact]
    public async Task Declaring_twice_is_idempotent()
    {
        await Bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
        await Bus.PublishAsync(Exchange, Key, Message());
        Assert.Single(await Receive(max: 10));
    }

    [SkippableFact]
    public async Task AckMany_removes_only_deliveries_that_still_hold_their_lease()
    {
        await Bus.PublishAsync(Exchange, Key, Message());
        await Bus.PublishAsync(Exchange, Key, Message());
        IReadOnlyList<IDelivery> first = await Receive(max: 2);
        Time.Advance(Options.DefaultLease);
        IDelivery stolen = (await Receive("thief"))[0];
        Assert.Equal(1, await Bus.AckManyAsync(first));
        Assert.True(await stolen.AckAsync());
        Assert.Equal(0, (await Bus.GetStatsAsync(Queue)).Ready + (await Bus.GetStatsAsync(Queue)).Leased);
    }

    [SkippableFact]
    public async Task Higher_priority_is_delivered_first_then_fifo()
    {
        Envelope low1 = Message("1", RequestPriority.Normal);
        Envelope low2 = Message("2", RequestPriority.Normal);
        Envelope high = Message("3", RequestPriority.High);
        Envelope urgent = Message("4", RequestPriority.Urgent);
        foreach (Envelope e in new[] { low1, low2, high, urgent })
        {
            await Bus.PublishAsync(Exchange, Key, e);
        }

        IReadOnlyList<IDelivery> got = await Receive(max: 10);
        Assert.Equal([urgent.MessageId, high.MessageId, low1.MessageId, low2.MessageId], got.Select(d => d.Message.MessageId));
    }

    [SkippableFact]
    public async Task Competing_consumers_never_hold_one_message_at_once()
    {
        for (int i = 0; i < 50; i++)
        {
            await Bus.PublishAsync(Exchange, Key, Message());
        }

        var seen = new HashSet<Guid>();
        var tasks = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
        {
            var mine = new List<IDelivery>();
            for (int round = 0; round < 30; round++)
            {
                mine.AddRange(await Bus.ReceiveAsync(Queue, new ReceiveOptions($"c{c}", 3)));
            }

            return mine;
        })).ToArray();
        IDelivery[] all = [.. (await Task.WhenAll(tasks)).SelectMany(x => x)];
        Assert.Equal(50, all.Length);
        foreach (IDelivery d in all)
        {
            Assert.True(seen.Add(d.Message.MessageId), $"message {d.Message.MessageId} was held by two consumers at once");
            Assert.True(await d.AckAsync());
        }
    }

    [SkippableFact]
    public async Task Duplicated_deliveries_have_one_effect_through_an_inbox()
    {
        Envelope m = Message();
        await Bus.PublishAsync(Exchange, Key, m);
        await Bus.PublishAsync(Exchange, Key, m); // the transport duplicated it
        var inbox = new HashSet<Guid>();
        int effects = 0;
        for (int i = 0; i < 2; i++)
        {
            IDelivery d = Assert.Single(await Receive());
            if (inbox.Add(d.Message.MessageId))
            {
                effects++;
            }

            Assert.True(await d.AckAsync());
        }

        Assert.Equal(1, effects);
    }

    [SkippableFact]
    public async Task WaitAsync_returns_on_publish_and_on_timeout_of_the_injected_clock()
    {
        Task waiting = Bus.WaitAsync(Queue, TimeSpan.FromMinutes(10));
        Assert.False(waiting.IsCompleted);
        await Bus.PublishAsync(Exchange, Key, Message());
        await waiting.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Single(await Receive());

        Task timeout = Bus.WaitAsync(Queue, TimeSpan.FromSeconds(5));
        Assert.False(timeout.IsCompleted);
        Time.Advance(TimeSpan.FromSeconds(5));
        await timeout.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [SkippableFact]
    public async Task A_hundred_thousand_messages_pass_without_loss_or_duplicate_effect()
    {
        const int count = 100_000;
        var ids = new Guid[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = Guid.CreateVersion7();
        }

        await PublishManyAsync(ids.Select(id => Message() with { MessageId = id }).ToArray());
        var effects = new HashSet<Guid>();
        int deliveries = 0;
        while (true)
        {
            IReadOnlyList<IDelivery> batch = await Receive(max: 1000);
            if (batch.Count == 0)
            {
                break;
            }

            foreach (IDelivery d in batch)
            {
                deliveries++;
                effects.Add(d.Message.MessageId);
            }

            Assert.Equal(batch.Count, await Bus.AckManyAsync(batch));
        }

        Assert.Equal(count, deliveries);
        Assert.Equal(count, effects.Count);
        Assert.True(ids.All(effects.Contains));
    }

    /// <summary>Publishes many messages; implementations may batch (the SQLite bus does it in one transaction).</summary>
    protected virtual async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages)
    {
        foreach (Envelope m in messages)
        {
            await Bus.PublishAsync(Exchange, Key, m);
        }
    }
}
