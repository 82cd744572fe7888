using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Hosting;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Hosting;

public sealed class HsmServiceCollectionExtensionsTests
{
    private static void Configure(HsmOptions o)
    {
        o.DiskLibraries = [.. HsmWorld.DiskLibraries];
        o.Policies = HsmWorld.Policies();
        o.RandomSeed = 5;
    }

    [Fact]
    public async Task The_in_memory_composition_resolves_and_runs_a_pump()
    {
        var time = new FakeTimeProvider();
        await using ServiceProvider sp = new ServiceCollection()
            .AddSingleton<TimeProvider>(time)
            .AddMetrics()
            .AddTapeKitHsm(Configure)
            .AddTapeKitHsmInMemory()
            .BuildServiceProvider();
        Assert.IsType<InMemoryCatalog>(sp.GetRequiredService<ICatalog>());
        Assert.Same(time, sp.GetRequiredService<ICatalog>().Time);
        Assert.Equal(3, sp.GetRequiredService<IPolicySelector>().Version);
        Assert.NotNull(sp.GetRequiredService<RecallPlanner>());
        Assert.NotNull(sp.GetRequiredService<PurgePolicy>());
        IMessageBus bus = sp.GetRequiredService<IMessageBus>();
        await bus.DeclareAsync(HsmTopology.For("dispatcher", HsmWorld.DiskLibraries));
        (int handled, _) = await sp.GetRequiredService<DispatcherService>().PumpOnceAsync();
        Assert.Equal(0, handled);
    }

    [Fact]
    public async Task The_sqlite_composition_shares_one_file_for_catalogue_and_queue()
    {
        using var dir = new TempDirectory();
        await using ServiceProvider sp = new ServiceCollection()
            .AddMetrics()
            .AddTapeKitHsm(Configure)
            .AddTapeKitHsmSqlite(o => o.Path = dir.File("di.db"))
            .BuildServiceProvider();
        SqliteHsmStore store = sp.GetRequiredService<SqliteHsmStore>();
        Assert.Same(store.Catalog, sp.GetRequiredService<ICatalog>());
        Assert.Same(store.Bus, sp.GetRequiredService<IMessageBus>());
        Assert.NotNull(sp.GetRequiredService<Dispatcher>());
    }

    [Fact]
    public void An_invalid_policy_set_fails_when_the_selector_is_resolved()
    {
        using ServiceProvider sp = new ServiceCollection()
            .AddMetrics()
            .AddTapeKitHsm(o => { Configure(o); o.DiskLibraries = ["DL-A"]; })
            .AddTapeKitHsmInMemory()
            .BuildServiceProvider();
        PolicyValidationException e = Assert.Throws<PolicyValidationException>(() => sp.GetRequiredService<IPolicySelector>());
        Assert.Contains("'DL-B' does not exist", Assert.Single(e.Errors), StringComparison.Ordinal);
    }
}
