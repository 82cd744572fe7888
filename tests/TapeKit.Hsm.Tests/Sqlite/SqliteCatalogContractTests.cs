using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

/// <summary>The catalogue contract on one SQLite file, whose queue is the catalogue's bus.</summary>
public sealed class SqliteCatalogContractTests : CatalogContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();
    private SqliteHsmStore? _store;

    protected override async ValueTask<(ICatalog, IMessageBus)> CreateCatalogAsync()
    {
        _store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = _dir.File("c.db") }, Time);
        return (_store.Catalog, _store.Bus);
    }

    /// <summary>The store owns catalogue and bus.</summary>
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }

    public void Dispose() => _dir.Dispose();
}
