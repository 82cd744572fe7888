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
        await DoomedWorkerTakesAsync(world, sent, world.Files[5].FileId, extracted: false);
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

    [Fact]
    public async Task A_file_whose_worker_died_between_extracting_and_publishing_it_is_read_again_and_published()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[5].FileId);
        await world.PumpAsync();
        FileListRecord sent = Assert.Single(await StageListsAsync(world));
        FileRecord file = await world.FileAsync(world.Files[5].FileId);

        // A worker claims the list, extracts and verifies the member (C5, C6), and dies before its rename and C7: what
        // it left in the stage area is not trusted (here it is not even the file's bytes).
        await DoomedWorkerTakesAsync(world, sent, file.FileId, extracted: true);
        Directory.CreateDirectory(world.StageRoot);
        long aggregationId = (await world.AggregationsAsync()).Single(a => a.Members.Any(m => m.FileId == file.FileId)).Aggregation.AggregationId;
        string leftover = Path.Combine(world.StageRoot, $"{aggregationId}-{file.FileId}.part");
        await File.WriteAllTextAsync(leftover, "not the file");
        world.Time.Advance(TimeSpan.FromMinutes(15));
        await world.PumpAsync(); // Sweeper: C8 from STAGED too, and L7 …
        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(file.FileId)).CacheStatus);
        world.Time.Advance(TimeSpan.FromMinutes(31));
        await world.PumpAsync(); // … then attempt 2 is sent.

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();
        FileListRecord done = Assert.Single(await StageListsAsync(world));
        Assert.Equal((FileListState.Done, 2), (done.State, done.Attempt));
        Assert.Equal(CacheStatus.Cached, (await world.FileAsync(file.FileId)).CacheStatus);
        Assert.True(world.CachedIntact(5));
        Assert.Empty(Directory.GetFiles(world.StageRoot));
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            var rules = (await txn.GetTransitionsAsync(CatalogTransitions.FileCacheEntity, file.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture))).Select(t => t.Rule).ToList();
            Assert.Equal(["C5", "C6", "C8", "C5", "C6", "C7"], rules.SkipWhile(r => r != "C5"));
        }
    }

    [Fact]
    public async Task A_file_whose_verified_copy_cannot_be_renamed_into_the_cache_fails_its_recall_and_the_rest_of_the_batch_is_published()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        int[] wanted = [0, 1, 10];
        foreach (int n in wanted)
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        // A directory where file 0 is to be published: its rename after C6 fails, for as long as an operator leaves it there.
        string blocked = Path.Combine(world.CacheRoot, "data/run000/f000000");
        Directory.CreateDirectory(blocked);
        await world.PumpAsync();
        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        FileListRecord done = Assert.Single(await StageListsAsync(world));
        Assert.Equal((FileListState.Done, 1), (done.State, done.Attempt));
        FileRecord refused = await world.FileAsync(world.Files[0].FileId);
        Assert.Equal(CacheStatus.Failed, refused.CacheStatus); // Not re-queued: another mount would meet the same obstacle.
        Assert.StartsWith("PublishFailed: the verified copy could not be renamed to " + blocked, refused.FailureReason, StringComparison.Ordinal);
        Assert.True(Directory.Exists(blocked));
        Assert.All((int[])[1, 10], n => Assert.True(world.CachedIntact(n), $"file {n}"));
        Assert.Empty(Directory.GetFiles(world.StageRoot));
        var staged = await world.HostEventsAsync<CacheStagedEvent>(HsmMessageTypes.CacheStaged);
        Assert.Equal(new[] { world.Files[1].FileId, world.Files[10].FileId }.Order(), staged.SelectMany(e => e.FileIds).Order());
        Assert.Empty(await TapeKit.Hsm.Diagnostics.HsmInvariants.CheckAsync(world.Catalog, TimeSpan.FromMinutes(10)));

        // A client's request is refused while the file is FAILED; the operator removes the obstacle and retries it (C19).
        Assert.Equal(RecallRequestOutcome.Refused, await RecallCatalog.RequestAsync(world.Catalog, refused.FileId));
        Assert.Equal(RecallRequestOutcome.Cached, await RecallCatalog.RetryFailedAsync(world.Catalog, world.Files[1].FileId, "not failed"));
        Directory.Delete(blocked);
        Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RetryFailedAsync(world.Catalog, refused.FileId, "directory removed by the operator"));
        FileRecord retried = await world.FileAsync(refused.FileId);
        Assert.Equal((CacheStatus.StagingRequested, (string?)null), (retried.CacheStatus, retried.FailureReason));
        await world.PumpAsync();
        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();
        Assert.True(world.CachedIntact(0));
    }

    [Fact]
    public async Task A_recall_claimed_outside_any_live_stage_list_is_given_back_when_a_dispatcher_that_plans_recalls_starts()
    {
        await using TapeHsmWorld world = await DispatchingWorldAsync();
        long fileId = world.Files[5].FileId;
        _ = await RecallCatalog.RequestAsync(world.Catalog, fileId);

        // As a stage list of an earlier release could leave it: extracted (C5, C6), the list completed without it.
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator);
            _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.Staging, FileCacheEvent.Extracted, HsmActor.Migrator);
            await txn.CommitAsync();
        }

        // Without a planner, recalls may be an in-process stager's, claimed without a list: not the dispatcher's to take.
        world.NewDispatcher();
        _ = await world.Dispatcher.StartAsync();
        Assert.Equal(CacheStatus.Staged, (await world.FileAsync(fileId)).CacheStatus);

        world.NewDispatcher();
        world.Dispatcher.RecallPlanner = new RecallPlanner(new RecallOptions
        {
            MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
            FillWait = TimeSpan.Zero,
        });
        _ = await world.Dispatcher.StartAsync();
        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(fileId)).CacheStatus);

        await world.PumpAsync();
        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();
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

    /// <summary>A worker "doomed" takes the stage command, claims the list and its member (C5, and C6 when <paramref name="extracted"/>), and dies.</summary>
    private static async Task DoomedWorkerTakesAsync(TapeHsmWorld world, FileListRecord sent, long fileId, bool extracted)
    {
        IDelivery delivery = Assert.Single(await world.Store.Bus.ReceiveAsync(HsmTopology.CommandQueue(TapeHsmWorld.DiskLibrary), new ReceiveOptions("doomed", 5)));
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.TryMoveListAsync(sent.ListId, FileListState.Active, FileListEvent.ClaimedByMigrator, HsmActor.Migrator, sent.Attempt,
                mutate: l => l with { Owner = "doomed", LeaseUntil = txn.Now.AddMinutes(10) });
            _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator);
            if (extracted)
            {
                _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.Staging, FileCacheEvent.Extracted, HsmActor.Migrator);
            }

            await txn.CommitAsync();
        }

        _ = await delivery.AckAsync();
    }

    private static async Task<IReadOnlyList<FileListRecord>> StageListsAsync(TapeHsmWorld world)
    {
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        return await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Stage });
    }
}
