using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

/// <summary>The durable bus conformance kit on the SQLite queue: every instance is a store over the same file.</summary>
public sealed class SqliteBusConformanceTests : DurableBusConformanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly List<SqliteHsmStore> _stores = [];

    protected override async ValueTask<IMessageBus> CreateBusAsync(TimeProvider time)
    {
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions
        {
            Path = _dir.File("hsm.db"), MaxDeliveries = Options.MaxDeliveries, DefaultLease = Options.DefaultLease,
        }, time);
        _stores.Add(store);
        return store.Bus;
    }

    /// <summary>The store owns the bus.</summary>
    protected override async ValueTask DisposeBusAsync(IMessageBus bus)
    {
        SqliteHsmStore store = _stores.Single(s => s.Bus == bus);
        _stores.Remove(store);
        await store.DisposeAsync();
    }

    protected override async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages) =>
        await ((SqliteMessageBus)Bus).PublishManyAsync([.. messages.Select(m => (Exchange, Key, m, (DateTimeOffset?)null))]);

    public void Dispose() => _dir.Dispose();
}
