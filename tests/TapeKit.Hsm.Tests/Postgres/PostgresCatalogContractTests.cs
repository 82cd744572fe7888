using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Tests.Catalog;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// The whole catalogue contract, concurrency included, on a real PostgreSQL server: each test on a fresh schema of a
/// database made for this class. The catalogue's outbox is relayed to the in-process bus, since the PostgreSQL queue
/// is not written yet; the contract's outbox test runs that relay.
/// </summary>
public sealed class PostgresCatalogContractTests(PostgresDatabase database) : CatalogContractTests, IClassFixture<PostgresDatabase>
{
    private PostgresCatalog? _catalog;

    protected override async ValueTask<(ICatalog, IMessageBus)> CreateAsync()
    {
        _catalog = await database.OpenCatalogAsync(Time);
        return (_catalog, new InProcessMessageBus(Time));
    }

    public override async Task DisposeAsync()
    {
        if (_catalog is not null)
        {
            await _catalog.DisposeAsync();
        }
    }
}
