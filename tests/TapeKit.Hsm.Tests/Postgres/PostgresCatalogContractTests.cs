using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tests.Catalog;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// The whole catalogue contract, concurrency included, on a real PostgreSQL server: each test on a fresh schema of a
/// database made for this class. The catalogue's outbox is relayed to the PostgreSQL work queue in the same schema; the
/// contract's outbox test runs that relay.
/// </summary>
public sealed class PostgresCatalogContractTests(PostgresDatabase database) : CatalogContractTests, IClassFixture<PostgresDatabase>
{
    private PostgresCatalog? _catalog;

    protected override async ValueTask<(ICatalog, IMessageBus)> CreateAsync()
    {
        _catalog = await database.OpenCatalogAsync(Time);
        return (_catalog, new PostgresMessageBus(_catalog));
    }

    public override async Task DisposeAsync()
    {
        if (Bus is PostgresMessageBus bus)
        {
            await bus.DisposeAsync();
        }

        if (_catalog is not null)
        {
            await _catalog.DisposeAsync();
        }
    }
}
