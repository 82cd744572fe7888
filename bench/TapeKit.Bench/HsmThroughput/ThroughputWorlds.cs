using Npgsql;
using RabbitMQ.Client;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>
/// Opens a fresh <see cref="ThroughputWorld"/> per run: a new SQLite file; the bench's PostgreSQL database dropped and
/// created again; on RabbitMQ, names of the run's own (a prefix), deleted after the run.
/// </summary>
internal static class ThroughputWorlds
{
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";
    public const string RabbitMq = "rabbitmq";

    /// <summary>Why a provider cannot run here, or <see langword="null"/>.</summary>
    public static string? Unavailable(string provider, ThroughputSettings s, bool needsCatalog) => provider switch
    {
        Postgres when s.Postgres is null => "PostgreSQL not configured: set TAPEKIT_POSTGRES or pass --postgres",
        RabbitMq when s.RabbitMq is null => "RabbitMQ not configured: set TAPEKIT_RABBITMQ or pass --rabbitmq",
        RabbitMq when needsCatalog && s.Postgres is null => "PostgreSQL + RabbitMQ: PostgreSQL (the catalogue) not configured: set TAPEKIT_POSTGRES",
        _ => null,
    };

    /// <summary>Opens a world of <paramref name="workers"/> workers; <paramref name="topology"/> is declared on every bus.</summary>
    public static async Task<ThroughputWorld> OpenAsync(string provider, ThroughputSettings s, int workers, BusTopology topology, bool needsCatalog)
    {
        var cleanup = new List<Func<ValueTask>>();
        try
        {
            ThroughputWorld world = provider switch
            {
                Sqlite => await OpenSqliteAsync(s, workers, cleanup),
                Postgres => await OpenPostgresAsync(s, workers, cleanup),
                RabbitMq => await OpenRabbitMqAsync(s, workers, needsCatalog, cleanup),
                _ => throw new ArgumentException($"unknown provider '{provider}'", nameof(provider)),
            };
            await world.DispatcherBus.DeclareAsync(topology);
            foreach (IMessageBus bus in world.WorkerBuses)
            {
                await bus.DeclareAsync(topology);
            }

            if (provider == RabbitMq)
            {
                cleanup.Insert(0, () => DeleteRabbitMqNamesAsync(s.RabbitMq!, ((RabbitMqMessageBus)world.DispatcherBus).Options.NamePrefix, topology));
            }

            return world;
        }
        catch
        {
            for (int i = cleanup.Count - 1; i >= 0; i--)
            {
                await cleanup[i]();
            }

            throw;
        }
    }

