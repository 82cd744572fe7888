using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// The bus conformance kit of the HSM spec (docs/hsm/conformance-kit.md): every <see cref="IMessageBus"/> implementation derives from this
/// class (or from <see cref="DurableBusConformanceTests"/> when its messages outlive the process) and must pass every
/// test. A provider overrides <see cref="CreateBusAsync"/> and states its capabilities; tests that need a capability the
/// provider lacks are skipped with the reason. Each test gets a fresh instance, so every instance must start from
/// empty queues (a schema, a database or a name prefix of its own).
/// </summary>
public abstract partial class BusConformanceTests : IAsyncLifetime
{
    /// <summary>The queue the tests publish to (through <see cref="Exchange"/> and <see cref="Key"/>).</summary>
    protected const string Queue = "q.test";

    /// <summary>The exchange the tests publish to.</summary>
    protected const string Exchange = "x.test";

    /// <summary>The routing key bound to <see cref="Queue"/>.</summary>
    protected const string Key = "k";

    private readonly List<IMessageBus> _instances = [];

    /// <summary>The virtual clock <see cref="Bus"/> runs on; the tests advance it.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The delivery limit and default lease the provider must apply (5 deliveries, 60 s).</summary>
    protected MessageBusOptions Options { get; } = new() { MaxDeliveries = 5, DefaultLease = TimeSpan.FromSeconds(60) };

    /// <summary>The bus under test, on <see cref="Time"/>.</summary>
    protected IMessageBus Bus { get; private set; } = null!;

    /// <summary>
    /// Whether a second bus instance made by <see cref="CreateBusAsync"/> sees the same queues as the first (another
    /// process of the same site). The consumer-crash test needs it; an in-process bus does not have it.
    /// </summary>
    protected virtual bool InstancesShareQueues => true;

    /// <summary>
    /// Creates a bus instance on <paramref name="time"/> applying <see cref="Options"/>, over the same queues as the
    /// instances made before it in this test (after a restart too). The kit disposes every instance it made through
    /// <see cref="DisposeBusAsync"/>. Throw <see cref="SkipException"/> (through <see cref="Skip"/>) when the
    /// provider's server is not configured.
    /// </summary>
    /// <param name="time">The instance's clock: <see cref="Time"/> for the main instance, the system clock for the real-time tests.</param>
    protected abstract ValueTask<IMessageBus> CreateBusAsync(TimeProvider time);

    /// <summary>Releases one instance made by <see cref="CreateBusAsync"/>; the default disposes the bus where it is disposable.</summary>
    /// <param name="bus">The instance.</param>
    protected virtual ValueTask DisposeBusAsync(IMessageBus bus) => Disposal.DisposeAsync(bus);

    /// <summary>
    /// Makes an instance die as a consumer process would, without settling what it holds. The default releases it
    /// through <see cref="DisposeBusAsync"/>; override where disposing settles deliveries.
    /// </summary>
    /// <param name="bus">The instance that crashes.</param>
    protected virtual ValueTask CrashAsync(IMessageBus bus) => DisposeBusAsync(bus);

