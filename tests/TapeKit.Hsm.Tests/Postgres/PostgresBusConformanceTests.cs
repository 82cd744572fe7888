using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tests.Messaging;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// The bus conformance kit (spec/hsm.md §6.4) on the PostgreSQL work queue: each test in a schema of its own, reopened
/// over the same schema for the restart test.
/// </summary>
public sealed class PostgresBusConformanceTests(PostgresDatabase database) : DurableBusConformanceTests, IClassFixture<PostgresDatabase>
{
    private readonly string _schema = PostgresDatabase.NewSchemaName();
    private PostgresCatalog? _catalog;

    protected override async ValueTask<IMessageBus> CreateAsync()
    {
        _catalog = await PostgresCatalog.OpenAsync(new PostgresHsmOptions
        {
            ConnectionString = database.ConnectionString, Schema = _schema, MaxDeliveries = Options.MaxDeliveries, DefaultLease = Options.DefaultLease,
        }, Time);
        return new PostgresMessageBus(_catalog);
    }

    protected override async ValueTask RestartAsync()
    {
        PostgresCatalog? before = _catalog;
        await base.RestartAsync();
        if (before is not null)
        {
            await before.DisposeAsync();
        }
    }

    protected override async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages) =>
        await ((PostgresMessageBus)Bus).PublishManyAsync([.. messages.Select(m => (Exchange, Key, m, (DateTimeOffset?)null))]);

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_catalog is not null)
        {
            await _catalog.DisposeAsync();
        }
    }
}