    private static async Task<ThroughputWorld> OpenSqliteAsync(ThroughputSettings s, int workers, List<Func<ValueTask>> cleanup)
    {
        Directory.CreateDirectory(s.Directory);
        string path = Path.Combine(s.Directory, $"throughput-{Guid.NewGuid():N}.db");
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path, BackupBeforeMigration = false }, TimeProvider.System);
        cleanup.Add(async () =>
        {
            await store.DisposeAsync();
            foreach (string f in new[] { path, path + "-wal", path + "-shm" })
            {
                File.Delete(f);
            }
        });
        return new ThroughputWorld(Sqlite, store.Catalog, store.Bus, [.. Enumerable.Repeat(store.Bus, workers)], [.. Enumerable.Repeat<ICatalog>(store.Catalog, workers)], cleanup);
    }

    private static async Task<List<PostgresCatalog>> OpenPostgresCatalogsAsync(ThroughputSettings s, int count, List<Func<ValueTask>> cleanup)
    {
        string database = await RecreateDatabaseAsync(s);
        cleanup.Add(() => DropDatabaseAsync(s));
        var catalogs = new List<PostgresCatalog>();
        for (int i = 0; i < count; i++)
        {
            // One at a time: the first migrates the schema, the others find it current.
            PostgresCatalog catalog = await PostgresCatalog.OpenAsync(new PostgresHsmOptions { ConnectionString = database }, TimeProvider.System);
            cleanup.Add(catalog.DisposeAsync);
            catalogs.Add(catalog);
        }

        return catalogs;
    }

    private static async Task<ThroughputWorld> OpenPostgresAsync(ThroughputSettings s, int workers, List<Func<ValueTask>> cleanup)
    {
        List<PostgresCatalog> catalogs = await OpenPostgresCatalogsAsync(s, workers + 1, cleanup);
        var buses = new List<IMessageBus>();
        foreach (PostgresCatalog catalog in catalogs)
        {
            var bus = new PostgresMessageBus(catalog);
            cleanup.Add(bus.DisposeAsync);
            buses.Add(bus);
        }

        return new ThroughputWorld(Postgres, catalogs[0], buses[0], buses[1..], catalogs[1..], cleanup);
    }

    private static async Task<ThroughputWorld> OpenRabbitMqAsync(ThroughputSettings s, int workers, bool needsCatalog, List<Func<ValueTask>> cleanup)
    {
        List<PostgresCatalog> catalogs = needsCatalog ? await OpenPostgresCatalogsAsync(s, workers + 1, cleanup) : [];
        string prefix = $"bench.{Guid.NewGuid():N}.";
        var buses = new List<IMessageBus>();
        for (int i = 0; i <= workers; i++)
        {
            RabbitMqMessageBus bus = await RabbitMqMessageBus.ConnectAsync(
                new RabbitMqBusOptions { Uri = s.RabbitMq!, NamePrefix = prefix, ConnectionName = $"tapekit-bench-{(i == 0 ? "dispatcher" : "worker" + i)}" }, TimeProvider.System);
            cleanup.Add(bus.DisposeAsync);
            buses.Add(bus);
        }

        return new ThroughputWorld(RabbitMq, needsCatalog ? catalogs[0] : null, buses[0], buses[1..], needsCatalog ? catalogs[1..] : [], cleanup);
    }

    private static async Task<string> RecreateDatabaseAsync(ThroughputSettings s)
    {
        await DropDatabaseAsync(s);
        await using (var admin = new NpgsqlConnection(s.Postgres))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{s.PostgresDatabase}\"", admin);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(s.Postgres) { Database = s.PostgresDatabase }.ToString();
    }

    private static async ValueTask DropDatabaseAsync(ThroughputSettings s)
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(s.Postgres);
        await admin.OpenAsync();
        // FORCE ends the connections pools still hold (the wake-up listeners' included).
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{s.PostgresDatabase}\" WITH (FORCE)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    /// <summary>
    /// Deletes the run's broker queues and exchanges: per logical queue its four level queues (suffixes <c>.urgent</c>,
    /// <c>.high</c>, none, <c>.low</c>), its holding queue (<c>.delayed</c>) and dead-letter queue (<c>.dead</c>), as
    /// docs/hsm/rabbitmq-bus.md names them; the exchanges and the dead-letter exchange.
    /// </summary>
    private static async ValueTask DeleteRabbitMqNamesAsync(string uri, string prefix, BusTopology topology)
    {
        await using IConnection connection = await new ConnectionFactory { Uri = new Uri(uri) }.CreateConnectionAsync();
        await using IChannel channel = await connection.CreateChannelAsync();
        foreach (string queue in topology.Bindings.Select(b => b.Queue).Distinct())
        {
            foreach (string suffix in new[] { ".urgent", ".high", "", ".low", ".delayed", ".dead" })
            {
                await channel.QueueDeleteAsync(prefix + queue + suffix, ifUnused: false, ifEmpty: false);
            }
        }

        foreach (string exchange in topology.Bindings.Select(b => b.Exchange).Distinct().Append("tapekit.hsm.dead"))
        {
            await channel.ExchangeDeleteAsync(prefix + exchange, ifUnused: false);
        }
    }
}
