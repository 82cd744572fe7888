using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Staging;

/// <summary>The stager's tape reads run on the drive thread of its mount, and its cancellation token reaches the drive.</summary>
public sealed class StagerDriveThreadTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Recall_reads_run_on_the_drive_thread_of_the_mount(bool whole)
    {
        var recorder = new DriveRecorder();
        await using TapeHsmWorld world = await PurgedWorldAsync(recorder);
        int[] wanted = [1, 4, 13, 17];
        foreach (int n in wanted)
        {
            Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(world.Catalog, world.Files[n].FileId));
        }

        StageReport report = await world.NewStager(readAheadFraction: whole ? 0 : 1, wholeReadBelowBytes: 0).RunOnceAsync();

        Assert.Equal(wanted.Length, report.FilesStaged);
        Assert.Contains(report.Explanation, e => e.Contains(whole ? "whole read" : "positioned reads", StringComparison.Ordinal));
        Assert.All(wanted, n => Assert.True(world.CachedIntact(n), $"file {n} is not in the cache intact"));
        IReadOnlyList<DriveCall> calls = recorder.Calls;
        Assert.Contains(calls, c => c.Operation == "ReadBlock");
        Assert.All(calls, c => Assert.False(c.ThreadPool, $"{c.Operation} ran on a thread-pool thread"));
        Assert.All(calls, c => Assert.Equal("tape " + c.Device, c.ThreadName));
    }

    [Fact]
    public async Task A_cancelled_recall_stops_reading_at_the_drive_and_publishes_nothing_partial()
    {
        var recorder = new DriveRecorder();
        await using TapeHsmWorld world = await PurgedWorldAsync(recorder, minSize: 600 * 1024, maxSize: 900 * 1024);
        foreach ((long fileId, _) in world.Files)
        {
            Assert.Equal(RecallRequestOutcome.Queued, await RecallCatalog.RequestAsync(world.Catalog, fileId));
        }

        using var cancel = new CancellationTokenSource();
        int reads = 0;
        int callsAfterCancel = 0;
        recorder.BeforeCall = call =>
        {
            if (cancel.IsCancellationRequested && call.Operation != "Dispose")
            {
                callsAfterCancel++;
            }
            else if (call.Operation == "ReadBlock" && ++reads == 8)
            {
                cancel.Cancel();
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await world.NewStager().RunOnceAsync(cancel.Token));

        Assert.Equal(0, callsAfterCancel);
        // The eighth block is read in the middle of a member (each spans three or four blocks): that part file is gone,
        // with the members read before it; no stage copy left behind is anything but a whole, verified member.
        var numbers = world.Files.Select((f, n) => (f.FileId, n)).ToDictionary(x => x.FileId, x => x.n);
        foreach (string part in Directory.EnumerateFiles(world.StageRoot, "*", SearchOption.AllDirectories))
        {
            int n = numbers[long.Parse(Path.GetFileNameWithoutExtension(part).Split('-')[1], System.Globalization.CultureInfo.InvariantCulture)];
            Assert.True(File.ReadAllBytes(part).AsSpan().SequenceEqual(world.Content(n, world.Files[n].Size)), $"{part} is a partial copy");
        }

        for (int n = 0; n < world.Files.Count; n++)
        {
            FileRecord file = await world.FileAsync(world.Files[n].FileId);
            Assert.True(!File.Exists(Path.Combine(world.CacheRoot, file.CachePath)) || world.CachedIntact(n), $"file {n} is in the cache but not intact");
        }
    }

    private static async Task<TapeHsmWorld> PurgedWorldAsync(DriveRecorder recorder, int minSize = 1024, int maxSize = 300 * 1024)
    {
        TapeHsmWorld world = await TapeHsmWorld.CreateAsync(workers: recorder.Workers);
        await world.IngestAsync(20, minSize, maxSize);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(20, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        recorder.Clear();
        return world;
    }
}
