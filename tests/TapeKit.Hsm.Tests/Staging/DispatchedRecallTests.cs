using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Staging;

/// <summary>Recalls planned by the dispatcher and carried out by a migrator as <c>Stage</c> commands over the bus.</summary>
public sealed class DispatchedRecallTests
{
    [Fact]
    public async Task The_dispatcher_sends_one_stage_list_per_tape_and_the_migrator_stages_it()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        int[] wanted = [0, 3, 11, 18];
        foreach (int n in wanted)
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        await world.PumpAsync(); // Tick: the planner finds T00001 due and sends one Stage command.
        FileListRecord list = Assert.Single(await StageListsAsync(world));
        Assert.Equal((FileListState.Active, "T00001", 4, 1), (list.State, list.Vsn, list.MemberCount, list.Attempt));
        await world.PumpAsync();
        Assert.Single(await StageListsAsync(world)); // One live stage list per tape: nothing planned twice.

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync(); // Confirmation and Staged replies.

        Assert.Equal(FileListState.Done, Assert.Single(await StageListsAsync(world)).State);
        Assert.All(wanted, n => Assert.True(world.CachedIntact(n), $"file {n}"));
        var staged = await world.HostEventsAsync<CacheStagedEvent>(HsmMessageTypes.CacheStaged);
        Assert.Equal(wanted.Select(n => world.Files[n].FileId).Order(), staged.SelectMany(e => e.FileIds).Order());
    }

    [Fact]
    public async Task A_recall_list_requested_whole_is_one_stage_list_and_each_file_has_its_outcome()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[7].FileId);
        long[] ids = [world.Files[2].FileId, world.Files[7].FileId, world.Files[9].FileId, world.Files[2].FileId, -1];

        RecallRequestOutcome[] outcomes = await RecallCatalog.RequestManyAsync(world.Catalog, ids);

        Assert.Equal(
            [RecallRequestOutcome.Queued, RecallRequestOutcome.AlreadyRequested, RecallRequestOutcome.Queued, RecallRequestOutcome.AlreadyRequested, RecallRequestOutcome.Refused],
            outcomes);
        await world.PumpAsync();
        FileListRecord list = Assert.Single(await StageListsAsync(world));
        Assert.Equal(3, list.MemberCount);
        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();
        Assert.All([2, 7, 9], n => Assert.True(world.CachedIntact(n), $"file {n}"));
    }

    [Fact]
    public async Task A_cancelled_recall_list_requests_nothing()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        _ = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
            await RecallCatalog.RequestManyAsync(world.Catalog, [world.Files[1].FileId, world.Files[4].FileId], cancelled.Token));

        Assert.Equal(CacheStatus.Purged, (await world.FileAsync(world.Files[1].FileId)).CacheStatus);
        Assert.Equal(CacheStatus.Purged, (await world.FileAsync(world.Files[4].FileId)).CacheStatus);
    }

    [Fact]
    public async Task A_stage_list_whose_worker_died_is_sent_again_after_its_lease_and_completed()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[5].FileId);
        await world.PumpAsync();
        FileListRecord sent = Assert.Single(await StageListsAsync(world));

        // A worker takes the command, claims the list and its member, and dies.
        IDelivery delivery = Assert.Single(await world.Store.Bus.ReceiveAsync(HsmTopology.CommandQueue(TapeHsmWorld.DiskLibrary), new ReceiveOptions("doomed", 5)));
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.TryMoveListAsync(sent.ListId, FileListState.Active, FileListEvent.ClaimedByMigrator, HsmActor.Migrator, sent.Attempt,
                mutate: l => l with { Owner = "doomed", LeaseUntil = txn.Now.AddMinutes(10) });
            _ = await txn.TryMoveCacheAsync(world.Files[5].FileId, CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator);
            await txn.CommitAsync();
        }

        _ = await delivery.AckAsync();
        Assert.Equal(0, await world.Migrator.RunOnceAsync());
        world.Time.Advance(TimeSpan.FromMinutes(15));
        await world.PumpAsync(); // Sweeper: C8 and L7; the list waits out its back-off …
        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(world.Files[5].FileId)).CacheStatus);
        world.Time.Advance(TimeSpan.FromMinutes(31));
        await world.PumpAsync(); // … and is sent again under attempt 2.

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();
        FileListRecord done = Assert.Single(await StageListsAsync(world));
        Assert.Equal((FileListState.Done, 2, 1), (done.State, done.Attempt, done.FailureCount));
        Assert.True(world.CachedIntact(5));
    }

    private static async Task<TapeHsmWorld> DispatchingWorldAsync()
    {
        TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(20, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        world.Dispatcher.RecallPlanner = new RecallPlanner(new RecallOptions
        {
            MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
            FillWait = TimeSpan.Zero,
        });
        world.Migrator.Stager = world.NewStager();
        world.Time.Advance(world.DispatcherOptions.WorkLease); // Past the dispatcher's start-up grace (R6).
        return world;
    }

    private static async Task<IReadOnlyList<FileListRecord>> StageListsAsync(TapeHsmWorld world)
    {
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        return await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Stage });
    }
}
