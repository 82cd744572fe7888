using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Dispatching;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Sqlite;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// A site composed as samples/SmallFilesCache composes one, over a bulk-loaded <see cref="SqliteHsmStore"/>: one
/// dispatcher with its run loop, the policy selector, and a purger per disk library. No drives: the bench times the
/// catalogue side of each operation, the tape side is what the migrator does between its catalogue calls.
/// </summary>
internal sealed class BenchSite : IAsyncDisposable
{
    public const string NotifyQueue = "bench.host.notify";
    public const string FreshVsn = "FR0001";

    private BenchSite(SqliteHsmStore store, PolicySelector selector, DispatcherOptions options, Dispatcher dispatcher, string cacheRoot)
    {
        Store = store;
        Selector = selector;
        DispatcherOptions = options;
        Dispatcher = dispatcher;
        Service = new DispatcherService(dispatcher, store.Catalog, store.Bus, options);
        CacheRoot = cacheRoot;
    }

    public SqliteHsmStore Store { get; }

    public ICatalog Catalog => Store.Catalog;

    public PolicySelector Selector { get; }

    public DispatcherOptions DispatcherOptions { get; }

    public Dispatcher Dispatcher { get; }

    public DispatcherService Service { get; }

    /// <summary>An empty directory standing for the cache areas (the purger deletes nothing that exists).</summary>
    public string CacheRoot { get; }

    public static async Task<BenchSite> OpenAsync(string path, PolicySelector selector, string cacheRoot)
    {
        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path }, TimeProvider.System);
        // No pruning: the loaded year of history would be pruned in the timed rounds, which is upgrade work, not a round's.
        var options = new DispatcherOptions { DispatcherId = "bench-dispatcher", Retention = null };
        await store.Bus.DeclareAsync(HsmTopology.For(options.DispatcherId, [BenchPolicies.AgedLibrary, BenchPolicies.FreshLibrary], NotifyQueue));
        await using (ICatalogTransaction txn = await store.Catalog.BeginAsync())
        {
            // The tape the bench's own lists are committed to; FREE until the first commit makes it FILLING (a reused
            // catalogue has it already).
            if (await txn.GetTapeAsync(FreshVsn) is null)
            {
                await txn.InsertTapeAsync(new TapeRecord { Vsn = FreshVsn, Pool = BenchPolicies.FreshPool, MediaType = "LTO-9", CapacityEstimate = 18_000_000_000_000 });
                await txn.CommitAsync();
            }
        }

        var dispatcher = new Dispatcher(store.Catalog, options, new Random(20261206));
        await dispatcher.StartAsync();
        return new BenchSite(store, selector, options, dispatcher, cacheRoot);
    }

    /// <summary>A purger of one disk library that purges every eligible copy (capacity 1 byte, no minimum age).</summary>
    public Purger PurgeEverything(string diskLibrary) =>
        new(Catalog, new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.Zero, HighWatermark = 0, LowWatermark = 0 }),
            new PurgerOptions { DiskLibrary = diskLibrary, CacheRoot = CacheRoot, CapacityBytes = 1 });

    /// <summary>Runs the dispatcher until it has nothing left to handle now, and acknowledges the host's notifications.</summary>
    public async Task PumpAsync()
    {
        while ((await Service.PumpOnceAsync()).Handled > 0)
        {
        }

        IReadOnlyList<IDelivery> notes;
        while ((notes = await Store.Bus.ReceiveAsync(NotifyQueue, new ReceiveOptions("bench-host", 500))).Count > 0)
        {
            _ = await Store.Bus.AckManyAsync(notes);
        }
    }

    public async ValueTask DisposeAsync() => await Store.DisposeAsync();
}
