using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>Simulated time (spec/tape-devices.md §6): nothing sleeps, every operation costs profile time.</summary>
public sealed class TimingAndClockTests
{
    [Fact]
    public void Writing_streams_at_the_native_rate_and_marks_cost_their_profile_time()
    {
        using var rig = new StRig(capacity: 1L << 40);
        var clock = rig.Drive.Clock;
        using var drive = rig.Drive.OpenHandle();
        long t0 = clock.Nanoseconds;
        var block = new byte[400_000];
        for (int i = 0; i < 10; i++)
        {
            drive.WriteBlock(block);
        }

        Assert.Equal(10_000_000, clock.Nanoseconds - t0); // 4 MB at 400 MB/s
        t0 = clock.Nanoseconds;
        drive.WriteFilemarks(1, immediate: true);
        Assert.Equal(1_000_000, clock.Nanoseconds - t0);
        t0 = clock.Nanoseconds;
        drive.WriteFilemarks(1);
        Assert.Equal(2_500_000_000, clock.Nanoseconds - t0);
        var stats = rig.Drive.Statistics;
        Assert.Equal((10L, 4_000_000L, 2L), (stats.BlocksWritten, stats.BytesWritten, stats.FilemarksWritten));
    }

    [Fact]
    public void A_host_gap_longer_than_the_buffer_costs_a_back_hitch()
    {
        using var rig = new StRig(capacity: 1L << 40);
        var clock = rig.Drive.Clock;
        using var drive = rig.Drive.OpenHandle();
        drive.WriteBlock(new byte[1000]);
        clock.Advance(TimeSpan.FromSeconds(10));
        long t0 = clock.Nanoseconds;
        drive.WriteBlock(new byte[1000]);
        Assert.Equal(2_000_000_000 + 2_500, clock.Nanoseconds - t0);
        Assert.Equal(1, rig.Drive.Statistics.BackHitches);
        Assert.Equal(10_000_000_000, rig.Drive.Statistics.IdleNanoseconds);
    }

    [Fact]
    public void Locates_cost_overhead_plus_distance_and_reading_one_block_reads_only_it()
    {
        using var rig = new StRig(capacity: 18_000_000_000_000);
        using var drive = rig.Drive.OpenHandle();
        var block = new byte[256 * 1024];
        for (int i = 0; i < 100; i++)
        {
            drive.WriteBlock(block);
        }

        drive.Synchronize();
        var before = rig.Drive.Statistics;
        long t0 = rig.Drive.Clock.Nanoseconds;
        drive.Locate(50);
        drive.ReadBlock(block);
        var after = rig.Drive.Statistics;
        Assert.Equal(1, after.BlocksRead - before.BlocksRead);
        Assert.Equal(block.Length, after.BytesRead - before.BytesRead);
        long elapsed = rig.Drive.Clock.Nanoseconds - t0;
        Assert.InRange(elapsed, 2_000_000_000L, 4_100_000_000L); // locate overhead (+ a reversal) + 655 µs of data
    }

    [Fact]
    public void Virtual_clock_timers_fire_in_simulated_time_only()
    {
        var clock = new VirtualClock();
        int fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));
        clock.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(0, fired);
        clock.Advance(TimeSpan.FromSeconds(11));
        Assert.Equal(3, fired);
        Assert.Equal(VirtualClock.Epoch.AddSeconds(15), clock.GetUtcNow());
        Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public void Not_ready_drives_make_blocking_opens_wait_in_simulated_time()
    {
        using var rig = new StRig(empty: true);
        rig.Drive.Arm("not-ready 200");
        rig.Drive.InsertCartridge(rig.CartridgePath);
        long t0 = rig.Drive.Clock.Nanoseconds;
        var e = Assert.Throws<TapeDriveException>(() => rig.Drive.OpenHandle());
        Assert.Equal(TapeErrorKind.DeviceError, e.Kind);
        Assert.Equal(120_000_000_000, rig.Drive.Clock.Nanoseconds - t0);
        using var drive = rig.Drive.OpenHandle();
        Assert.True(drive.GetStatus().Online);
    }
}

/// <summary>Full durability (§4.6): the fdatasync path behaves like the process mode.</summary>
public sealed class FullDurabilityTests
{
    [Fact]
    public void Full_durability_commits_at_sync_points_and_survives_reload()
    {
        using var rig = new StRig(VirtualTapeDrive.DefaultOptions with { Durability = TapeKit.Devices.Virtual.Format.CartridgeDurability.Full });
        using (var drive = rig.Drive.OpenHandle())
        {
            drive.WriteBlock(new byte[100]);
            drive.WriteFilemarks(1);
            drive.WriteBlock(new byte[100]);
            rig.Drive.PowerLoss();
            drive.Rewind();
            drive.SeekEndOfData();
            Assert.Equal(2, drive.ReadPosition());
        }

        rig.Drive.RemoveCartridge();
        Assert.Equal(2, VirtualCartridge.ReadInfo(rig.CartridgePath).ObjectCount);
    }
}