    /// <summary>Publishes many messages to <see cref="Exchange"/>/<see cref="Key"/>; override to batch (one transaction, concurrent confirms).</summary>
    /// <param name="messages">The messages.</param>
    protected virtual async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (Envelope m in messages)
        {
            await Bus.PublishAsync(Exchange, Key, m);
        }
    }

    /// <summary>Creates <see cref="Bus"/> on <see cref="Time"/> and declares the test queue.</summary>
    public virtual async Task InitializeAsync()
    {
        Bus = await OpenInstanceAsync(Time);
    }

    /// <summary>Releases every instance the test made, newest first.</summary>
    public virtual async Task DisposeAsync()
    {
        for (int i = _instances.Count - 1; i >= 0; i--)
        {
            await DisposeBusAsync(_instances[i]);
        }

        _instances.Clear();
    }

    /// <summary>Drops <see cref="Bus"/> without settling anything and opens a new instance over the same queues.</summary>
    protected async ValueTask RestartBusAsync()
    {
        await CloseInstanceAsync(Bus, crash: true);
        Bus = await OpenInstanceAsync(Time);
    }

    /// <summary>Creates an instance through <see cref="CreateBusAsync"/>, declares the test queue on it and tracks it for disposal.</summary>
    /// <param name="time">The instance's clock.</param>
    protected async ValueTask<IMessageBus> OpenInstanceAsync(TimeProvider time)
    {
        IMessageBus bus = await CreateBusAsync(time);
        _instances.Add(bus);
        await bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
        return bus;
    }

    /// <summary>Releases an instance before the end of the test, in an orderly way or as a crash (<see cref="CrashAsync"/>).</summary>
    /// <param name="bus">An instance made by <see cref="OpenInstanceAsync"/>.</param>
    /// <param name="crash">Whether the instance dies as a crashing process would.</param>
    protected async ValueTask CloseInstanceAsync(IMessageBus bus, bool crash = false)
    {
        _instances.Remove(bus);
        await (crash ? CrashAsync(bus) : DisposeBusAsync(bus));
    }

    /// <summary>A new test message with a fresh time-ordered id.</summary>
    /// <param name="body">The body.</param>
    /// <param name="priority">The priority.</param>
    protected Envelope Message(string body = "{}", RequestPriority priority = RequestPriority.Normal) => new()
    {
        MessageId = Guid.CreateVersion7(Time.GetUtcNow()),
        Type = "test.msg",
        Priority = priority,
        CreatedAt = Time.GetUtcNow(),
        Body = body,
    };

    /// <summary>Receives from the test queue on <see cref="Bus"/>.</summary>
    /// <param name="consumer">The consumer id.</param>
    /// <param name="max">At most this many.</param>
    /// <param name="lease">The lease; <see langword="null"/> = the default.</param>
    protected ValueTask<IReadOnlyList<IDelivery>> Receive(string consumer = "c1", int max = 1, TimeSpan? lease = null) =>
        Bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, max, lease));

    /// <summary>Publish consume ack removes the message.</summary>
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

    /// <summary>A crashed consumer's message is redelivered after the lease with a higher count.</summary>
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

    /// <summary>ExtendLease prevents redelivery.</summary>
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

    /// <summary>Nack with delay hides the message until the delay passed.</summary>
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

    /// <summary>Delayed publish is invisible until not before.</summary>
    [SkippableFact]
    public async Task Delayed_publish_is_invisible_until_not_before()
    {
        await Bus.PublishAsync(Exchange, Key, Message(), Time.GetUtcNow() + TimeSpan.FromMinutes(2));
        Assert.Empty(await Receive());
        Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Single(await Receive());
    }

    /// <summary>A message is dead lettered after MaxDeliveries.</summary>
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

    /// <summary>A poison message is dead lettered at once with its reason.</summary>
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

    /// <summary>An unroutable publish throws and stores nothing.</summary>
    [SkippableFact]
    public async Task An_unroutable_publish_throws_and_stores_nothing()
    {
        UnroutableMessageException e = await Assert.ThrowsAsync<UnroutableMessageException>(async () => await Bus.PublishAsync(Exchange, "nobody", Message()));
        Assert.Equal("nobody", e.RoutingKey);
        await Assert.ThrowsAsync<UnroutableMessageException>(async () => await Bus.PublishAsync("x.unknown", Key, Message()));
        Assert.Empty(await Receive());
    }

    /// <summary>Declaring twice is idempotent.</summary>
    [SkippableFact]
    public async Task Declaring_twice_is_idempotent()
    {
        await Bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
        await Bus.PublishAsync(Exchange, Key, Message());
        Assert.Single(await Receive(max: 10));
    }

    /// <summary>AckMany removes only deliveries that still hold their lease.</summary>
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

    /// <summary>Higher priority is delivered first then fifo.</summary>
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

    /// <summary>
    /// A receive never returns more than its <see cref="ReceiveOptions.MaxMessages"/> (the caller's free worker slots),
    /// also after the same consumer returned messages to the queue (a nack, a lease run out) and when it asks again for
    /// as many as before.
    /// </summary>
    [SkippableFact]
    public async Task A_receive_never_returns_more_than_it_asked_for_also_after_a_nack()
    {
        await PublishManyAsync([.. Enumerable.Range(0, 300).Select(i => Message($"{i}"))]);
        var held = new List<IDelivery>();
        IReadOnlyList<IDelivery> first = await Receive(max: 40);
        Assert.Equal(40, first.Count);
        held.AddRange(first);
        Assert.True(await first[0].NackAsync(requeue: true));
        Assert.True(await first[1].NackAsync(requeue: true));
        held.RemoveRange(0, 2);
        for (int round = 0; round < 3; round++)
        {
            IReadOnlyList<IDelivery> got = await Receive(max: 40);
            Assert.InRange(got.Count, 1, 40);
            held.AddRange(got);
            Assert.True(await got[0].NackAsync(requeue: true));
            held.Remove(got[0]);
        }

        Assert.Equal(held.Count, held.Select(d => d.Message.MessageId).Distinct().Count());
        Assert.Equal(held.Count, await Bus.AckManyAsync(held));
    }

    /// <summary>Competing consumers never hold one message at once.</summary>
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

    /// <summary>Duplicated deliveries have one effect through an inbox.</summary>
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

    /// <summary>WaitAsync returns on publish and on timeout of the injected clock.</summary>
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
}
