using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Purging;

/// <summary>Purges planned by the dispatcher and carried out by a migrator as <c>Purge</c> commands over the bus.</summary>
public sealed class DispatchedPurgeTests
{
    [Fact]
    public async Task The_dispatcher_sends_a_purge_list_and_the_migrator_deletes_only_what_is_still_unpinned()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        CachePin reader0 = (await CachePins.PinAsync(world.Catalog, world.Files[0].FileId))!; // Pinned before the plan: never selected.
        world.Dispatcher.PurgePlanners = [world.NewPurger()];
        world.Migrator.Purger = world.NewPurger();

        await world.PumpAsync(); // Tick: one purge list of the 19 eligible copies, C10, Purge command.
        FileListRecord list = Assert.Single(await PurgeListsAsync(world));
        Assert.Equal((FileListState.Active, 19), (list.State, list.MemberCount));
        Assert.Equal(CacheStatus.PurgingRequested, (await world.FileAsync(world.Files[1].FileId)).CacheStatus);
        CachePin reader1 = (await CachePins.PinAsync(world.Catalog, world.Files[1].FileId))!; // Pinned after the plan, before the claim: kept (C11).

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        Assert.Equal(FileListState.Done, Assert.Single(await PurgeListsAsync(world)).State);
        Assert.True(world.CachedIntact(0));
        Assert.True(world.CachedIntact(1));
        Assert.Equal(CacheStatus.Cached, (await world.FileAsync(world.Files[1].FileId)).CacheStatus);
        Assert.All(Enumerable.Range(2, 18), n => Assert.False(world.CachedIntact(n)));
        var purged = await world.HostEventsAsync<CachePurgedEvent>(HsmMessageTypes.CachePurged);
        Assert.Equal(world.Files.Skip(2).Select(f => f.FileId).Order(), purged.SelectMany(e => e.FileIds).Order());

        await world.PumpAsync(); // Within the purge interval: no new plan.
        world.Time.Advance(TimeSpan.FromMinutes(7));
        await world.PumpAsync(); // A new plan finds only pinned copies: no list.
        Assert.Single(await PurgeListsAsync(world));
        Assert.Null(await CachePins.PinAsync(world.Catalog, world.Files[2].FileId)); // Purged: nothing to read from the cache.

        // The readers are done: their copies may go with the next plan.
        await reader0.DisposeAsync();
        await reader1.DisposeAsync();
        await reader1.DisposeAsync(); // Released once only.
        Assert.Equal(0, (await world.FileAsync(world.Files[1].FileId)).PinCount);
        world.Time.Advance(TimeSpan.FromMinutes(7));
        await world.PumpAsync();
        Assert.Equal(2, (await PurgeListsAsync(world)).Count);
        Assert.Empty(await HsmInvariants.CheckAsync(world.Catalog, TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task A_purge_list_whose_worker_died_after_deleting_is_sent_again_and_finished()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        world.Dispatcher.PurgePlanners = [world.NewPurger()];
        world.Migrator.Purger = world.NewPurger();
        world.Time.Advance(world.DispatcherOptions.WorkLease); // Past the dispatcher's start-up grace (R6).
        await world.PumpAsync();
        FileListRecord sent = Assert.Single(await PurgeListsAsync(world));

        // A worker claims the list and one member, deletes that copy, and dies before recording it.
        IDelivery delivery = Assert.Single(await world.Store.Bus.ReceiveAsync(HsmTopology.CommandQueue(TapeHsmWorld.DiskLibrary), new ReceiveOptions("doomed", 5)));
        long victim = world.Files[4].FileId;
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.TryMoveListAsync(sent.ListId, FileListState.Active, FileListEvent.ClaimedByMigrator, HsmActor.Migrator, sent.Attempt,
                mutate: l => l with { Owner = "doomed", LeaseUntil = txn.Now.AddMinutes(10) });
            _ = await txn.TryMoveCacheAsync(victim, CacheStatus.PurgingRequested, FileCacheEvent.PurgeClaimed, HsmActor.Migrator);
            await txn.CommitAsync();
        }

        File.Delete(Path.Combine(world.CacheRoot, (await world.FileAsync(victim)).CachePath));
        _ = await delivery.AckAsync();
        world.Time.Advance(TimeSpan.FromMinutes(11));
        await world.PumpAsync(); // Sweeper: L7 (members unchanged; a PURGING copy may be gone already) …
        Assert.Equal(FileListState.Filled, Assert.Single(await PurgeListsAsync(world)).State);
        Assert.Equal(CacheStatus.Purging, (await world.FileAsync(victim)).CacheStatus);
        world.Time.Advance(TimeSpan.FromMinutes(31));
        await world.PumpAsync(); // … and the list goes out again under attempt 2.

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();
        FileListRecord done = Assert.Single(await PurgeListsAsync(world));
        Assert.Equal((FileListState.Done, 2), (done.State, done.Attempt));
        foreach ((long id, _) in world.Files)
        {
            Assert.Equal(CacheStatus.Purged, (await world.FileAsync(id)).CacheStatus);
        }
    }

    private static async Task<IReadOnlyList<FileListRecord>> PurgeListsAsync(TapeHsmWorld world)
    {
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        return await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Purge });
    }
}
