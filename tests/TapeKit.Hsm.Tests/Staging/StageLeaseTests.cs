using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Staging;

/// <summary>A stage command run inline by the migrator keeps its work lease while its tape reading outlasts it.</summary>
public sealed class StageLeaseTests
{
    /// <summary>LTO-9 slowed to 10 kB/s: reading a tape file of one 256 KiB block costs about 26 simulated seconds.</summary>
    private static readonly MediaProfile Slow = MediaProfile.Lto9 with { Name = "LTO-9-slow", NativeRate = 10_000, DriveBuffer = 64 * 1024 };

    [Fact]
    public async Task A_stage_list_whose_reading_outlasts_the_work_lease_renews_it_and_completes_under_its_first_attempt()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(oneClock: true, profile: Slow);
        TimeSpan lease = world.DispatcherOptions.WorkLease;
        await world.IngestAsync(64 * TapeHsmWorld.FilesPerList, minSize: 1024, maxSize: 2048);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(640, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        world.Dispatcher.RecallPlanner = new RecallPlanner(new RecallOptions
        {
            MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
            FillWait = TimeSpan.Zero,
        });
        world.Migrator.Stager = world.NewStager();
        world.Time.Advance(lease); // Past the dispatcher's start-up grace: its sweep may re-queue.
        int[] wanted = [.. Enumerable.Range(0, 64).Select(i => i * TapeHsmWorld.FilesPerList)]; // One file of every tape file.
        foreach (int n in wanted)
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        await world.PumpAsync();
        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        FileListRecord list;
        IReadOnlyList<TransitionRecord> audit;
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            list = Assert.Single(await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Stage }));
            audit = await txn.GetTransitionsAsync(CatalogTransitions.ListEntity, list.ListId.ToString("N"));
        }

        Assert.Equal((FileListState.Done, 1, 0), (list.State, list.Attempt, list.FailureCount));
        Assert.All(wanted, n => Assert.True(world.CachedIntact(n), $"file {n}"));
        // Claim (L4), renewals (L5), completion (L6): the work outlasted the lease, yet no gap between them reached it.
        var held = audit.Where(t => t.Rule is "L4" or "L5" or "L6").Select(t => t.At).ToList();
        Assert.True(held[^1] - held[0] > lease, $"The stage work took {held[^1] - held[0]}; it must outlast the work lease.");
        Assert.All(held.Zip(held.Skip(1)), gap => Assert.True(gap.Second - gap.First < lease, $"No renewal between {gap.First:HH:mm:ss} and {gap.Second:HH:mm:ss}."));
    }
}
