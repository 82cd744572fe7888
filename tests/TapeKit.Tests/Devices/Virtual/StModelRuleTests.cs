using TapeKit.Devices.St;
using TapeKit.Devices.Virtual;
using static TapeKit.Devices.St.MtOpCode;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>One test (or more) per behaviour rule T1–T30 of spec/tape-devices.md §2, at the st system-call level.</summary>
public sealed class StModelRuleTests
{
    private static readonly StResult Ok0 = StResult.Ok(0);

    [Fact]
    public void T01_second_open_is_busy_and_state_survives_close()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        Assert.Equal(StResult.Fail(Errno.EBUSY), rig.Sys.Open("/dev/st0", StRig.Rdonly));
        rig.Layout(fd, 10, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTFSR, 0));
        Assert.Equal(Ok0, rig.Op(fd, MTREW));
        Assert.Equal(Ok0, rig.Op(fd, MTFSR, 1));
        Assert.Equal(Ok0, rig.Sys.Close(fd));
        fd = rig.Open();
        Assert.Equal((0, 1), rig.Where(fd));
        Assert.Equal(1, rig.Pos(fd));
    }

    [Fact]
    public void T02_open_outcomes_no_drive_mode_nodes_no_medium_and_write_protect()
    {
        using var rig = new StRig(writeProtected: true);
        Assert.Equal(StResult.Fail(Errno.ENXIO), rig.Sys.Open("/dev/nst1", StRig.Rdwr));
        Assert.Equal(StResult.Fail(Errno.ENXIO), rig.Sys.Open("/dev/nst0l", StRig.Rdwr));
        Assert.Equal(StResult.Fail(Errno.EROFS), rig.Sys.Open("/dev/nst0", StRig.Rdwr));
        int fd = rig.Open(StRig.Rdonly);
        Assert.True((rig.Get(fd).GeneralStatus & Gmt.WR_PROT) != 0);
        rig.Sys.Close(fd);

        using var empty = new StRig(empty: true);
        long before = empty.Drive.Clock.Nanoseconds;
        Assert.Equal(StResult.Fail(Errno.ENOMEDIUM), empty.Sys.Open("/dev/nst0", StRig.Rdwr));
        Assert.Equal(120_000_000_000L, empty.Drive.Clock.Nanoseconds - before);
        fd = empty.Open(StRig.Rdwr | StRig.NonBlock);
        var m = empty.Get(fd);
        Assert.Equal(Gmt.DR_OPEN | Gmt.IM_REP_EN, m.GeneralStatus);
        Assert.Equal((-1, -1), (m.FileNo, m.BlkNo));
        Assert.Equal(StResult.Fail(Errno.ENOMEDIUM), empty.Read(fd, 10, out _));
        Assert.Equal(StResult.Fail(Errno.EIO), empty.Op(fd, MTSEEK, 0));
        Assert.Equal(Ok0, empty.Op(fd, MTLOCK));
        Assert.Equal(StResult.Fail(Errno.EIO), empty.Sys.MtPos(fd, out _));

        // P4: a cartridge inserted later is not noticed until MTLOAD.
        empty.Drive.InsertCartridge(empty.CartridgePath);
        Assert.Equal(StResult.Fail(Errno.ENOMEDIUM), empty.Write(fd, 10));
        Assert.Equal(Ok0, empty.Op(fd, MTLOAD));
        Assert.Equal(Gmt.BOT | Gmt.ONLINE | Gmt.IM_REP_EN, empty.Get(fd).GeneralStatus);
        Assert.Equal(StResult.Ok(10), empty.Write(fd, 10));
    }

    [Fact]
    public void T03_variable_blocks_limits_and_count_zero()
    {
        using var rig = new StRig(VirtualTapeDrive.DefaultOptions with { MaxBlockLength = 4096 });
        int fd = rig.Open();
        Assert.Equal(Ok0, rig.Write(fd, 0));
        Assert.Equal(StResult.Fail(Errno.EINVAL), rig.Write(fd, 4097));
        Assert.Equal(StResult.Ok(4096), rig.Write(fd, 4096));
        Assert.Equal(StResult.Ok(1), rig.Write(fd, 1));
        Assert.Equal(Ok0, rig.Op(fd, MTREW));
        Assert.Equal(Ok0, rig.Read(fd, 0, out _));
        Assert.Equal(StResult.Fail(Errno.EINVAL), rig.Read(fd, 4097, out _));
        Assert.Equal(StResult.Ok(4096), rig.Read(fd, 4096, out _));
        Assert.Equal(StResult.Ok(1), rig.Read(fd, 4096, out _));
    }

    [Fact]
    public void T04_T05_data_block_short_count_and_block_larger_than_buffer()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 100, 200);
        rig.Op(fd, MTREW);
        Assert.Equal(StResult.Ok(100), rig.Read(fd, 1000, out var data));
        Assert.Equal(StRig.Payload(100, 1), data[..100]);
        Assert.Equal(StResult.Fail(Errno.ENOMEM), rig.Read(fd, 199, out _));
        Assert.Equal((0, 2), rig.Where(fd));
        Assert.Equal(2, rig.Pos(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTBSR, 1));
        Assert.Equal(StResult.Ok(200), rig.Read(fd, 200, out _));
    }

    [Fact]
    public void T06_T07_filemark_then_two_zeros_then_eio_at_end_of_data()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0);
        rig.Op(fd, MTREW);
        Assert.Equal(StResult.Ok(10), rig.Read(fd, 64, out _));
        Assert.Equal(Ok0, rig.Read(fd, 64, out _));
        var m = rig.Get(fd);
        Assert.Equal((1, 0), (m.FileNo, m.BlkNo));
        Assert.True((m.GeneralStatus & Gmt.EOF) != 0);
        Assert.Equal(Ok0, rig.Read(fd, 64, out _));
        m = rig.Get(fd);
        Assert.Equal(-1, m.BlkNo);
        Assert.True((m.GeneralStatus & Gmt.EOD) != 0);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 64, out _));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 64, out _));
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 64, out _));
    }

    [Fact]
    public void T08_blank_tape_and_media_error_leave_the_tape_after_the_failing_block()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 64, out _));
        Assert.Equal((0, -1), rig.Where(fd));
        Assert.Equal(0UL, rig.Get(fd).GeneralStatus & Gmt.EOD);
        rig.Op(fd, MTREW);
        rig.Layout(fd, 10, 20, 30);
        rig.Drive.Arm("media-error read 1 once");
        rig.Op(fd, MTREW);
        Assert.Equal(StResult.Ok(10), rig.Read(fd, 64, out _));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 64, out _));
        Assert.Equal(2, rig.Pos(fd));
        Assert.Equal((0, -1), rig.Where(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTBSR, 1));
        Assert.Equal(StResult.Ok(20), rig.Read(fd, 64, out _));
    }

    [Fact]
    public void T09_a_write_truncates_everything_after_it()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 20, 0, 30);
        rig.Op(fd, MTREW);
        rig.Op(fd, MTFSR, 1);
        Assert.Equal(StResult.Ok(5), rig.Write(fd, 5));
        Assert.Equal(2, rig.Pos(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(2, rig.Pos(fd));
    }

    [Fact]
    public void T10_early_warning_alternates_enospc_and_success_then_physical_end()
    {
        using var rig = new StRig(capacity: 10_000, earlyWarningDistance: 3_000);
        int fd = rig.Open();
        for (int i = 0; i < 7; i++)
        {
            Assert.Equal(StResult.Ok(1000), rig.Write(fd, 1000));
        }

        Assert.Equal(StResult.Ok(1000), rig.Write(fd, 1000)); // crosses EW at 7000: full count
        Assert.True((rig.Get(fd).GeneralStatus & Gmt.EOT) != 0);
        Assert.Equal(StResult.Fail(Errno.ENOSPC), rig.Write(fd, 1000));
        Assert.True((rig.Get(fd).GeneralStatus & Gmt.EOD) != 0);
        Assert.Equal(StResult.Ok(1000), rig.Write(fd, 1000));
        Assert.Equal(StResult.Fail(Errno.ENOSPC), rig.Write(fd, 1000));
        Assert.Equal(StResult.Ok(1000), rig.Write(fd, 1000));
        Assert.Equal(10, rig.Pos(fd));
        Assert.Equal(StResult.Fail(Errno.ENOSPC), rig.Write(fd, 1000));
        Assert.Equal(StResult.Fail(Errno.ENOSPC), rig.Write(fd, 1)); // physical end: nothing fits
        Assert.Equal(StResult.Fail(Errno.ENOSPC), rig.Write(fd, 1));
        Assert.Equal(Ok0, rig.Op(fd, MTWEOF, 1));
        Assert.Equal(11, rig.Pos(fd));
    }

    [Fact]
    public void T11_write_protection_eacces_on_read_only_descriptors_and_tab_on_non_blocking()
    {
        using var rig = new StRig();
        int fd = rig.Open(StRig.Rdonly);
        Assert.Equal(StResult.Fail(Errno.EACCES), rig.Write(fd, 10));
        Assert.Equal(StResult.Fail(Errno.EACCES), rig.Op(fd, MTWEOF, 1));
        Assert.Equal(StResult.Fail(Errno.EACCES), rig.Op(fd, MTERASE, 0));
        Assert.Equal(0UL, rig.Get(fd).GeneralStatus & Gmt.WR_PROT);
        rig.Sys.Close(fd);

        using var wp = new StRig(writeProtected: true);
        fd = wp.Open(StRig.Rdwr | StRig.NonBlock);
        Assert.Equal(StResult.Fail(Errno.EACCES), wp.Write(fd, 10));
        Assert.True((wp.Get(fd).GeneralStatus & Gmt.WR_PROT) != 0);
    }

    [Fact]
    public void T12_close_after_writing_writes_one_filemark_but_not_after_a_read_or_weof()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10);
        Assert.Equal(Ok0, rig.Sys.Close(fd));
        fd = rig.Open();
        var m = rig.Get(fd);
        Assert.Equal((1, 0), (m.FileNo, m.BlkNo));
        Assert.Equal(2, rig.Pos(fd));
        rig.Layout(fd, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTWEOFI, 0));
        rig.Sys.Close(fd);
        fd = rig.Open();
        Assert.Equal(3, rig.Pos(fd));

        // /dev/st0 rewinds at close.
        rig.Sys.Close(fd);
        fd = rig.Open(StRig.Rdwr, "/dev/st0");
        rig.Layout(fd, 10);
        rig.Sys.Close(fd);
        fd = rig.Open();
        Assert.Equal(0, rig.Pos(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(5, rig.Pos(fd));
    }

    [Fact]
    public void T13_repositioning_after_a_write_writes_a_filemark_first()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTBSF, 1)); // a filemark ends file 1, then MTBSF 2: the end of file 0
        Assert.Equal((0, -1), rig.Where(fd));
        Assert.Equal(1, rig.Pos(fd));
        rig.Op(fd, MTEOM);
        Assert.Equal(4, rig.Pos(fd));

        rig.Layout(fd, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTFSR, 0));
        rig.Op(fd, MTREW);
        rig.Op(fd, MTEOM);
        Assert.Equal(5, rig.Pos(fd)); // MTFSR cancelled the automatic filemark
    }

    [Fact]
    public void T14_space_filemarks_forward_and_backward_with_early_stops()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10, 10, 0, 10);
        rig.Op(fd, MTWEOF, 0); // ends the write without a filemark (rw := IDLE)
        rig.Op(fd, MTREW);
        Assert.Equal(Ok0, rig.Op(fd, MTFSF, 2));
        Assert.Equal((2, 0), rig.Where(fd));
        Assert.Equal(5, rig.Pos(fd));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTFSF, 1));
        var m = rig.Get(fd);
        Assert.Equal((2, -1), (m.FileNo, m.BlkNo));
        Assert.True((m.GeneralStatus & Gmt.EOD) != 0);
        Assert.Equal(Ok0, rig.Op(fd, MTBSF, 1));
        Assert.Equal((1, -1), rig.Where(fd));
        Assert.Equal(4, rig.Pos(fd));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTBSF, 5));
        m = rig.Get(fd);
        Assert.Equal((0, 0), (m.FileNo, m.BlkNo));
        Assert.True((m.GeneralStatus & Gmt.BOT) != 0);
    }

    [Fact]
    public void T15_move_to_end_and_start_of_file()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10, 10, 0, 10);
        rig.Op(fd, MTREW);
        Assert.Equal(Ok0, rig.Op(fd, MTFSFM, 2));
        Assert.Equal((1, -1), rig.Where(fd));
        Assert.Equal(4, rig.Pos(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTBSFM, 1));
        Assert.Equal((1, 0), rig.Where(fd));
        Assert.Equal(2, rig.Pos(fd));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTBSFM, 2));
        Assert.Equal((0, 0), rig.Where(fd));
    }

    [Fact]
    public void T16_space_blocks_stops_at_filemarks_eod_and_bot()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 10, 0, 10);
        rig.Op(fd, MTWEOF, 0);
        rig.Op(fd, MTREW);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTFSR, 5));
        Assert.Equal((1, 0), rig.Where(fd));
        Assert.Equal(3, rig.Pos(fd));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTBSR, 1));
        Assert.Equal((0, -1), rig.Where(fd));
        Assert.Equal(2, rig.Pos(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTBSR, 1));
        Assert.Equal((0, -1), rig.Where(fd)); // an unknown block number stays unknown (T22)
        rig.Op(fd, MTREW);
        rig.Op(fd, MTFSF, 1);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTFSR, 3));
        var m = rig.Get(fd);
        Assert.Equal((1, 1), (m.FileNo, m.BlkNo));
        Assert.True((m.GeneralStatus & Gmt.EOD) != 0);
        rig.Op(fd, MTREW);
        rig.Op(fd, MTFSR, 1);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTBSR, 3));
        Assert.Equal((0, 0), rig.Where(fd));
    }

    [Fact]
    public void T16_backward_block_space_over_a_filemark_decrements_an_unknown_file_number()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTSEEK, 2));
        Assert.Equal((-1, -1), rig.Where(fd));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTBSR, 1));
        Assert.Equal((-2, -1), rig.Where(fd));
    }

    [Fact]
    public void T17_mteom_counts_files_and_fast_mode_loses_them()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10, 0, 10);
        rig.Op(fd, MTREW);
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        var m = rig.Get(fd);
        Assert.Equal((3, -1), (m.FileNo, m.BlkNo)); // two filemarks written, one added by MTREW (T13)
        Assert.True((m.GeneralStatus & Gmt.EOD) != 0);
        Assert.Equal(StResult.Ok(5), rig.Write(fd, 5));

        using var fast = new StRig(VirtualTapeDrive.DefaultOptions with { FastMteom = true });
        fd = fast.Open();
        fast.Layout(fd, 10, 0);
        fast.Op(fd, MTREW);
        fast.Op(fd, MTEOM);
        Assert.Equal((-1, -1), fast.Where(fd));
    }

    [Fact]
    public void T18_offline_keeps_stale_numbers_and_load_of_the_same_cartridge_keeps_state()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10);
        rig.Op(fd, MTREW);
        rig.Op(fd, MTEOM);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 10, out _));
        Assert.Equal(Ok0, rig.Op(fd, MTLOAD)); // same cartridge: st keeps eof = EOD (P16)
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 10, out _));
        Assert.Equal(0, rig.Pos(fd));
        rig.Op(fd, MTFSF, 1);
        Assert.Equal(Ok0, rig.Op(fd, MTOFFL));
        var m = rig.Get(fd);
        Assert.Equal((1, 0), (m.FileNo, m.BlkNo));
        Assert.Equal(Gmt.DR_OPEN | Gmt.IM_REP_EN | Gmt.EOF, m.GeneralStatus);
        Assert.Equal(StResult.Fail(Errno.ENOMEDIUM), rig.Read(fd, 10, out _));
        Assert.Equal(Ok0, rig.Op(fd, MTLOAD)); // ejected cartridge: a new session
        Assert.Equal((0, 0), rig.Where(fd));
        rig.Drive.RemoveCartridge();
        rig.Sys.Close(fd);
        fd = rig.Open(StRig.Rdwr | StRig.NonBlock);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTLOAD));
        Assert.Equal((-1, -1), rig.Where(fd));
    }

    [Fact]
    public void T19_logical_object_identifiers_count_filemarks_and_need_scsi2logical()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 10, 10, 0, 10);
        rig.Op(fd, MTREW);
        rig.Op(fd, MTFSF, 1);
        Assert.Equal(4, rig.Pos(fd));
        Assert.Equal((1, 0), rig.Where(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTSEEK, 2));
        Assert.Equal((-1, -1), rig.Where(fd));
        Assert.Equal(StResult.Ok(10), rig.Read(fd, 10, out _));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTSEEK, 9));
        Assert.Equal(6, rig.Pos(fd)); // MTREW after the writes added a filemark (T13): EOD is 6
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 10, out _));
        Assert.Equal(Ok0, rig.Op(fd, MTSEEK, 0));
        Assert.Equal((0, 0), rig.Where(fd));

        using var plain = new StRig(new VirtualDriveOptions());
        fd = plain.Open();
        plain.Layout(fd, 10);
        Assert.Equal(StResult.Fail(Errno.EIO), plain.Sys.MtPos(fd, out _));
        Assert.Equal(StResult.Fail(Errno.EIO), plain.Op(fd, MTSEEK, 0));
        Assert.Equal((-1, -1), plain.Where(fd));
        plain.Op(fd, MTREW);
        Assert.Equal(Ok0, plain.Op(fd, MTEOM));
        Assert.Equal((1, -1), plain.Where(fd)); // the automatic filemark was written before MTSEEK failed
    }

    [Fact]
    public void T20_weof_zero_synchronises_and_zeroes_the_block_number_and_weofi_is_not_a_sync_point()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTWEOF, 0));
        Assert.Equal((0, 0), rig.Where(fd));
        Assert.Equal(Ok0, rig.Write(fd, 0));
        rig.Layout(fd, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTWEOFI, 2));
        Assert.Equal((2, 0), rig.Where(fd));
        rig.Drive.PowerLoss();
        Assert.Equal(Ok0, rig.Op(fd, MTREW));
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(2, rig.Pos(fd));
    }

    [Fact]
    public void T21_erase_truncates_without_moving()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10, 10);
        rig.Op(fd, MTREW);
        rig.Op(fd, MTFSF, 1);
        Assert.Equal(Ok0, rig.Op(fd, MTERASE, 0));
        Assert.Equal((1, 0), rig.Where(fd));
        Assert.Equal(2, rig.Pos(fd));
        rig.Op(fd, MTEOM);
        Assert.Equal(2, rig.Pos(fd));

        using var legacy = new StRig(VirtualTapeDrive.DefaultOptions with { KernelProfile = KernelProfile.Legacy });
        fd = legacy.Open();
        legacy.Layout(fd, 10, 0, 10);
        legacy.Op(fd, MTBSR, 1);
        legacy.Op(fd, MTERASE, 0);
        Assert.Equal((0, 0), legacy.Where(fd));
        Assert.Equal(2, legacy.Pos(fd));
    }

    [Fact]
    public void T22_unknown_numbers_stay_unknown_until_rewind_seek_zero_or_position_zero()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10, 0);
        rig.Op(fd, MTBSF, 1);
        Assert.Equal((1, -1), rig.Where(fd));
        rig.Op(fd, MTFSR, 0);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTBSR, 2));
        Assert.Equal((0, -1), rig.Where(fd));
        Assert.Equal(Ok0, rig.Op(fd, MTSEEK, 0));
        Assert.Equal((0, 0), rig.Where(fd));
    }

    [Fact]
    public void T23_status_bits_density_and_recovered_errors_cleared_by_reading()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        var m = rig.Get(fd);
        Assert.Equal(0x41010000UL, m.GeneralStatus);
        Assert.Equal(0x72, m.Type.Value);
        Assert.Equal(0x60L << 24, m.DsReg.Value);
        rig.Drive.Arm("recovered-errors 3");
        rig.Drive.Arm("cleaning-request");
        m = rig.Get(fd);
        Assert.Equal(3, m.ErReg.Value);
        Assert.True((m.GeneralStatus & Gmt.CLN) != 0);
        Assert.Equal(0, rig.Get(fd).ErReg.Value);
        Assert.Equal(Ok0, rig.Op(fd, MTSETDENSITY, 0x42));
        Assert.Equal(0x42L << 24, rig.Get(fd).DsReg.Value);
    }

    [Fact]
    public void T24_power_loss_drops_uncommitted_objects_and_loses_the_position()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10, 0, 10, 10);
        rig.Drive.PowerLoss();
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 10, out _));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTFSF, 1));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Sys.MtPos(fd, out _));
        Assert.Equal((-1, -1), rig.Where(fd));
        Assert.Equal("1\n", rig.Sys.ReadAttribute("/dev/nst0", "position_lost_in_reset"));
        Assert.Equal(Ok0, rig.Sys.Close(fd));
        fd = rig.Open();
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Write(fd, 10));
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(2, rig.Pos(fd));
        Assert.Equal("0\n", rig.Sys.ReadAttribute("/dev/nst0", "position_lost_in_reset"));
    }

    [Fact]
    public void T24_reset_after_k_keeps_data_and_legacy_status_fails()
    {
        using var rig = new StRig(VirtualTapeDrive.DefaultOptions with { KernelProfile = KernelProfile.Legacy });
        int fd = rig.Open();
        rig.Drive.Arm("reset after 2");
        rig.Layout(fd, 10, 10);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Sys.MtGet(fd, out _));
        Assert.Null(rig.Sys.ReadAttribute("/dev/nst0", "position_lost_in_reset"));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTLOAD));
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(2, rig.Pos(fd));
    }

    [Fact]
    public void T25_other_operations()
    {
        using var rig = new StRig(VirtualTapeDrive.DefaultOptions with { CompressionSupported = false });
        int fd = rig.Open();
        Assert.Equal(Ok0, rig.Op(fd, MTNOP));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTCOMPRESSION, 1));
        Assert.Equal(StResult.Fail(Errno.EPERM), rig.Op(fd, MTSETDRVBUFFER, 1));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTFSS, 1));
        Assert.Equal(-1, rig.Get(fd).FileNo);
        Assert.Equal(StResult.Fail(Errno.EINVAL), rig.Op(fd, MTSETPART, 1));
        Assert.Equal(StResult.Fail(Errno.ENOSYS), rig.Op(fd, MTTELL, 1));
        Assert.Equal(StResult.Fail(Errno.ENOSYS), rig.Op(fd, 99, 1));
        Assert.Equal(StResult.Fail(Errno.EINVAL), rig.Op(fd, MTSETBLK, 9 * 1024 * 1024));
        Assert.Equal(Ok0, rig.Op(fd, MTSETBLK, 512));
        Assert.Equal(512, rig.Get(fd).DsReg.Value & 0xFFFFFF);
    }

    [Fact]
    public void T27_a_corrupted_payload_reads_as_a_media_error()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 100);
        rig.Sys.Close(fd);
        rig.Drive.RemoveCartridge();
        using (var data = File.OpenWrite(Path.Combine(rig.CartridgePath, "data")))
        {
            data.Position = 50;
            data.WriteByte(0xFF);
        }

        rig.Drive.InsertCartridge(rig.CartridgePath);
        fd = rig.Open();
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Read(fd, 100, out _));
        Assert.Equal(1, rig.Pos(fd)); // after the failing block; the filemark written at close is next
    }

    [Fact]
    public void T28_fixed_block_mode_writes_and_reads_whole_blocks()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        Assert.Equal(Ok0, rig.Op(fd, MTSETBLK, 100));
        Assert.Equal(StResult.Fail(Errno.EINVAL), rig.Write(fd, 150));
        Assert.Equal(StResult.Ok(300), rig.Write(fd, 300));
        Assert.Equal(3, rig.Pos(fd));
        rig.Op(fd, MTWEOF, 1);
        rig.Op(fd, MTREW);
        Assert.Equal(StResult.Ok(200), rig.Read(fd, 200, out _));
        Assert.Equal(StResult.Ok(100), rig.Read(fd, 500, out _));
        Assert.Equal(Ok0, rig.Read(fd, 100, out _));
    }

    [Fact]
    public void T30_sync_points_decide_what_survives_a_power_loss()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Layout(fd, 10);
        rig.Op(fd, MTWEOFI, 1);
        rig.Layout(fd, 10);
        Assert.Equal(Ok0, rig.Op(fd, MTWEOF, 0));
        rig.Layout(fd, 10, 10);
        rig.Op(fd, MTWEOFI, 1);
        rig.Drive.Arm("power-loss after 0");
        rig.Op(fd, MTEOM);
        Assert.Equal(3, rig.Pos(fd));
    }

    [Fact]
    public void Counted_faults_fire_after_k_operations_and_drive_failure_is_sticky()
    {
        using var rig = new StRig();
        int fd = rig.Open();
        rig.Drive.Arm("drive-failure after 2");
        rig.Layout(fd, 10, 10);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Write(fd, 10));
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Op(fd, MTREW));
        Assert.False(rig.Sys.MtGet(fd, out _).Failed);
        rig.Sys.Close(fd);
        Assert.Equal(StResult.Fail(Errno.EIO), rig.Sys.Open("/dev/nst0", StRig.Rdwr));
        rig.Drive.Repair();
        fd = rig.Open();
        Assert.Equal(Ok0, rig.Op(fd, MTEOM));
        Assert.Equal(0, rig.Pos(fd)); // the two blocks were never committed: the buffer died with the drive
    }
}
