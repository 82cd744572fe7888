using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Postgres;

/// <summary>
/// The whole catalogue contract, concurrency included, on a real PostgreSQL server: each test on a fresh schema of a
/// database made for this class. The catalogue's outbox is relayed to the PostgreSQL work queue in the same schema; the
/// contract's outbox and inbox tests run over it.
/// </summary>
public sealed class PostgresCatalogContractTests(PostgresDatabase database) : CatalogContractTests, IClassFixture<PostgresDatabase>
{
    protected override async ValueTask<(ICatalog, IMessageBus)> CreateCatalogAsync()
    {
        PostgresCatalog catalog = await database.OpenCatalogAsync(Time);
        return (catalog, new PostgresMessageBus(catalog));
    }
}
