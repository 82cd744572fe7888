using System.Buffers.Binary;
using TapeKit.Checksums;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Staging;

/// <summary>Recalls with real bytes: planning per tape, verified publishing, and copies that are not what was written.</summary>
public sealed class StagerTests
{
    [Fact]
    public async Task The_stager_asks_for_drives_as_its_incarnation_so_that_a_restart_frees_them_at_once()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(10);
        Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(world.Catalog, world.Files[3].FileId));
        var recording = new RecordingPool(world.Drives);
        Stager stager = world.NewStager(recording, stagerId: "stager-dl1@node1/sfa#7");

        _ = await stager.RunOnceAsync();

        Assert.Equal("stager-dl1@node1/sfa#7", Assert.Single(recording.Requesters));
    }

    /// <summary>Passes mounts through and records who asked.</summary>
    private sealed class RecordingPool(ITapeDrivePool inner) : ITapeDrivePool
    {
        public List<string> Requesters { get; } = [];

        public int Mounts => inner.Mounts;

        public TapeMount Acquire(string vsn) => inner.Acquire(vsn);

        public ValueTask<TapeMount> AcquireAsync(string vsn, CancellationToken ct = default) => inner.AcquireAsync(vsn, ct);

        public ValueTask<TapeMount> AcquireAsync(MountRequest request, CancellationToken ct = default)
        {
            Requesters.Add(request.Requester);
            return inner.AcquireAsync(request, ct);
        }

        public ValueTask<IReadOnlyList<string>> DismountIdleAsync(CancellationToken ct = default) => inner.DismountIdleAsync(ct);
    }

    [Fact]
    public async Task Purged_files_are_recalled_with_one_mount_in_tape_order_and_published_intact()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(30);
        int[] wanted = [2, 5, 11, 17, 18, 29];
        foreach (int n in wanted)
        {
            Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId));
        }

        Assert.Equal(RecallRequestOutcome.AlreadyRequested, await RecallCatalog.RequestAsync(world.Catalog, world.Files[2].FileId));
        int mountsBefore = world.Drives.Mounts;

        StageReport report = await world.NewStager().RunOnceAsync();

        Assert.Equal((1, 1, 6, 0, 0), (report.Sessions, report.RobotMounts, report.FilesStaged, report.FilesFailed, report.FilesRequeued));
        Assert.Equal(1, world.Drives.Mounts - mountsBefore);
        Assert.Contains(report.Explanation, e => e.Contains("order: linear, ascending logical block id", StringComparison.Ordinal));
        Assert.All(wanted, n => Assert.True(world.CachedIntact(n), $"file {n} is not in the cache intact"));
        Assert.All(Enumerable.Range(0, 30).Except(wanted), n => Assert.False(world.CachedIntact(n)));
        foreach (int n in wanted)
        {
            Assert.Equal(CacheStatus.Cached, (await world.FileAsync(world.Files[n].FileId)).CacheStatus);
        }

        Assert.Empty(Directory.EnumerateFiles(world.StageRoot)); // Every stage copy was renamed into the cache.
        var staged = await world.HostEventsAsync<CacheStagedEvent>(HsmMessageTypes.CacheStaged);
        Assert.Equal(wanted.Select(n => world.Files[n].FileId).Order(), staged.SelectMany(e => e.FileIds).Order());
        Assert.Equal(RecallRequestOutcome.Cached, await RecallCatalog.RequestAsync(world.Catalog, world.Files[2].FileId));
        Assert.Empty(await HsmInvariants.CheckAsync(world.Catalog, TimeSpan.FromMinutes(10)));
    }

    [Theory]
    [InlineData(AggregationPayloadFormat.Tar, true)]
    [InlineData(AggregationPayloadFormat.Tar, false)]
    [InlineData(AggregationPayloadFormat.Il, true)]
    [InlineData(AggregationPayloadFormat.Il, false)]
    public async Task Both_payloads_are_recalled_by_whole_and_by_positioned_reads(AggregationPayloadFormat format, bool whole)
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(format: format);
        await world.IngestAsync(20);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.All((await world.AggregationsAsync()).Select(a => a.Aggregation.Format), f => Assert.Equal(format, f));
        Assert.Equal(20, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        int[] wanted = [1, 8, 12, 19];
        foreach (int n in wanted)
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        long readBefore = world.Library.Drive(0).Statistics.BlocksRead;
        StageReport report = await world.NewStager(readAheadFraction: whole ? 0 : 1, wholeReadBelowBytes: 0).RunOnceAsync();

        Assert.Equal((4, 0), (report.FilesStaged, report.FilesFailed));
        Assert.All(wanted, n => Assert.True(world.CachedIntact(n), $"file {n}"));
        Assert.Contains(report.Explanation, e => e.Contains(whole ? "whole read" : "positioned reads", StringComparison.Ordinal));
        long dataBlocks = (await world.AggregationsAsync()).Sum(a => a.Aggregation.BlockCount ?? 0);
        long read = world.Library.Drive(0).Statistics.BlocksRead - readBefore;
        Assert.True(whole ? read >= dataBlocks : read < dataBlocks, $"{read} blocks read of {dataBlocks} data blocks");
    }

    [Fact]
    public async Task A_silently_corrupted_tape_copy_is_detected_by_checksum_reported_and_never_delivered()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(20);
        CorruptOnTape(world, 4, fixCrc: true); // The drive returns the wrong bytes without an error.
        foreach (int n in new[] { 3, 4, 6 })
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        StageReport report = await world.NewStager().RunOnceAsync();

        await AssertOnlyVictimFailedAsync(world, report, 3, 6);
    }

    [Fact]
    public async Task A_whole_read_passes_over_a_damaged_member_nobody_asked_for_without_falling_back_to_positioned_reads()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(20);
        CorruptOnTape(world, 4, fixCrc: true); // Silently wrong bytes in file 4, which is not recalled.
        int[] wanted = [3, 6, 9];
        foreach (int n in wanted)
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        long locatesBefore = world.Library.Drive(0).Statistics.Locates;
        StageReport report = await world.NewStager(readAheadFraction: 0, wholeReadBelowBytes: 0).RunOnceAsync();

        Assert.Equal((3, 0), (report.FilesStaged, report.FilesFailed));
        Assert.All(wanted, n => Assert.True(world.CachedIntact(n), $"file {n}"));
        // The volume check's positioning and one locate to the aggregation, then one pass: before, the damage in file 4
        // ended the pass and files 6 and 9 were each located and read on their own (4 locates).
        Assert.Equal(2, world.Library.Drive(0).Statistics.Locates - locatesBefore);
    }

    [Fact]
    public async Task A_tape_copy_the_drive_cannot_read_is_reported_and_the_other_members_are_still_delivered()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(20);
        CorruptOnTape(world, 4, fixCrc: false); // The block's CRC no longer matches: a media error on read.
        foreach (int n in new[] { 0, 4, 9 })
        {
            _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
        }

        StageReport report = await world.NewStager().RunOnceAsync();

        // The whole 256 KiB block is lost to the drive; files 0 and 9 lie in other blocks and are read around it.
        await AssertOnlyVictimFailedAsync(world, report, 0, 9);
    }

    [Fact]
    public async Task With_two_copies_a_corrupted_first_copy_is_skipped_and_the_file_is_read_from_the_second_tape()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(copies: 2);
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        await world.AssertArchivedExactlyOnceAsync();
        var onTape = (await world.AggregationsAsync()).Where(a => a.Aggregation.State == AggregationState.OnTape).ToList();
        Assert.Equal(["T00001", "T00002"], onTape.Select(a => a.Aggregation.TapeFile!.Value.Vsn).Order());
        Assert.Equal(10, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        CorruptOnTape(world, 4, fixCrc: true); // Copy 1, on T00001.
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[4].FileId);

        StageReport first = await world.NewStager().RunOnceAsync();
        Assert.Equal((0, 0, 1), (first.FilesStaged, first.FilesFailed, first.FilesRequeued));
        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(world.Files[4].FileId)).CacheStatus);

        StageReport second = await world.NewStager().RunOnceAsync(); // Copy 1's segment is DAMAGED now: T00002 serves it.
        Assert.Equal((1, 0), (second.FilesStaged, second.FilesFailed));
        Assert.True(world.CachedIntact(4));
        var states = (await world.AggregationsAsync()).ToDictionary(a => a.Aggregation.TapeFile!.Value.Vsn, a => a.Aggregation.State);
        Assert.Equal((AggregationState.Damaged, AggregationState.OnTape), (states["T00001"], states["T00002"]));
    }

    [Fact]
    public async Task A_lost_cartridge_is_set_aside_and_its_recalls_are_read_from_the_other_copy_or_fail_naming_the_tape()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(copies: 2);
        await world.IngestAsync(10);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(10, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        _ = world.Library.Remove(world.Library.Export("T00001").Number); // Copy 1's cartridge is gone from the library.
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[4].FileId);

        StageReport first = await world.NewStager().RunOnceAsync();
        Assert.Equal(0, first.FilesStaged);
        TapeRecord lost = (await world.Catalog.ReadAsync(txn => txn.GetTapeAsync("T00001")))!;
        Assert.Equal(TapeState.Disabled, lost.State);
        Assert.Contains("lost", Assert.Single(await world.Catalog.ReadAsync(txn => txn.GetTransitionsAsync("tape", "T00001"))).Reason, StringComparison.Ordinal);

        StageReport second = await world.NewStager().RunOnceAsync(); // Not planned on T00001 again: T00002 serves it.
        Assert.Equal(1, second.FilesStaged);
        Assert.True(world.CachedIntact(4));

        // With the second cartridge lost too, a recall fails at once, naming the file and both tapes.
        _ = await world.Drives.DismountIdleAsync();
        _ = world.Library.Remove(world.Library.Export("T00002").Number);
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[5].FileId);
        for (int i = 0; i < 3; i++)
        {
            _ = await world.NewStager().RunOnceAsync();
        }

        FileRecord failed = await world.FileAsync(world.Files[5].FileId);
        Assert.Equal(CacheStatus.Failed, failed.CacheStatus);
        Assert.Contains($"file {world.Files[5].FileId} has no readable copy", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("T00001 (DISABLED)", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("T00002 (DISABLED)", failed.FailureReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cancelled_recall_goes_back_to_purged_and_is_not_read()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(10);
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[1].FileId);
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[2].FileId);

        Assert.True(await RecallCatalog.CancelAsync(world.Catalog, world.Files[1].FileId));
        Assert.False(await RecallCatalog.CancelAsync(world.Catalog, world.Files[1].FileId));
        StageReport report = await world.NewStager().RunOnceAsync();

        Assert.Equal(1, report.FilesStaged);
        Assert.Equal(CacheStatus.Purged, (await world.FileAsync(world.Files[1].FileId)).CacheStatus);
        Assert.False(world.CachedIntact(1));
        Assert.True(world.CachedIntact(2));
        Assert.False(await RecallCatalog.CancelAsync(world.Catalog, world.Files[2].FileId)); // Already cached: nothing to cancel.
    }

    [Fact]
    public async Task Nothing_is_staged_before_the_mount_policy_says_the_queue_is_due()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(10);
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[1].FileId);
        var stager = new Stager(world.Catalog, world.Drives, new RecallPlanner(new RecallOptions()),
            new StagerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot, StageRoot = world.StageRoot });

        StageReport report = await stager.RunOnceAsync();

        Assert.Equal((0, 0), (report.Sessions, report.FilesStaged));
        Assert.Contains(report.Explanation, e => e.Contains("not due", StringComparison.Ordinal));
        Assert.Equal(CacheStatus.StagingRequested, (await world.FileAsync(world.Files[1].FileId)).CacheStatus);
    }

    [Fact]
    public async Task A_cache_area_above_its_high_watermark_gets_no_new_recall_session()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(10);
        await world.IngestAsync(5); // Five new files hold the cache: with a capacity just above them it is over 90 % full.
        long used = world.Files.Skip(10).Sum(f => f.Size);
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[2].FileId);
        Stager full = Stager(world, capacity: used + (used / 20));
        StageReport refused = await full.RunOnceAsync();
        Assert.Equal((0, 0), (refused.Sessions, refused.FilesStaged));
        Assert.Contains(refused.Explanation, e => e.Contains("back-pressure", StringComparison.Ordinal));

        StageReport served = await Stager(world, capacity: used * 4).RunOnceAsync();
        Assert.Equal((1, 1), (served.Sessions, served.FilesStaged));
        Assert.True(world.CachedIntact(2));
    }

    [SkippableFact]
    public async Task A_stage_area_on_another_file_system_publishes_through_a_synced_copy_beside_the_target_and_leaves_nothing_partial()
    {
        // A stage area on a disk of its own: the rename across file systems would be a copy into the cache path itself.
        MachineTools.Require(OperatingSystem.IsLinux() && Directory.Exists("/dev/shm")
            && TapeKit.IO.FileNodes.Inspect("/dev/shm").Device != TapeKit.IO.FileNodes.Inspect(Path.GetTempPath().TrimEnd('/')).Device
            ? null : "no tmpfs at /dev/shm apart from the temporary directory's file system: two file systems are needed");
        await using TapeHsmWorld world = await ArchivedWorldAsync(6);
        string stageRoot = Path.Combine("/dev/shm", "tapekit-stage-" + Guid.NewGuid().ToString("N"));
        try
        {
            FileRecord blocked = await world.FileAsync(world.Files[3].FileId);
            string blockedPath = Path.Combine(world.CacheRoot, blocked.CachePath);
            Directory.CreateDirectory(Path.Combine(blockedPath, "someone-elses")); // the last rename over it fails
            foreach (int n in new[] { 1, 3, 4 })
            {
                _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId);
            }

            var stager = new Stager(world.Catalog, world.Drives, new RecallPlanner(new RecallOptions
            {
                MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
                FillWait = TimeSpan.Zero,
            }), new StagerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot, StageRoot = stageRoot });
            StageReport report = await stager.RunOnceAsync();

            Assert.Equal((2, 1), (report.FilesStaged, report.FilesFailed));
            Assert.True(world.CachedIntact(1));
            Assert.True(world.CachedIntact(4));
            FileRecord failed = await world.FileAsync(blocked.FileId);
            Assert.Equal(CacheStatus.Failed, failed.CacheStatus);
            Assert.StartsWith($"PublishFailed: the verified copy could not be renamed to {blockedPath}", failed.FailureReason, StringComparison.Ordinal);
            Assert.Empty(Directory.EnumerateFiles(stageRoot));
            Assert.Empty(Directory.EnumerateFiles(world.CacheRoot, "*" + TapeKit.Hsm.Staging.Stager.PublishingSuffix, SearchOption.AllDirectories));
            Assert.Empty(Directory.EnumerateFiles(blockedPath));
        }
        finally
        {
            if (Directory.Exists(stageRoot))
            {
                Directory.Delete(stageRoot, recursive: true);
            }
        }
    }

    private static Stager Stager(TapeHsmWorld world, long capacity) => new(world.Catalog, world.Drives, new RecallPlanner(new RecallOptions
    {
        MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
        FillWait = TimeSpan.Zero,
    }), new StagerOptions { DiskLibrary = TapeHsmWorld.DiskLibrary, CacheRoot = world.CacheRoot, StageRoot = world.StageRoot, CacheCapacityBytes = capacity });

    private static async Task AssertOnlyVictimFailedAsync(TapeHsmWorld world, StageReport report, int intact1, int intact2)
    {
        Assert.Equal((2, 1), (report.FilesStaged, report.FilesFailed));
        FileRecord victim = await world.FileAsync(world.Files[4].FileId);
        Assert.Equal(CacheStatus.Failed, victim.CacheStatus);
        Assert.StartsWith(nameof(FailureReason.ChecksumMismatchOnRead), victim.FailureReason, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(world.CacheRoot, victim.CachePath)));
        Assert.Empty(Directory.EnumerateFiles(world.StageRoot));
        Assert.True(world.CachedIntact(intact1));
        Assert.True(world.CachedIntact(intact2));
        var aggregations = await world.AggregationsAsync();
        Assert.Equal(AggregationState.Damaged, Assert.Single(aggregations, a => a.Members.Any(m => m.FileId == victim.FileId)).Aggregation.State);
    }

    private static async Task<TapeHsmWorld> ArchivedWorldAsync(int files)
    {
        TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(files);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        var purged = await world.NewPurger().RunOnceAsync();
        Assert.Equal(files, purged.FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        return world;
    }

    /// <summary>Flips one byte of file <paramref name="number"/>'s data inside the cartridge's stored blocks.</summary>
    private static void CorruptOnTape(TapeHsmWorld world, int number, bool fixCrc)
    {
        string cartridge = Path.Combine(world.Library.Root, "cartridges", "T00001.tkvt");
        string dataPath = Path.Combine(cartridge, "data");
        byte[] data = File.ReadAllBytes(dataPath);
        byte[] content = world.Content(number, world.Files[number].Size);
        int at = data.AsSpan().IndexOf(content.AsSpan(0, 64));
        Assert.True(at >= 0, "the file's bytes were not found on the cartridge");
        long offset = at + 100;
        using (var stream = new FileStream(dataPath, FileMode.Open, FileAccess.ReadWrite))
        {
            stream.Position = offset;
            int b = stream.ReadByte();
            stream.Position = offset;
            stream.WriteByte((byte)(b ^ 0x5A));
        }

        if (!fixCrc)
        {
            return;
        }

        // Make the index agree with the corrupted payload (32-byte records: length @4, data offset @16, CRC @24, record CRC @28).
        string indexPath = Path.Combine(cartridge, "index");
        byte[] index = File.ReadAllBytes(indexPath);
        data = File.ReadAllBytes(dataPath);
        for (int r = 0; r < index.Length; r += 32)
        {
            Span<byte> record = index.AsSpan(r, 32);
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(record[4..]);
            long start = BinaryPrimitives.ReadInt64LittleEndian(record[16..]);
            if (record[0] == 1 && record[1] == 0 && offset >= start && offset < start + length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(record[24..], Crc32C.Compute(data.AsSpan((int)start, (int)length)));
                BinaryPrimitives.WriteUInt32LittleEndian(record[28..], Crc32C.Compute(record[..28]));
                File.WriteAllBytes(indexPath, index);
                return;
            }
        }

        Assert.Fail("no index record covers the corrupted byte");
    }
}
