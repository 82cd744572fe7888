using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Purging;

/// <summary>The purge policy of spec/hsm.md §4.4 carried out on a real cache area.</summary>
public sealed class PurgerTests
{
    private static readonly int[] Kept = [0, 1, 20, 21, 22];

    [Fact]
    public async Task Only_archived_unpinned_old_enough_copies_on_trusted_tapes_are_purged()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        await world.IngestAsync(3); // Not archived yet: never purged.
        await UpdateAsync(world, world.Files[0].FileId, f => f with { PinCount = 1 });
        await UpdateAsync(world, world.Files[1].FileId, f => f with { LastAccessAt = world.Time.GetUtcNow() });
        world.Time.Advance(TimeSpan.FromMinutes(30));
        var purger = new Purger(world.Catalog, new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.FromMinutes(20), HighWatermark = null, LowWatermark = null }),
            new PurgerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot });
        await UpdateAsync(world, world.Files[1].FileId, f => f with { LastAccessAt = world.Time.GetUtcNow() }); // Read just now.

        PurgeReport report = await purger.RunOnceAsync();

        Assert.Equal(18, report.FilesPurged);
        var purged = await world.HostEventsAsync<CachePurgedEvent>(HsmMessageTypes.CachePurged);
        Assert.Equal(world.Files.Take(20).Skip(2).Select(f => f.FileId).Order(), purged.SelectMany(e => e.FileIds).Order());
        Assert.Equal(report.BytesFreed, purged.Sum(e => e.BytesFreed));
        Assert.Equal(world.Files.Take(20).Skip(2).Sum(f => f.Size), report.BytesFreed);
        Assert.All(Kept, n => Assert.True(world.CachedIntact(n), $"file {n} should still be cached"));
        Assert.All(Enumerable.Range(2, 18), n => Assert.False(File.Exists(Path.Combine(world.CacheRoot, $"data/run000/f{n:D6}"))));
        Assert.Equal(CacheStatus.Purged, (await world.FileAsync(world.Files[5].FileId)).CacheStatus);
        Assert.Empty(await HsmInvariants.CheckAsync(world.Catalog, TimeSpan.FromHours(2)));
    }

    [Fact]
    public async Task A_copy_on_a_tape_that_needs_attention_is_kept_in_the_cache()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.UpdateTapeAsync((await txn.GetTapeAsync("T00001"))! with { State = TapeState.NeedsAttention });
            await txn.CommitAsync();
        }

        PurgeReport report = await world.NewPurger().RunOnceAsync();

        Assert.Equal(0, report.FilesPurged);
        Assert.All(Enumerable.Range(0, 10), n => Assert.True(world.CachedIntact(n)));
    }

    [Fact]
    public async Task Above_the_high_watermark_the_least_recently_used_copies_go_until_the_low_watermark()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        for (int n = 0; n < 20; n++)
        {
            int age = n;
            await UpdateAsync(world, world.Files[n].FileId, f => f with { LastAccessAt = world.Time.GetUtcNow().AddMinutes(age - 60) });
        }

        long used = world.Files.Sum(f => f.Size);
        long capacity = (long)(used / 0.95); // 95 % used: above 90 %, purge down to 80 %.
        var purger = new Purger(world.Catalog, new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.Zero }),
            new PurgerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot, CapacityBytes = capacity });

        PurgeReport report = await purger.RunOnceAsync();

        long target = used - (long)Math.Floor(capacity * 0.8);
        Assert.True(report.BytesFreed >= target, $"freed {report.BytesFreed}, needed {target}");
        int purged = report.FilesPurged;
        Assert.True(purged > 0 && purged < 20);
        Assert.All(Enumerable.Range(0, purged), n => Assert.False(world.CachedIntact(n))); // Oldest first.
        Assert.All(Enumerable.Range(purged, 20 - purged), n => Assert.True(world.CachedIntact(n)));
        Assert.True(report.BytesFreed - world.Files[purged - 1].Size < target, "one copy fewer would not have reached the low watermark");
    }

    [Fact]
    public async Task A_purge_interrupted_between_its_selection_and_its_claim_is_finished_by_the_next_run_and_a_pin_taken_since_keeps_its_copy()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        long selected = world.Files[7].FileId, pinned = world.Files[8].FileId;
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.TryMoveCacheAsync(selected, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher);
            _ = await txn.TryMoveCacheAsync(pinned, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher);
            await txn.CommitAsync(); // … and the purger died before its claim (found by a SIGKILL in the campaign).
        }

        await UpdateAsync(world, pinned, f => f with { PinCount = 1 });
        var purger = new Purger(world.Catalog, new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.FromDays(1) }),
            new PurgerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot });
        PurgeReport report = await purger.RunOnceAsync();

        Assert.Equal(1, report.FilesPurged);
        Assert.Equal(CacheStatus.Purged, (await world.FileAsync(selected)).CacheStatus);
        Assert.False(world.CachedIntact(7));
        Assert.Equal(CacheStatus.Cached, (await world.FileAsync(pinned)).CacheStatus);
        Assert.True(world.CachedIntact(8));
    }

    [Fact]
    public async Task A_purge_interrupted_after_its_claim_is_finished_by_the_next_run()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        long id = world.Files[7].FileId;
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            _ = await txn.TryMoveCacheAsync(id, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher);
            _ = await txn.TryMoveCacheAsync(id, CacheStatus.PurgingRequested, FileCacheEvent.PurgeClaimed, HsmActor.Migrator);
            await txn.CommitAsync(); // … and the purger died before deleting.
        }

        var purger = new Purger(world.Catalog, new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.FromDays(1) }),
            new PurgerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot });
        PurgeReport report = await purger.RunOnceAsync();

        Assert.Equal(1, report.FilesPurged);
        Assert.Equal(CacheStatus.Purged, (await world.FileAsync(id)).CacheStatus);
        Assert.False(world.CachedIntact(7));
        Assert.True(world.CachedIntact(6));
    }

    [Fact]
    public async Task A_copy_whose_directory_is_already_gone_is_purged_but_an_absent_cache_root_purges_nothing()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(4);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        var policy = new PurgePolicy(new PurgeOptions { MinAge = TimeSpan.Zero, HighWatermark = null, LowWatermark = null });

        // An area that is not mounted: every copy stays, cached again (C14), and nothing is reported freed.
        string unmounted = Path.Combine(world.CacheRoot, "not-mounted");
        PurgeReport none = await new Purger(world.Catalog, policy, new PurgerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = unmounted }).RunOnceAsync();
        Assert.Equal(0, none.FilesPurged);
        foreach ((long fileId, _) in world.Files)
        {
            Assert.Equal(CacheStatus.Cached, (await world.FileAsync(fileId)).CacheStatus);
        }

        // The directory of the copies removed by hand (or by a purge that died after deleting): the copies are gone, so purged.
        Directory.Delete(Path.Combine(world.CacheRoot, "data/run000"), recursive: true);
        PurgeReport report = await new Purger(world.Catalog, policy, new PurgerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot }).RunOnceAsync();
        Assert.Equal(4, report.FilesPurged);
        foreach ((long fileId, _) in world.Files)
        {
            Assert.Equal(CacheStatus.Purged, (await world.FileAsync(fileId)).CacheStatus);
        }
    }

    private static async Task UpdateAsync(TapeHsmWorld world, long fileId, Func<FileRecord, FileRecord> change)
    {
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        await txn.UpdateFileAsync(change((await txn.GetFileAsync(fileId))!));
        await txn.CommitAsync();
    }
}
