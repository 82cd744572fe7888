using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// The outbox relay over the PostgreSQL catalogue in several processes: the rows a relay reads are leased to it, so two
/// relays never hand one row to the bus, and the rows of a relay that died are relayed by another once their lease ran out.
/// </summary>
public sealed class PostgresOutboxRelayTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private const string Exchange = "x.relay";
    private const string Key = "k";
    private const string Queue = "q.relay";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private readonly List<IAsyncDisposable> _opened = [];

    [SkippableFact]
    public async Task Two_relays_in_two_processes_never_publish_a_row_twice()
    {
        const int Rows = 400;
        PostgresCatalog one = await OpenCatalogAsync(), two = await OpenCatalogAsync();
        Guid[] ids = await WriteOutboxAsync(one, Rows);
        var bus = new PostgresMessageBus(one);
        _opened.Add(bus);
        await bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
        var published = new ConcurrentDictionary<Guid, int>();
        var byRelay = new int[2];

        // Each process relays through its own catalogue; the bus counts every publish and yields so the relays interleave.
        await Task.WhenAll(
            Task.Run(async () => byRelay[0] = await new OutboxRelay(one, new CountingBus(bus, published)).RelayAsync(batchSize: 8)),
            Task.Run(async () => byRelay[1] = await new OutboxRelay(two, new CountingBus(bus, published)).RelayAsync(batchSize: 8)));

        Assert.Equal(Rows, byRelay[0] + byRelay[1]);
        Assert.True(byRelay[0] > 0 && byRelay[1] > 0, $"the relays did not run side by side ({byRelay[0]}, {byRelay[1]})");
        Assert.Equal(ids.Order(), published.Keys.Order());
        Assert.All(published, p => Assert.Equal(1, p.Value));
        Assert.Empty(await one.ReadOutboxAsync(10));
        Assert.Equal(Rows, (await bus.GetStatsAsync(Queue)).Ready);
    }

    [SkippableFact]
    public async Task The_rows_of_a_relay_that_died_are_relayed_by_another_after_their_lease()
    {
        PostgresCatalog dead = await OpenCatalogAsync(), alive = await OpenCatalogAsync();
        Guid[] ids = await WriteOutboxAsync(dead, 3);
        IReadOnlyList<OutboxEntry> held = await dead.ReadOutboxAsync(10);
        Assert.Equal(ids, held.Select(e => e.Message.Message.MessageId));

        // The relay that read them dies before the bus confirmed them: they stay its own until the lease runs out.
        Assert.Empty(await alive.ReadOutboxAsync(10));
        _time.Advance(alive.Options.OutboxRelayLease - TimeSpan.FromSeconds(1));
        Assert.Empty(await alive.ReadOutboxAsync(10));
        _time.Advance(TimeSpan.FromSeconds(1));
        IReadOnlyList<OutboxEntry> taken = await alive.ReadOutboxAsync(10);
        Assert.Equal(held.Select(e => e.Sequence), taken.Select(e => e.Sequence));
        await alive.MarkOutboxSentAsync([.. taken.Select(e => e.Sequence)]);
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Empty(await dead.ReadOutboxAsync(10));
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in Enumerable.Reverse(_opened))
        {
            await d.DisposeAsync();
        }
    }

    private async ValueTask<PostgresCatalog> OpenCatalogAsync()
    {
        PostgresCatalog catalog = await PostgresCatalog.OpenAsync(new PostgresHsmOptions { ConnectionString = database.ConnectionString, Schema = _schema }, _time);
        _opened.Add(catalog);
        return catalog;
    }

    private async Task<Guid[]> WriteOutboxAsync(ICatalog catalog, int rows)
    {
        Guid[] ids = [.. Enumerable.Range(0, rows).Select(_ => Guid.CreateVersion7())];
        await catalog.RunAsync(async txn =>
        {
            foreach (Guid id in ids)
            {
                await txn.AddOutboxAsync(new OutboundMessage(Exchange, Key,
                    new Envelope { MessageId = id, Type = "test.msg", CreatedAt = _time.GetUtcNow(), Body = "{}" }));
            }
        });
        return ids;
    }

    /// <summary>A bus that counts the publishes of each message id and yields before each, so that relays interleave.</summary>
    private sealed class CountingBus(IMessageBus inner, ConcurrentDictionary<Guid, int> published) : IMessageBus
    {
        public async ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default)
        {
            await Task.Delay(1, ct);
            published.AddOrUpdate(message.MessageId, 1, (_, n) => n + 1);
            await inner.PublishAsync(exchange, routingKey, message, notBefore, ct);
        }

        public ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default) => inner.DeclareAsync(topology, ct);

        public ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default) => inner.ReceiveAsync(queue, options, ct);

        public ValueTask<int> AckManyAsync(IReadOnlyList<IDelivery> deliveries, CancellationToken ct = default) => inner.AckManyAsync(deliveries, ct);

        public Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default) => inner.WaitAsync(queue, timeout, ct);

        public ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => inner.GetStatsAsync(queue, ct);

        public ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default) => inner.GetDeadLettersAsync(queue, ct);

        public ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default) => inner.ReplayDeadLetterAsync(queue, messageId, ct);
    }
}
