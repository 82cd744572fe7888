using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Tests.Devices.Virtual;

namespace TapeKit.Tests.Devices;

/// <summary>The front end's algorithms (spec/tape-devices.md §3.4) over the managed st model.</summary>
public sealed class StTapeDriveTests
{
    [Fact]
    public void Reads_surface_filemark_end_of_data_then_an_end_of_data_error()
    {
        using var rig = new StRig();
        using var drive = rig.Drive.OpenHandle();
        drive.WriteBlock(new byte[100]);
        drive.WriteFilemarks(1);
        drive.Rewind();
        var buffer = new byte[1024];
        Assert.Equal(new TapeReadResult(TapeReadKind.Data, 100), drive.ReadBlock(buffer));
        Assert.Equal(new TapeReadResult(TapeReadKind.Filemark, 0), drive.ReadBlock(buffer));
        Assert.Equal(new TapeReadResult(TapeReadKind.EndOfData, 0), drive.ReadBlock(buffer));
        var e = Assert.Throws<TapeDriveException>(() => drive.ReadBlock(buffer));
        Assert.Equal(TapeErrorKind.EndOfData, e.Kind);
        Assert.Equal(5, e.Errno);
        Assert.Contains("vdrive0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reading_right_after_a_write_is_refused_before_any_system_call()
    {
        using var rig = new StRig();
        using var drive = rig.Drive.OpenHandle();
        drive.WriteBlock(new byte[10]);
        Assert.Throws<InvalidOperationException>(() => drive.ReadBlock(new byte[10]));
        Assert.Throws<ArgumentException>(() => drive.WriteBlock([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => drive.SpaceBlocks(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => drive.SpaceFilemarks(0x800000));
        Assert.Throws<ArgumentOutOfRangeException>(() => drive.Locate(-1));
    }

    [Fact]
    public void Early_warning_is_retried_once_then_physical_end_is_thrown()
    {
        using var rig = new StRig(capacity: 10_000, earlyWarningDistance: 3_000);
        using var drive = rig.Drive.OpenHandle();
        var block = new byte[1000];
        var statuses = new List<TapeWriteStatus>();
        void WriteUntilFull()
        {
            for (int i = 0; i < 100; i++)
            {
                statuses.Add(drive.WriteBlock(block));
            }
        }

        var e = Assert.Throws<TapeDriveException>(WriteUntilFull);
        Assert.Equal(TapeErrorKind.EndOfMedium, e.Kind);
        Assert.Equal(EndOfMediumKind.Physical, e.EndOfMedium);
        Assert.Equal(10, statuses.Count);
        Assert.Equal(8, statuses.Count(s => s == TapeWriteStatus.Written));
        Assert.Equal(TapeWriteStatus.WrittenPastEarlyWarning, drive.WriteFilemarks(1));
    }

    [Fact]
    public void Without_the_retry_early_warning_is_thrown_and_nothing_is_written()
    {
        using var rig = new StRig(capacity: 10_000, earlyWarningDistance: 3_000);
        using var drive = rig.Drive.OpenHandle(new TapeOpenOptions { RetryAfterEarlyWarning = false });
        for (int i = 0; i < 8; i++)
        {
            drive.WriteBlock(new byte[1000]);
        }

        var e = Assert.Throws<TapeDriveException>(() => drive.WriteBlock(new byte[1000]));
        Assert.Equal(EndOfMediumKind.EarlyWarning, e.EndOfMedium);
        Assert.Equal(8, drive.ReadPosition());
    }

    [Fact]
    public void Space_errors_are_classified_by_status()
    {
        using var rig = new StRig();
        using var drive = rig.Drive.OpenHandle();
        drive.WriteBlock(new byte[10]);
        drive.WriteBlock(new byte[10]);
        drive.WriteFilemarks(1);
        drive.WriteBlock(new byte[10]);
        drive.Synchronize();
        drive.Rewind();
        Assert.Equal(TapeErrorKind.Filemark, Assert.Throws<TapeDriveException>(() => drive.SpaceBlocks(5)).Kind);
        Assert.Equal(TapeErrorKind.Filemark, Assert.Throws<TapeDriveException>(() => drive.SpaceBlocks(-1)).Kind);
        Assert.Equal(TapeErrorKind.MediaError, Assert.Throws<TapeDriveException>(() => drive.SpaceBlocks(-5)).Kind); // st's block arithmetic from an unknown block number hides BOT (T16)
        drive.Rewind();
        drive.SpaceBlocks(1);
        Assert.Equal(TapeErrorKind.BeginningOfMedium, Assert.Throws<TapeDriveException>(() => drive.SpaceBlocks(-5)).Kind);
        Assert.Equal(TapeErrorKind.EndOfData, Assert.Throws<TapeDriveException>(() => drive.SpaceFilemarks(3)).Kind);
        var ex = Assert.Throws<TapeDriveException>(() => drive.Locate(99));
        Assert.Equal(TapeErrorKind.EndOfData, ex.Kind);
        Assert.Equal(4, drive.ReadPosition());
        drive.Rewind();
        drive.SpaceFilemarks(1);
        drive.MoveToStartOfFile(2); // §3.4.7: reaching BOT from file 1 with n = 2 is the start of file 0
        Assert.Equal(0, drive.ReadPosition());
    }

    [Fact]
    public void Position_lost_after_power_loss_until_rewind()
    {
        using var rig = new StRig();
        using var drive = rig.Drive.OpenHandle();
        drive.WriteBlock(new byte[10]);
        drive.WriteFilemarks(1);
        drive.WriteBlock(new byte[10]);
        rig.Drive.PowerLoss();
        Assert.Equal(TapeErrorKind.PositionLost, Assert.Throws<TapeDriveException>(() => drive.SpaceFilemarks(1)).Kind);
        Assert.Equal(TapeErrorKind.PositionLost, Assert.Throws<TapeDriveException>(() => drive.ReadPosition()).Kind);
        drive.Rewind();
        drive.SeekEndOfData();
        Assert.Equal(2, drive.ReadPosition());
    }

    [Fact]
    public void No_logical_positioning_without_scsi2logical_and_no_mtseek_is_issued()
    {
        using var rig = new StRig(new VirtualDriveOptions());
        using var drive = rig.Drive.OpenHandle();
        Assert.False(drive.Capabilities.LogicalPositioning);
        drive.WriteBlock(new byte[10]);
        var e = Assert.Throws<TapeDriveException>(() => drive.Locate(0));
        Assert.Equal(TapeErrorKind.NotSupported, e.Kind);
        Assert.Contains("scsi2logical", e.Message, StringComparison.Ordinal);
        drive.Dispose();
        using var again = rig.Drive.OpenHandle();
        Assert.Equal(1, again.GetStatus().FileNumber); // the close-time filemark was written: MTSEEK was never issued
    }

    [Fact]
    public void Write_protection_and_busy_are_typed()
    {
        using var rig = new StRig(writeProtected: true);
        var e = Assert.Throws<TapeDriveException>(() => rig.Drive.OpenHandle());
        Assert.Equal(TapeErrorKind.WriteProtected, e.Kind);
        using var ro = rig.Drive.OpenHandle(new TapeOpenOptions { ReadOnly = true });
        Assert.True(ro.GetStatus().WriteProtected);
        Assert.Equal(TapeErrorKind.Busy, Assert.Throws<TapeDriveException>(() => rig.Drive.OpenHandle(new TapeOpenOptions { ReadOnly = true })).Kind);
        Assert.Equal(TapeErrorKind.WriteProtected, Assert.Throws<TapeDriveException>(() => ro.WriteBlock(new byte[1])).Kind);
    }

    [Fact]
    public void Nowait_eof_drives_refuse_synchronising_calls_unless_allowed()
    {
        using var rig = new StRig(VirtualTapeDrive.DefaultOptions with { NowaitEof = true });
        using (var drive = rig.Drive.OpenHandle())
        {
            Assert.False(drive.Capabilities.SynchronousFilemarks);
            Assert.Equal(TapeErrorKind.NotSupported, Assert.Throws<TapeDriveException>(() => drive.Synchronize()).Kind);
            drive.WriteFilemarks(1, immediate: true);
        }

        using var unsafeDrive = rig.Drive.OpenHandle(new TapeOpenOptions { AllowUnsafeFilemarks = true });
        unsafeDrive.Synchronize();
    }

    [Fact]
    public void Status_maps_the_bits_and_block_too_large_carries_the_recipe()
    {
        using var rig = new StRig();
        using var drive = rig.Drive.OpenHandle();
        var s = drive.GetStatus();
        Assert.True(s.Online && s.AtBeginningOfTape && !s.NoMedium);
        Assert.Equal(0, s.FileNumber);
        Assert.Equal(0x60, s.DensityCode);
        drive.WriteBlock(new byte[500]);
        drive.Rewind();
        var e = Assert.Throws<TapeDriveException>(() => drive.ReadBlock(new byte[100]));
        Assert.Equal(TapeErrorKind.BlockTooLarge, e.Kind);
        drive.SpaceBlocks(-1);
        Assert.Equal(500, drive.ReadBlock(new byte[1000]).Length);
    }

    [Fact]
    public void Load_after_use_rewinds_so_a_tape_at_end_of_data_reads_again()
    {
        using var rig = new StRig();
        using var drive = rig.Drive.OpenHandle();
        drive.WriteBlock(new byte[10]);
        drive.WriteFilemarks(1);
        drive.SeekEndOfData();
        drive.Load();
        Assert.Equal(10, drive.ReadBlock(new byte[10]).Length);
        drive.Unload();
        Assert.True(drive.GetStatus().NoMedium);
        Assert.Equal(TapeErrorKind.NoMedium, Assert.Throws<TapeDriveException>(() => drive.Rewind()).Kind);
        drive.Load();
        Assert.True(drive.GetStatus().AtBeginningOfTape);
    }

    [Fact]
    public async Task Worker_runs_drive_calls_on_its_own_thread_in_order()
    {
        using var rig = new StRig();
        await using var worker = new TapeDriveWorker(rig.Drive.OpenHandle());
        int caller = Environment.CurrentManagedThreadId;
        int driveThread = await worker.InvokeAsync(d =>
        {
            d.WriteBlock(new byte[10]);
            return Environment.CurrentManagedThreadId;
        });
        Assert.NotEqual(caller, driveThread);
        long position = await worker.InvokeAsync(d => d.ReadPosition());
        Assert.Equal(1, position);
        var failure = worker.InvokeAsync(d => d.ReadBlock(new byte[10]));
        await Assert.ThrowsAsync<InvalidOperationException>(() => failure);
    }

    [Fact]
    public async Task Worker_cancels_queued_commands_that_have_not_started()
    {
        using var rig = new StRig();
        await using var worker = new TapeDriveWorker(rig.Drive.OpenHandle());
        using var gate = new ManualResetEventSlim();
        var blocker = worker.InvokeAsync(d =>
        {
            gate.Wait();
            return d.ReadPosition();
        });
        using var cancel = new CancellationTokenSource();
        var queued = worker.InvokeAsync(d => d.WriteBlock(new byte[10]), cancel.Token);
        cancel.Cancel();
        gate.Set();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        Assert.Equal(0, await blocker);
        Assert.Equal(0, await worker.InvokeAsync(d => d.ReadPosition()));
    }
}

/// <summary>Hot paths do not allocate per block (the quality bar of the devices layer).</summary>
public sealed class HotPathAllocationTests
{
    [Fact]
    public void Writing_and_reading_blocks_on_the_virtual_drive_allocates_nothing_per_block()
    {
        using var rig = new StRig(capacity: 1L << 32);
        using var drive = rig.Drive.OpenHandle();
        var block = new byte[4096];
        for (int i = 0; i < 2000; i++)
        {
            drive.WriteBlock(block);
        }

        // The least of three rounds: an allocation per block shows in every round (1 000 bytes at least), while a
        // one-off of the runtime on this thread (tiered compilation starting its background worker on a busy
        // machine) lands in one round only.
        long writing = long.MaxValue, reading = long.MaxValue;
        for (int round = 0; round < 3; round++)
        {
            drive.Rewind();
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                drive.WriteBlock(block);
            }

            writing = Math.Min(writing, GC.GetAllocatedBytesForCurrentThread() - before);
            drive.Rewind();
            before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 1000; i++)
            {
                drive.ReadBlock(block);
            }

            reading = Math.Min(reading, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.True(writing < 1000, $"1000 writes allocated {writing} bytes");
        Assert.True(reading < 1000, $"1000 reads allocated {reading} bytes");
    }
}
