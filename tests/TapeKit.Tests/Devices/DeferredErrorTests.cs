using TapeKit.Devices;
using TapeKit.Devices.St;
using TapeKit.Tests.Devices.Virtual;

namespace TapeKit.Tests.Devices;

/// <summary>
/// The front end's handling of st's asynchronous error reporting (spec/tape-devices.md §3.4.6, T29),
/// against a driver that reports a write's outcome on the next call the way real st does.
/// </summary>
public sealed class DeferredErrorTests
{
    /// <summary>The managed model plus one deferred outcome delivered by the next call after a write.</summary>
    private sealed class Deferring(IStSyscalls inner) : IStSyscalls
    {
        public int Pending { get; set; }

        public int IoctlsIssued { get; private set; }

        public bool CloseReportsEarlyWarning { get; set; }

        public StResult Open(string path, int flags) => inner.Open(path, flags);

        public StResult Close(int fd)
        {
            var r = inner.Close(fd);
            return CloseReportsEarlyWarning && !r.Failed ? StResult.Fail(Errno.ENOSPC) : r;
        }

        public StResult Read(int fd, Span<byte> buffer) => inner.Read(fd, buffer);

        public StResult Write(int fd, ReadOnlySpan<byte> data) => Take() is int e ? StResult.Fail(e) : inner.Write(fd, data);

        public StResult MtOp(int fd, short op, int count)
        {
            IoctlsIssued++;
            return Take() is int e ? StResult.Fail(e) : inner.MtOp(fd, op, count);
        }

        public StResult MtGet(int fd, out MtGet status) => inner.MtGet(fd, out status);

        public StResult MtPos(int fd, out long position) => inner.MtPos(fd, out position);

        public string? ReadAttribute(string devicePath, string attribute) => inner.ReadAttribute(devicePath, attribute);

        private int? Take()
        {
            int e = Pending;
            Pending = 0;
            return e == 0 ? null : e;
        }
    }

    [Fact]
    public void A_deferred_early_warning_on_an_ioctl_marks_the_handle_and_repeats_the_call_once()
    {
        using var rig = new StRig();
        var sys = new Deferring(rig.Drive.Model);
        using var drive = StTapeDrive.Open(sys, "/dev/nst0", "deferred", null);
        Assert.True(drive.Capabilities.DeferredWriteErrors);
        drive.WriteBlock(new byte[10]);
        sys.Pending = Errno.ENOSPC;
        int before = sys.IoctlsIssued;
        drive.SpaceBlocks(-1); // MTBSR: first attempt reports the earlier write's early warning, the repeat is performed
        Assert.Equal(2, sys.IoctlsIssued - before);
        Assert.Equal(0, drive.ReadPosition());
    }

    [Fact]
    public void An_eio_right_after_a_write_may_concern_that_write()
    {
        using var rig = new StRig();
        var sys = new Deferring(rig.Drive.Model);
        using var drive = StTapeDrive.Open(sys, "/dev/nst0", "deferred", null);
        drive.WriteBlock(new byte[10]);
        sys.Pending = Errno.EIO;
        var e = Assert.Throws<TapeDriveException>(() => drive.WriteFilemarks(1));
        Assert.True(e.MayConcernEarlierWrite);
        Assert.Equal(TapeErrorKind.MediaError, e.Kind);
        drive.Rewind();
        sys.Pending = Errno.EIO;
        Assert.False(Assert.Throws<TapeDriveException>(() => drive.SpaceFilemarks(1)).MayConcernEarlierWrite);
    }

    [Fact]
    public void Enospc_from_close_is_the_close_time_filemark_past_early_warning_and_not_an_error()
    {
        using var rig = new StRig();
        var sys = new Deferring(rig.Drive.Model) { CloseReportsEarlyWarning = true };
        var drive = StTapeDrive.Open(sys, "/dev/nst0", "deferred", null);
        drive.WriteBlock(new byte[10]);
        drive.Dispose();
        using var again = rig.Drive.OpenHandle();
        Assert.Equal(1, again.GetStatus().FileNumber);
    }
}
