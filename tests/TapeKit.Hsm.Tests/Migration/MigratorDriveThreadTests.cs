using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;
using TapeKit.Layout;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>
/// The migrator's tape I/O runs on one dedicated thread per mounted drive (spec/tape-devices.md §3.5), awaited by the
/// async session; the session's cancellation token reaches the drive.
/// </summary>
public sealed class MigratorDriveThreadTests
{
    private const int DataBlock = 256 * 1024;

    [Fact]
    public async Task Every_drive_call_of_a_migration_runs_on_the_drive_thread_of_its_mount_never_on_the_thread_pool()
    {
        var recorder = new DriveRecorder();
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(workers: recorder.Workers);
        await world.IngestAsync(25);
        await world.FlushAsync();
        recorder.Clear();

        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        IReadOnlyList<DriveCall> calls = recorder.Calls;
        Assert.Contains(calls, c => c.Operation == "WriteBlock" && c.Length == DataBlock);
        Assert.Contains(calls, c => c.Operation == "Synchronize" || c.Operation == "WriteFilemarks");
        Assert.All(calls, c => Assert.False(c.ThreadPool, $"{c.Operation} ran on a thread-pool thread"));
        Assert.All(calls, c => Assert.Equal("tape " + c.Device, c.ThreadName));
        Assert.DoesNotContain(calls, c => c.ThreadId == Environment.CurrentManagedThreadId);
    }

    [Fact]
    public async Task Two_pools_write_on_two_drive_threads_at_the_same_time()
    {
        var recorder = new DriveRecorder();
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(twoPools: true, workers: recorder.Workers);
        await world.IngestAsync(20);
        await world.IngestAsync(15, storageGroup: "sg-b");
        await world.FlushAsync();
        recorder.Clear(); // The prelabels of the set-up had mounts (and drive threads) of their own.

        // Each drive thread, at its first data block, waits for the other drive's thread to reach its own first data
        // block: both get there only if the two sessions stream at the same time, each on its own drive's thread.
        using var bothStreaming = new Barrier(2);
        var met = new System.Collections.Concurrent.ConcurrentDictionary<string, bool>();
        recorder.BeforeCall = call =>
        {
            if (call.Operation == "WriteBlock" && call.Length == DataBlock && met.TryAdd(call.Device, false))
            {
                met[call.Device] = bothStreaming.SignalAndWait(TimeSpan.FromSeconds(20));
            }
        };

        Assert.Equal(4, await world.Migrator.RunOnceAsync());
        await world.PumpAsync();

        Assert.Equal(2, met.Count);
        Assert.All(met, m => Assert.True(m.Value, $"{m.Key} streamed alone: the other drive was not writing meanwhile"));
        var threads = recorder.Calls.Where(c => c.Operation == "WriteBlock").GroupBy(c => c.Device).ToDictionary(g => g.Key, g => g.Select(c => c.ThreadId).Distinct().ToList());
        Assert.Equal(2, threads.Count);
        Assert.NotEqual(Assert.Single(threads.First().Value), Assert.Single(threads.Last().Value));
        await world.AssertArchivedExactlyOnceAsync();
        Assert.All(world.Migrator.Sessions, s => Assert.Null(s.Failure));
    }

    [Fact]
    public async Task A_cancelled_session_stops_at_the_drive_between_blocks_and_the_next_session_overwrites_what_it_left()
    {
        var recorder = new DriveRecorder();
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(workers: recorder.Workers);
        await world.IngestAsync(10, minSize: 1 << 20, maxSize: 2 << 20); // One list, one aggregation of ~40-80 blocks.
        await world.FlushAsync();

        using var cancel = new CancellationTokenSource();
        int dataBlocks = 0;
        int callsAfterCancel = 0;
        recorder.BeforeCall = call =>
        {
            if (cancel.IsCancellationRequested && call.Operation != "Dispose")
            {
                callsAfterCancel++; // Only the handle's close may follow the cancellation.
            }
            else if (call.Operation == "WriteBlock" && call.Length == DataBlock && ++dataBlocks == 5)
            {
                cancel.Cancel(); // The host shuts down while the fifth data block is being written.
            }
        };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await world.Migrator.RunOnceAsync(cancel.Token));

        Assert.Equal(0, callsAfterCancel);
        Assert.Equal(5, dataBlocks);
        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Archived));
        Assert.Equal(0, (await world.TapeAsync("T00001")).LastFseq);
        AggregationRecord torn = Assert.Single(await world.AggregationsAsync()).Aggregation;
        Assert.True(torn.IsInFlight, $"the stopped write is {torn.State}");
        Assert.Equal(1, torn.TapeFile?.Fseq);

        // As after a crash: a new migrator, once the leases are over, overwrites the torn tape file (F11.3).
        recorder.BeforeCall = null;
        world.NewMigrator();
        world.Time.Advance(TimeSpan.FromHours(2));
        await world.ArchiveAllAsync();

        await world.AssertArchivedExactlyOnceAsync();
        TapeRecord tape = await world.TapeAsync("T00001");
        Assert.Equal((TapeState.Filling, 1), (tape.State, tape.LastFseq));
        TapeFileInfo only = Assert.Single(await world.ScanTapeAsync("T00001"));
        Assert.Equal(10, only.Members.Count);
    }
}
