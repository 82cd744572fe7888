using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Hosting;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;
using TapeKit.Labels;

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
        Assert.Null(sp.GetRequiredService<Dispatcher>().RecallPlanner); // The in-process stager plans unless PlanRecalls is set.
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
    public async Task A_disk_library_registers_its_migrator_stager_and_purger_under_its_name()
    {
        string root = Path.Combine(Path.GetTempPath(), "tapekit-di-" + Guid.NewGuid().ToString("N"));
        using var library = VirtualTapeLibrary.Open(root, new VirtualLibraryOptions { Drives = 2 });
        try
        {
            await using ServiceProvider sp = new ServiceCollection()
                .AddSingleton<TimeProvider>(new FakeTimeProvider())
                .AddMetrics()
                .AddTapeKitHsm(o =>
                {
                    Configure(o);
                    o.Dispatcher.PlanRecalls = true;
                    o.Dispatcher.PlanPurges = true;
                })
                .AddTapeKitHsmInMemory()
                .AddSingleton(new LabelWriter(new LabelWriterOptions { Site = "DI" }))
                .AddKeyedSingleton<ITapeDrivePool>("DL-B", new VirtualLibraryDrivePool(library, [1]))
                .AddKeyedSingleton<TimeProvider>("DL-B", library.Clock)
                .AddTapeKitDiskLibrary("DL-B", o =>
                {
                    o.CacheRoot = Path.Combine(root, "cache");
                    o.StageRoot = Path.Combine(root, "stage");
                    o.Migrator.MigratorId = "node7-DL-B";
                })
                .BuildServiceProvider();
            Migrator migrator = sp.GetRequiredKeyedService<Migrator>("DL-B");
            Assert.Same(sp.GetRequiredKeyedService<Stager>("DL-B"), migrator.Stager);
            Assert.Same(sp.GetRequiredService<RecallPlanner>(), sp.GetRequiredService<Dispatcher>().RecallPlanner);
            Assert.Same(sp.GetRequiredKeyedService<Purger>("DL-B"), Assert.Single(sp.GetRequiredService<Dispatcher>().PurgePlanners));
            Assert.Same(sp.GetRequiredKeyedService<Purger>("DL-B"), migrator.Purger);
            Assert.Equal(HsmTopology.CommandQueue("DL-B"), migrator.CommandQueue);
            Assert.Null(sp.GetKeyedService<Migrator>("DL-A"));
            IMessageBus bus = sp.GetRequiredService<IMessageBus>();
            await bus.DeclareAsync(HsmTopology.For("dispatcher", HsmWorld.DiskLibraries));
            Assert.Equal(0, await migrator.RunOnceAsync()); // An empty queue: nothing to claim.
            StageReport stage = await sp.GetRequiredKeyedService<Stager>("DL-B").RunOnceAsync();
            Assert.Equal(0, stage.Sessions);
            PurgeReport purge = await sp.GetRequiredKeyedService<Purger>("DL-B").RunOnceAsync();
            Assert.Equal(0, purge.FilesPurged);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void With_an_instance_name_the_workers_ids_name_this_processs_incarnation()
    {
        string root = Path.Combine(Path.GetTempPath(), "tapekit-di-" + Guid.NewGuid().ToString("N"));
        using var library = VirtualTapeLibrary.Open(root, new VirtualLibraryOptions { Drives = 2 });
        try
        {
            var catalog = new InMemoryCatalog(new FakeTimeProvider());
            for (int start = 1; start <= 2; start++)
            {
                // Two starts of the same process over one catalogue: each is a new epoch.
                using ServiceProvider sp = new ServiceCollection()
                    .AddSingleton<ICatalog>(catalog)
                    .AddMetrics()
                    .AddTapeKitHsm(o => { Configure(o); o.InstanceName = "node7/hsm"; })
                    .AddTapeKitHsmInMemory()
                    .AddSingleton(new LabelWriter(new LabelWriterOptions { Site = "DI" }))
                    .AddKeyedSingleton<ITapeDrivePool>("DL-B", new VirtualLibraryDrivePool(library, [1]))
                    .AddTapeKitDiskLibrary("DL-B", o => { o.CacheRoot = Path.Combine(root, "cache"); o.StageRoot = Path.Combine(root, "stage"); })
                    .BuildServiceProvider();
                Assert.Equal(new InstanceIncarnation("node7/hsm", start), sp.GetRequiredService<InstanceIncarnation>());
                _ = sp.GetRequiredService<DispatcherService>();
                _ = sp.GetRequiredKeyedService<Migrator>("DL-B");
                Assert.Equal($"dispatcher@node7/hsm#{start}", sp.GetRequiredService<IOptions<HsmOptions>>().Value.Dispatcher.ConsumerId);
                Assert.Equal($"migrator-DL-B@node7/hsm#{start}", sp.GetRequiredService<IOptionsMonitor<DiskLibraryServiceOptions>>().Get("DL-B").Migrator.MigratorId);
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Without_an_instance_name_the_configured_ids_stay_and_there_is_no_incarnation()
    {
        using ServiceProvider sp = new ServiceCollection()
            .AddMetrics()
            .AddTapeKitHsm(Configure)
            .AddTapeKitHsmInMemory()
            .BuildServiceProvider();
        _ = sp.GetRequiredService<Dispatcher>();
        Assert.Null(sp.GetRequiredService<IOptions<HsmOptions>>().Value.Dispatcher.ConsumerId);
        Assert.Contains("No instance name", Assert.Throws<InvalidOperationException>(() => sp.GetRequiredService<InstanceIncarnation>()).Message, StringComparison.Ordinal);
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
