using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// The durable bus conformance kit (spec/hsm.md §6.4) on the PostgreSQL work queue: each test in a schema of its own,
/// every instance a catalogue over that schema; the server restart test restarts the local cluster.
/// </summary>
[Collection(ServerRestarts.Name)]
public sealed class PostgresBusConformanceTests(PostgresDatabase database) : DurableBusConformanceTests, IClassFixture<PostgresDatabase>
{
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private readonly Dictionary<IMessageBus, PostgresCatalog> _catalogs = [];

    protected override bool CanRestartServer => true;

    protected override async ValueTask<IMessageBus> CreateBusAsync(TimeProvider time)
    {
        PostgresCatalog catalog = await PostgresCatalog.OpenAsync(new PostgresHsmOptions
        {
            ConnectionString = database.ConnectionString, Schema = _schema, MaxDeliveries = Options.MaxDeliveries, DefaultLease = Options.DefaultLease,
        }, time);
        var bus = new PostgresMessageBus(catalog);
        _catalogs.Add(bus, catalog);
        return bus;
    }

    /// <summary>The bus, then the catalogue it runs on.</summary>
    protected override async ValueTask DisposeBusAsync(IMessageBus bus)
    {
        await ((PostgresMessageBus)bus).DisposeAsync();
        if (_catalogs.Remove(bus, out PostgresCatalog? catalog))
        {
            await catalog.DisposeAsync();
        }
    }

    protected override ValueTask RestartServerAsync() => new(PostgresDatabase.RestartServerAsync());

    protected override async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages) =>
        await ((PostgresMessageBus)Bus).PublishManyAsync([.. messages.Select(m => (Exchange, Key, m, (DateTimeOffset?)null))]);
}
