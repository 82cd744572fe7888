using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Replicas;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>The replica store contract on the in-memory store.</summary>
public sealed class InMemoryReplicaCatalogContractTests : ReplicaCatalogContractTests
{
    protected override ValueTask<IReplicaCatalog> CreateStoreAsync() => ValueTask.FromResult<IReplicaCatalog>(new InMemoryReplicaCatalog(Time));
}

/// <summary>The replica store contract on the SQLite store (the replica tables of the catalogue's file).</summary>
public sealed class SqliteReplicaCatalogContractTests : ReplicaCatalogContractTests, IDisposable
{
    private readonly TempDirectory _dir = new();
    private SqliteHsmStore? _store;

    protected override async ValueTask<IReplicaCatalog> CreateStoreAsync()
    {
        _store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = _dir.File("r.db") }, Time);
        return _store.Replicas;
    }

    /// <summary>The store owns the replica catalogue.</summary>
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

/// <summary>
/// The replica store contract on PostgreSQL (the replica tables of the catalogue's schema), each test on a fresh schema of
/// a database made for this class.
/// </summary>
public sealed class PostgresReplicaCatalogContractTests(PostgresDatabase database) : ReplicaCatalogContractTests, IClassFixture<PostgresDatabase>
{
    private PostgresCatalog? _catalog;

    protected override async ValueTask<IReplicaCatalog> CreateStoreAsync()
    {
        _catalog = await database.OpenCatalogAsync(Time);
        return _catalog.Replicas;
    }

    /// <summary>The catalogue owns the replica store.</summary>
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_catalog is not null)
        {
            await _catalog.DisposeAsync();
        }
    }
}
