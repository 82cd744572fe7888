using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;
using TapeKit.Hsm.Tapes;
using TapeKit.Layout;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>The failure rules of spec/hsm.md §7.1 on the archive path, with real bytes on virtual tapes.</summary>
public sealed class ArchiveFailureTests
{
    [Fact]
    public async Task Lists_share_one_mount_and_one_sync_and_every_file_is_archived_once()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(35);
        await world.FlushAsync();
        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        ArchiveSessionReport session = Assert.Single(world.Migrator.Sessions);
        Assert.Equal(("T00001", 4, 35), (session.Vsn, session.TapeFiles, session.Files));
        Assert.Equal(1, world.Library.Drive(0).Statistics.SyncPoints - 3); // Three prelabels, then one sync for the whole session.
        TapeRecord tape = await world.TapeAsync("T00001");
        Assert.Equal((4, TapeState.Filling), (tape.LastFseq, tape.State));
        Assert.Equal(world.Files.Sum(f => f.Size), tape.BytesUsed);
        // The tape alone agrees with the catalogue: four ALB tar files whose members are the files.
        await using TapeMount mount = world.Drives.Acquire("T00001");
        IReadOnlyList<TapeFileInfo> files = await mount.RunAsync(drive => AulVolume.Mount(drive, "T00001").Scan());
        Assert.Equal([10, 10, 10, 5], files.Select(f => f.Members.Count));
        Assert.All(files, f => Assert.Equal(PayloadKind.Tar, f.Payload));
    }

    [Fact]
    public async Task Two_pools_are_written_by_two_workers_on_two_drives_and_every_file_is_archived_once()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(twoPools: true);
        await world.IngestAsync(20);
        await world.IngestAsync(15, storageGroup: "sg-b");
        await world.FlushAsync();

        Assert.Equal(4, await world.Migrator.RunOnceAsync()); // One round: a worker per pool, side by side.
        await world.PumpAsync();

        await world.AssertArchivedExactlyOnceAsync();
        var sessions = world.Migrator.Sessions.OrderBy(s => s.Vsn).ToList();
        Assert.Equal([("T00001", 20), ("U00001", 15)], sessions.Select(s => (s.Vsn, s.Files)));
        Assert.All(sessions, s => Assert.Null(s.Failure));
        var byTape = (await world.AggregationsAsync()).GroupBy(a => a.Aggregation.TapeFile!.Value.Vsn).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal((2, 2), (byTape["T00001"], byTape["U00001"]));
    }

    [Fact]
    public async Task A_migrator_killed_mid_archive_has_its_list_redelivered_and_repacked_without_archiving_a_member_twice()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        Guid? crashed = null;
        world.Migrator.StepObserver = (step, list) =>
        {
            if (step == ArchiveStep.Written && crashed is null)
            {
                crashed = list;
                throw new MigratorCrash();
            }
        };

        await Assert.ThrowsAsync<MigratorCrash>(async () => await world.Migrator.RunOnceAsync());
        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Archived));

        world.NewMigrator(); // The process restarts with a new instance id; the dispatcher's sweeper re-queues after the lease.
        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        var aggregations = await world.AggregationsAsync();
        Assert.Contains(aggregations, a => a.Aggregation.ListId == crashed && a.Aggregation.Attempt == 1 && a.Aggregation.State == AggregationState.Failed);
        Assert.Contains(aggregations, a => a.Aggregation.ListId == crashed && a.Aggregation.Attempt > 1 && a.Aggregation.State == AggregationState.OnTape);
    }

    [Fact]
    public async Task A_dispatcher_restarted_mid_flight_reloads_its_lists_and_nothing_is_lost_or_duplicated()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(15);
        await world.PumpAsync(); // One list closed and its command sent; five files in a filling list.
        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.IngestAsync(12); // CacheWritten events queued, not yet handled …

        await world.RestartAsync(); // … when the whole host restarts: store reopened from its file, new dispatcher.
        await world.FlushAsync();
        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        Assert.Equal(27, world.Files.Count);
    }

    [Fact]
    public async Task Lists_whose_pool_has_no_writable_tape_for_a_copy_wait_uncharged_and_are_archived_once_a_tape_is_added()
    {
        // Two copies, one tape: copy 2 can never share copy 1's tape (R5), so the pool has no tape for it.
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(tapes: 1, copies: 2);
        await world.IngestAsync(15);
        await world.FlushAsync();
        for (int round = 0; round < 12; round++)
        {
            await world.PumpAsync();
            _ = await world.Migrator.RunOnceAsync();
            world.Time.Advance(TimeSpan.FromMinutes(2));
        }

        await world.PumpAsync();
        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Failed));
        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Archived));
        IReadOnlyList<FileListRecord> lists;
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            lists = await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive });
        }

        Assert.NotEmpty(lists);
        Assert.All(lists, l => Assert.NotEqual(FileListState.Dead, l.State));
        Assert.All(lists, l => Assert.Equal(0, l.FailureCount)); // a shortage of tapes is no failure of the lists
        Assert.Contains(lists, l => l.BusyCount > 1);

        // The operator adds a tape to the pool: the lists go on, and every file gets its two copies.
        world.Library.CreateCartridge("T00002");
        await using (TapeMount mount = world.Drives.Acquire("T00002"))
        {
            _ = await mount.RunAsync(drive => AulVolume.Prelabel(drive, world.Labels, "T00002"));
        }

        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            await txn.InsertTapeAsync(new TapeRecord { Vsn = "T00002", Pool = TapeHsmWorld.Pool, CapacityEstimate = MediaProfile.Lto9.Capacity, BlockSize = 256 * 1024 });
            await txn.CommitAsync();
        }

        world.Time.Advance(TimeSpan.FromHours(1)); // past the busy back-off
        await world.ArchiveAllAsync();
        await world.AssertArchivedExactlyOnceAsync();
    }

    [Fact]
    public async Task With_a_pool_width_of_one_a_migrator_waits_uncharged_while_another_writes_a_tape_of_the_pool()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(tapes: 3);
        world.NewMigrator(o => o.MaxWriteTapesPerPool = 1);
        await world.IngestAsync(15);
        await world.FlushAsync();
        // Another live migrator of the site holds T00001 for writing; T00002 and T00003 are free.
        await world.Catalog.UpdateTapeAsync("T00001", t => t with { MountedBy = "migrator-other", MountLeaseUntil = world.Time.GetUtcNow() + TimeSpan.FromHours(1) });
        for (int round = 0; round < 4; round++)
        {
            await world.PumpAsync();
            _ = await world.Migrator.RunOnceAsync();
            world.Time.Advance(TimeSpan.FromMinutes(2));
        }

        await world.PumpAsync();
        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Archived));
        Assert.Empty(world.Migrator.Sessions); // no second tape of the pool was opened
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            IReadOnlyList<FileListRecord> lists = await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive });
            Assert.All(lists, l => Assert.Equal(0, l.FailureCount));
            Assert.Contains(lists, l => l.BusyCount > 0);
        }

        // The other migrator is done with its tape: this one writes, on T00001 (the filling tape comes first).
        await world.Catalog.UpdateTapeAsync("T00001", t => t with { MountedBy = null, MountLeaseUntil = null });
        world.Time.Advance(TimeSpan.FromHours(1));
        await world.ArchiveAllAsync();
        await world.AssertArchivedExactlyOnceAsync();
        _ = Assert.Single(world.Migrator.Sessions.Select(s => s.Vsn).Distinct());
    }

    [Fact]
    public async Task A_tape_write_error_mid_aggregation_fails_the_aggregation_and_its_members_are_written_on_another_tape()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10, minSize: 200 * 1024, maxSize: 300 * 1024); // About ten 256 KiB blocks.
        await world.FlushAsync();
        world.Library.Drive(0).Arm("media-error write 8"); // A data block in the middle of the first aggregation (data starts at 5).

        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        var aggregations = await world.AggregationsAsync();
        AggregationRecord failed = Assert.Single(aggregations, a => a.Aggregation.State == AggregationState.Failed).Aggregation;
        AggregationRecord good = Assert.Single(aggregations, a => a.Aggregation.State == AggregationState.OnTape).Aggregation;
        Assert.Equal("T00001", failed.TapeFile?.Vsn);
        Assert.Equal(nameof(FailureReason.TapeWriteError), failed.FailureReason);
        Assert.Equal("T00002", good.TapeFile?.Vsn);
        TapeRecord bad = await world.TapeAsync("T00001");
        Assert.Equal((TapeState.NeedsAttention, 1, 0), (bad.State, bad.WriteErrors, bad.LastFseq));
    }

    [Fact]
    public async Task End_of_medium_mid_aggregation_marks_the_tape_full_and_the_members_are_written_on_another_tape()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(
            cartridge: vsn => vsn == "T00001" ? new VirtualCartridgeOptions { Capacity = 1_500_000, EarlyWarningDistance = 100_000 } : null);
        await world.IngestAsync(10, minSize: 200 * 1024, maxSize: 300 * 1024); // About 2.5 MB: more than T00001 holds.
        await world.FlushAsync();

        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        var aggregations = await world.AggregationsAsync();
        AggregationRecord failed = Assert.Single(aggregations, a => a.Aggregation.State == AggregationState.Failed).Aggregation;
        Assert.Equal(nameof(FailureReason.EndOfMedium), failed.FailureReason);
        Assert.Equal("T00001", failed.TapeFile?.Vsn);
        Assert.Equal("T00002", Assert.Single(aggregations, a => a.Aggregation.State == AggregationState.OnTape).Aggregation.TapeFile?.Vsn);
        Assert.Equal(TapeState.Full, (await world.TapeAsync("T00001")).State);
    }

    [Fact]
    public async Task Power_loss_before_the_sync_rewrites_the_unsynced_files_on_the_same_tape()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(20);
        await world.FlushAsync();
        int written = 0;
        world.Migrator.StepObserver = (step, _) =>
        {
            if (step == ArchiveStep.Written && ++written == 1)
            {
                // The first tape file is written behind buffered marks; the power goes while the second is written.
                world.Library.Drive(0).Arm("power-loss after 2");
            }
        };

        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        var aggregations = await world.AggregationsAsync();
        Assert.Equal(2, aggregations.Count(a => a.Aggregation.State == AggregationState.Failed));
        var onTape = aggregations.Where(a => a.Aggregation.State == AggregationState.OnTape).Select(a => a.Aggregation).ToList();
        Assert.Equal("T00001:1 T00001:2", string.Join(" ", onTape.Select(a => $"{a.TapeFile!.Value.Vsn}:{a.TapeFile.Value.Fseq}").Order()));
        Assert.Equal((2, TapeState.Filling), ((await world.TapeAsync("T00001")).LastFseq, (await world.TapeAsync("T00001")).State));
        Assert.Equal(2, (await world.ScanTapeAsync("T00001")).Count); // Rewritten, nothing left over.
    }

    [Fact]
    public async Task A_member_whose_cache_copy_changed_is_never_archived_and_is_reported_lost_before_archive()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        string victim = Path.Combine(world.CacheRoot, "data/run000/f000003");
        byte[] bytes = await File.ReadAllBytesAsync(victim);
        bytes[17] ^= 0x40;
        await File.WriteAllBytesAsync(victim, bytes); // Same size, other bytes: the disk changed under the cache.
        await world.FlushAsync();

        Assert.Equal(1, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        FileRecord lost = await world.FileAsync(world.Files[3].FileId);
        Assert.Equal(CacheStatus.Failed, lost.CacheStatus);
        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Archived));
        // The other nine go on in a new list.
        for (int round = 0; round < 20 && await world.CountAsync(ArchiveStatus.Archived) < 9; round++)
        {
            await world.PumpAsync();
            if (await world.Migrator.RunOnceAsync() == 0)
            {
                world.Time.Advance(TimeSpan.FromMinutes(5));
                await world.FlushAsync();
            }
        }

        Assert.Equal(9, await world.CountAsync(ArchiveStatus.Archived));
        Assert.Equal(ArchiveStatus.Failed, (await world.FileAsync(world.Files[3].FileId)).ArchiveStatus);
        Assert.DoesNotContain((await world.AggregationsAsync()).Where(a => a.Aggregation.State == AggregationState.OnTape).SelectMany(a => a.Members),
            m => m.FileId == world.Files[3].FileId);
    }

    [Fact]
    public async Task With_every_drive_busy_the_migrator_answers_busy_and_the_list_is_sent_again_uncharged()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(10);
        await world.FlushAsync();
        using (TapeMount held = world.Drives.Acquire("T00003")) // Another session holds the migrator's only drive.
        {
            Assert.Equal(1, await world.Migrator.RunOnceAsync());
            await world.PumpAsync();
        }

        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            FileListRecord list = Assert.Single(await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive }));
            Assert.Equal((FileListState.Filled, 1, 0), (list.State, list.BusyCount, list.FailureCount));
        }

        Assert.Empty(await world.AggregationsAsync());
        await world.ArchiveAllAsync();
        await world.AssertArchivedExactlyOnceAsync();
    }

    private sealed class MigratorCrash : Exception
    {
        public MigratorCrash()
            : base("The migrator process died.")
        {
        }
    }
}
