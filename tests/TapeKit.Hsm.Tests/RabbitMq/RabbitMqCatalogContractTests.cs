using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.RabbitMq;

/// <summary>
/// The catalogue contract on the several-host deployment with a broker: the PostgreSQL catalogue, its outbox relayed
/// to RabbitMQ, and the consumers' effects de-duplicated by the catalogue's inbox.
/// </summary>
public sealed class RabbitMqCatalogContractTests(PostgresDatabase database) : CatalogContractTests, IClassFixture<PostgresDatabase>
{
    private readonly string _prefix = RabbitMqBroker.NewPrefix();

    protected override async ValueTask<(ICatalog, IMessageBus)> CreateCatalogAsync()
    {
        ICatalog catalog = await database.OpenCatalogAsync(Time);
        try
        {
            return (catalog, await RabbitMqMessageBus.ConnectAsync(RabbitMqBroker.Options(_prefix), Time));
        }
        catch
        {
            await ((IAsyncDisposable)catalog).DisposeAsync();
            throw;
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        BusTopology topology = HsmTopology.For("dispatcher", ["DL-A", "DL-B"]);
        await RabbitMqBroker.DeleteAsync(_prefix, topology.Bindings.Select(b => b.Queue).Distinct(), topology.Bindings.Select(b => b.Exchange).Distinct());
    }
}
