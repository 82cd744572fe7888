using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Messaging;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Sqlite;

public sealed class SqliteBusConformanceTests : DurableBusConformanceTests, IDisposable
{
    private readonly TempDirectory _dir = new();
    private SqliteHsmStore? _store;

    protected override async ValueTask<IMessageBus> CreateAsync()
    {
        _store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions
        {
            Path = _dir.File("hsm.db"), MaxDeliveries = Options.MaxDeliveries, DefaultLease = Options.DefaultLease,
        }, Time);
        return _store.Bus;
    }

    protected override async ValueTask RestartAsync()
    {
        await _store!.DisposeAsync();
        await base.RestartAsync();
    }

    protected override async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages) =>
        await _store!.Bus.PublishManyAsync([.. messages.Select(m => (Exchange, Key, m, (DateTimeOffset?)null))]);

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
