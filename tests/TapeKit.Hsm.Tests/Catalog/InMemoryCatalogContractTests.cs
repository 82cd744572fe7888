using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Testing;

namespace TapeKit.Hsm.Tests.Catalog;

/// <summary>The catalogue contract on the in-memory catalogue with the in-process bus.</summary>
public sealed class InMemoryCatalogContractTests : CatalogContractTests
{
    protected override ValueTask<(ICatalog, IMessageBus)> CreateCatalogAsync() =>
        ValueTask.FromResult<(ICatalog, IMessageBus)>((new InMemoryCatalog(Time), new InProcessMessageBus(Time)));
}
