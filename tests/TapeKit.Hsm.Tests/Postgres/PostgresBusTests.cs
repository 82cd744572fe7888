using System.Collections.Concurrent;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// What only a server shows of the PostgreSQL work queue: consumers in several "processes" (each its own catalogue and
/// connection pool over one schema) racing on one queue, a consumer whose sessions the server ends, and wake-ups that
/// cross processes and survive the end of the listening session.
/// </summary>
public sealed class PostgresBusTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>, IAsyncLifetime
{
    private const string Queue = "q.race";
    private const string Exchange = "x.race";
    private const string Key = "k";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private readonly List<IAsyncDisposable> _opened = [];

    [SkippableFact]
    public async Task Many_consumers_in_several_processes_receive_each_message_exactly_once()
    {
        const int Messages = 2000, Processes = 4, ConsumersEach = 3;
        PostgresMessageBus publisher = await OpenBusAsync("publisher");
        Guid[] ids = [.. Enumerable.Range(0, Messages).Select(_ => Guid.CreateVersion7())];
        await publisher.PublishManyAsync([.. ids.Select(id => (Exchange, Key, Message(id), (DateTimeOffset?)null))]);

        PostgresMessageBus[] processes = await Task.WhenAll(Enumerable.Range(0, Processes).Select(p => OpenBusAsync($"process-{p}").AsTask()));
        var received = new ConcurrentBag<(Guid Id, string Consumer)>();
        int failedAcks = 0;
        await Task.WhenAll(processes.SelectMany((bus, p) => Enumerable.Range(0, ConsumersEach).Select(c => Task.Run(async () =>
        {
            string consumer = $"p{p}c{c}";
            while (true)
            {
                IReadOnlyList<IDelivery> batch = await bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, 7));
                if (batch.Count == 0)
                {
                    return;
                }

                foreach (IDelivery d in batch)
                {
                    received.Add((d.Message.MessageId, consumer));
                    Assert.Equal(1, d.DeliveryCount);
                }

                Interlocked.Add(ref failedAcks, batch.Count - await bus.AckManyAsync(batch));
            }
        }))));

        // The clock never moved, so no lease expired: a message seen twice was claimed twice.
        Assert.Equal(0, failedAcks);
        Assert.Equal(Messages, received.Count);
        Assert.Equal(ids.Order(), received.Select(r => r.Id).Order());
        Assert.True(received.Select(r => r.Consumer).Distinct().Count() > 1, "the consumers did not compete");
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await publisher.GetStatsAsync(Queue));
    }

    [SkippableFact]
    public async Task A_consumer_whose_sessions_the_server_ended_loses_its_lease_and_the_message_is_redelivered()
    {
        PostgresMessageBus publisher = await OpenBusAsync("publisher");
        PostgresMessageBus killed = await OpenBusAsync("killed-consumer");
        PostgresMessageBus survivor = await OpenBusAsync("survivor");
        Envelope sent = Message(Guid.CreateVersion7());
        await publisher.PublishAsync(Exchange, Key, sent);
        IDelivery first = Assert.Single(await killed.ReceiveAsync(Queue, new ReceiveOptions("killed", 1)));

        // The consumer's process is gone as far as the server can tell: every session it had ends.
        Assert.True(await TerminateAsync("killed-consumer") >= 1);

        // Its lease still hides the message until it runs out, then the message goes to the next consumer.
        Assert.Empty(await survivor.ReceiveAsync(Queue, new ReceiveOptions("survivor", 1)));
        _time.Advance(TimeSpan.FromSeconds(60));
        IDelivery again = Assert.Single(await survivor.ReceiveAsync(Queue, new ReceiveOptions("survivor", 1)));
        Assert.Equal(sent, again.Message);
        Assert.Equal(2, again.DeliveryCount);

        // Should the killed consumer come back, its settle operations find the lease gone; the lost connection it meets
        // first is a transient store error.
        Assert.False(await SettleAsync(() => first.AckAsync()));
        Assert.False(await SettleAsync(() => first.ExtendLeaseAsync(TimeSpan.FromMinutes(5))));
        Assert.True(await again.AckAsync());
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await publisher.GetStatsAsync(Queue));
    }

    [SkippableFact]
    public async Task A_publish_in_one_process_wakes_a_waiter_in_another_also_after_the_listening_session_ended()
    {
        PostgresMessageBus waiter = await OpenBusAsync("waiter");
        PostgresMessageBus publisher = await OpenBusAsync("publisher");
        for (int round = 0; round < 2; round++)
        {
            if (round == 1)
            {
                // As a server restart does to it: the listening session ends; the bus listens again on a new one.
                Assert.True(await TerminateAsync("waiter") >= 1);
                // The pooled sessions the server ended fail once each (transient), then new ones serve.
                Assert.Empty(await ReceiveRetryingAsync(waiter));
                Assert.Empty(await ReceiveRetryingAsync(waiter));
                await WaitForListenerAsync("waiter wake-ups");
            }

            Task waiting = waiter.WaitAsync(Queue, TimeSpan.FromMinutes(10));
            await WaitForListenerAsync("waiter wake-ups");
            await Task.Delay(100);
            Assert.False(waiting.IsCompleted, "nothing was published yet");
            await publisher.PublishAsync(Exchange, Key, Message(Guid.CreateVersion7()));
            // The fake clock never moves: only the notification can end the wait.
            await waiting.WaitAsync(TimeSpan.FromSeconds(10));
            IDelivery d = Assert.Single(await ReceiveRetryingAsync(waiter));
            Assert.True(await d.AckAsync());
        }
    }

    [SkippableFact]
    public async Task A_version_1_catalogue_gains_the_queue_on_open_and_its_pending_outbox_rows_are_relayed()
    {
        // A catalogue written by the previous release: schema version 1, one outbox row not yet relayed.
        Guid pending = Guid.CreateVersion7();
        await using (NpgsqlConnection admin = await database.OpenConnectionAsync())
        {
            await ExecuteAsync(admin, $"CREATE SCHEMA \"{_schema}\"; SET search_path = \"{_schema}\"");
            await ExecuteAsync(admin, PostgresSchema.VersionTable);
            foreach (string statement in PostgresSchema.Migrations[0])
            {
                await ExecuteAsync(admin, statement);
            }

            await ExecuteAsync(admin, "INSERT INTO schema_version (version) VALUES (1)");
            await ExecuteAsync(admin, $"""
                INSERT INTO outbox (message_id, exchange, routing_key, envelope, created_at)
                VALUES ('{pending}', '{Exchange}', '{Key}', '{HsmMessages.SerializeEnvelope(Message(pending))}', now())
                """);
        }

        PostgresMessageBus bus = await OpenBusAsync("upgraded");
        await using PostgresCatalog catalog = await OpenCatalogAsync("upgraded-relay");
        Assert.Equal(PostgresSchema.LatestVersion, catalog.SchemaVersion);
        Assert.Equal(1, await new OutboxRelay(catalog, bus).RelayAsync());
        IDelivery d = Assert.Single(await bus.ReceiveAsync(Queue, new ReceiveOptions("c", 10)));
        Assert.Equal(pending, d.Message.MessageId);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (IAsyncDisposable d in Enumerable.Reverse(_opened))
        {
            await d.DisposeAsync();
        }
    }

    private Envelope Message(Guid id) => new() { MessageId = id, Type = "test.msg", CreatedAt = _time.GetUtcNow(), Body = "{}" };

    /// <summary>A catalogue of its own (its own pool, its sessions named <paramref name="process"/>) over the test's schema.</summary>
    private async ValueTask<PostgresCatalog> OpenCatalogAsync(string process)
    {
        string connectionString = new NpgsqlConnectionStringBuilder(database.ConnectionString) { ApplicationName = process }.ToString();
        return await PostgresCatalog.OpenAsync(new PostgresHsmOptions { ConnectionString = connectionString, Schema = _schema }, _time);
    }

    /// <summary>A "process": its own catalogue and queue over the test's schema, with the test's binding declared.</summary>
    private async ValueTask<PostgresMessageBus> OpenBusAsync(string process)
    {
        PostgresCatalog catalog = await OpenCatalogAsync(process);
        _opened.Add(catalog);
        var bus = new PostgresMessageBus(catalog);
        _opened.Add(bus);
        await bus.DeclareAsync(new BusTopology([new QueueBinding(Exchange, Key, Queue)]));
        return bus;
    }

    private static async Task ExecuteAsync(NpgsqlConnection c, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        _ = await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Ends every session whose application name starts with <paramref name="process"/>; returns how many.</summary>
    private async Task<long> TerminateAsync(string process)
    {
        await using NpgsqlConnection admin = await database.OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand("""
            SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid, 5000) FROM pg_stat_activity
            WHERE datname = current_database() AND application_name LIKE $1 || '%' AND pid <> pg_backend_pid()) AS t
            """, admin);
        cmd.Parameters.Add(new NpgsqlParameter { Value = process });
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Waits until a session named <paramref name="application"/> listens.</summary>
    private async Task WaitForListenerAsync(string application)
    {
        await using NpgsqlConnection admin = await database.OpenConnectionAsync();
        for (int i = 0; i < 400; i++)
        {
            await using var cmd = new NpgsqlCommand(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = $1 AND query LIKE 'LISTEN%'", admin);
            cmd.Parameters.Add(new NpgsqlParameter { Value = application });
            if ((long)(await cmd.ExecuteScalarAsync())! > 0)
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail($"No session '{application}' came to listen.");
    }

    /// <summary>A settle operation of a consumer whose connections broke: transient store errors, then the answer.</summary>
    private static async Task<bool> SettleAsync(Func<ValueTask<bool>> settle)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await settle();
            }
            catch (CatalogStoreException e) when (e.IsTransient && attempt < 5)
            {
                Assert.Equal(CatalogStoreErrorKind.Unavailable, e.Kind);
            }
        }
    }

    private static async Task<IReadOnlyList<IDelivery>> ReceiveRetryingAsync(PostgresMessageBus bus)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                return await bus.ReceiveAsync(Queue, new ReceiveOptions("waiter", 10));
            }
            catch (CatalogStoreException e) when (e.IsTransient && attempt < 5)
            {
            }
        }
    }
}
