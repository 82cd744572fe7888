using System.Globalization;
using TapeKit.Devices.St;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// The managed st model (docs/devices/rules.md#behaviour-rules-t1t30): st's system-call surface — open, close, read,
/// write, <c>MTIOCTOP</c>, <c>MTIOCGET</c>, <c>MTIOCPOS</c> and the sysfs attributes — for one
/// drive, over a <see cref="VirtualTransport"/>. It implements rules T1–T28 and T30 exactly as the
/// native emulation does (T29, asynchronous reporting, is not implemented: open point O9). Pure
/// managed code; runs on every OS. Calls are serialised by a per-drive lock, like st's.
/// </summary>
/// <remarks>
/// Choices where the specification leaves room, shared with the native emulation (both models
/// implement them identically, and the differential tests hold them to it):
/// <list type="bullet">
/// <item>Open point O3: after an unrecovered read error the tape is left <em>after</em> the failing block.</item>
/// <item>Open point O4: every <c>close</c> stays a sync point, also after <c>MTWEOFI</c>; power loss drops everything since the last sync point (no "realistic buffer" mode).</item>
/// <item>Open point O9: asynchronous error reporting (T29) is not modelled; <c>async-writes = 1</c> is refused when a configuration is parsed.</item>
/// <item>SPACE and filemark counts outside 0 … 0x7FFFFF fail with <c>EINVAL</c> (st would silently reverse direction, P17; TapeKit's front end never sends them); a count of 0 succeeds without motion or bookkeeping (but, like every non-exempt <c>MTIOCTOP</c>, sets <c>rw := IDLE</c>).</item>
/// <item>docs/devices/virtual-cartridge.md#faults counting: every <c>read</c>/<c>write</c> with a count above 0 and every <c>MTIOCTOP</c> except <c>MTNOP</c> and option-only <c>MTSETDRVBUFFER</c> on a valid descriptor counts, whatever its outcome.</item>
/// <item>A <c>read</c> commits uncommitted objects (a sync point) only when it reaches the drive, i.e. after the block-limit and end-of-data-state checks; a rejected <c>MTSEEK</c> (no <c>scsi2logical</c>) is not a sync point.</item>
/// <item>Filemarks always fit: a filemark is never refused for lack of space (its footprint may pass the physical end).</item>
/// <item>The native emulation has no time: <c>not-ready S</c> is satisfied by a blocking open when S ≤ 120 and never otherwise; this fault stays out of the differential mix.</item>
/// </list>
/// </remarks>
internal sealed partial class VirtualStSyscalls : IStSyscalls
{
    private const long OpenWaitNanoseconds = 120L * 1_000_000_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<int, OpenFile> _files = [];
    private readonly List<(long At, Fault Fault)> _pending = [];
    private readonly VirtualDriveOptions _options;
    private int _nextFd = 3;
    private long _counted;

    public VirtualStSyscalls(int driveNumber, VirtualTransport transport, VirtualDriveOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(driveNumber);
        DriveNumber = driveNumber;
        Transport = transport;
        _options = options;
        State.Options = options.DriverOptions | (options.AsyncWrites ? StOption.ASYNC_WRITES : 0);
        foreach (var fault in options.Faults)
        {
            Arm(fault);
        }
    }

    public int DriveNumber { get; }

    /// <summary>The per-drive lock every system call holds; the drive's owner takes it to change the medium underneath.</summary>
    public Lock Gate => _gate;

    public VirtualTransport Transport { get; }

    public StDriverState State { get; } = new();

    /// <summary>The device path of the no-rewind node, <c>/dev/nstN</c>.</summary>
    public string DevicePath => "/dev/nst" + DriveNumber.ToString(CultureInfo.InvariantCulture);

    /// <summary>Whether a descriptor is open (T1).</summary>
    public bool InUse
    {
        get
        {
            lock (_gate)
            {
                return State.InUse;
            }
        }
    }

    /// <summary>Arms a fault (docs/devices/virtual-cartridge.md#faults); "after K" faults count from now.</summary>
    public void Arm(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            switch (fault.Kind)
            {
                case FaultKind.PowerLoss or FaultKind.Reset or FaultKind.DriveFailure:
                    if (fault.Number == 0)
                    {
                        Fire(fault);
                    }
                    else
                    {
                        _pending.Add((_counted + fault.Number, fault));
                    }

                    break;
                case FaultKind.RecoveredErrors:
                    State.Recovered = (int)Math.Min(fault.Number, 0xFFFF);
                    break;
                case FaultKind.WriteProtect:
                    Transport.SetWriteProtectTab(!fault.Off);
                    break;
                case FaultKind.WrongCartridge or FaultKind.LoadFailure or FaultKind.RobotFailure:
                    throw new ArgumentException($"The fault \"{fault}\" is a library fault; arm it on the library.", nameof(fault));
                default:
                    Transport.Arm(fault);
                    break;
            }
        }
    }

    /// <summary>An immediate power loss (docs/devices/virtual-cartridge.md#faults): uncommitted objects are dropped, the position is lost (T24).</summary>
    public void PowerLoss()
    {
        lock (_gate)
        {
            Fire(new Fault(FaultKind.PowerLoss));
        }
    }

    /// <summary>Clears a drive failure (library <c>RepairDrive</c>).</summary>
    public void Repair()
    {
        lock (_gate)
        {
            Transport.Failed = false;
            _pending.RemoveAll(p => p.Fault.Kind == FaultKind.DriveFailure);
        }
    }

    /// <summary>The medium was taken away underneath an open descriptor (forced unmount): answers as after <c>MTOFFL</c>.</summary>
    public void MediumRemoved()
    {
        lock (_gate)
        {
            State.Ready = StReady.NoTape;
            State.Rw = StRw.Idle;
        }
    }

    public StResult Open(string path, int flags)
    {
        ArgumentNullException.ThrowIfNull(path);
        lock (_gate)
        {
            if (!TryParseDevice(path, out bool rewind))
            {
                return StResult.Fail(Errno.ENXIO);
            }

            if (State.InUse)
            {
                return StResult.Fail(Errno.EBUSY);
            }

            bool nonBlocking = (flags & OpenFlags.O_NONBLOCK) != 0;
            int access = flags & OpenFlags.O_ACCMODE;
            CheckReadiness(blocking: !nonBlocking);
            bool writeProt = access == OpenFlags.O_RDONLY || State.DriveWriteProtect;
            if (!nonBlocking)
            {
                if (State.Ready == StReady.NotReady)
                {
                    return StResult.Fail(Errno.EIO);
                }

                if (State.Ready == StReady.NoTape)
                {
                    return StResult.Fail(Errno.ENOMEDIUM);
                }

                if (State.DriveWriteProtect && access != OpenFlags.O_RDONLY)
                {
                    return StResult.Fail(Errno.EROFS);
                }
            }
            else if (State.Ready != StReady.Ready)
            {
                State.FileNo = State.BlkNo = -1;
                State.BlockSize = 0;
                State.Density = 0;
                writeProt = false;
            }

            State.InUse = true;
            State.Rw = StRw.Idle;
            int fd = _nextFd++;
            _files[fd] = new OpenFile(writeProt, rewind, nonBlocking, access);
            return StResult.Ok(fd);
        }
    }

    public StResult Close(int fd)
    {
        lock (_gate)
        {
            if (!_files.Remove(fd, out var file))
            {
                return StResult.Fail(Errno.EBADF);
            }

            int error = 0;
            if (State.Ready == StReady.Ready && !Transport.Failed && State.Rw == StRw.Writing && !State.PosUnknown)
            {
                error = CloseFilemark();
            }

            if (file.RewindAtClose)
            {
                if (State.Ready == StReady.NoTape)
                {
                    error = error != 0 ? error : Errno.ENOMEDIUM;
                }
                else if (State.Ready != StReady.Ready || Transport.Failed)
                {
                    error = error != 0 ? error : Errno.EIO;
                }
                else
                {
                    Transport.Sync();
                    Transport.Rewind();
                    State.FileNo = State.BlkNo = 0;
                    State.Eof = StEof.NoEof;
                    State.PosUnknown = false;
                }
            }

            if (State.Ready == StReady.Ready && !Transport.Failed)
            {
                Transport.Sync();
            }

            State.Rw = StRw.Idle;
            State.InUse = false;
            return error == 0 ? StResult.Ok() : StResult.Fail(error);
        }
    }

    public string? ReadAttribute(string devicePath, string attribute)
    {
        ArgumentNullException.ThrowIfNull(devicePath);
        lock (_gate)
        {
            if (!TryParseDevice(devicePath, out _))
            {
                return null;
            }

            return attribute switch
            {
                "options" => "0x" + State.Options.ToString("x", CultureInfo.InvariantCulture) + "\n",
                "position_lost_in_reset" when _options.KernelProfile == KernelProfile.Modern => State.PosUnknown ? "1\n" : "0\n",
                _ => null,
            };
        }
    }

    public StResult MtGet(int fd, out MtGet status)
    {
        lock (_gate)
        {
            status = default;
            if (!_files.ContainsKey(fd))
            {
                return StResult.Fail(Errno.EBADF);
            }

            if (State.PosUnknown && _options.KernelProfile == KernelProfile.Legacy)
            {
                return StResult.Fail(Errno.EIO);
            }

            status = Status();
            State.Recovered = 0;
            return StResult.Ok();
        }
    }

    public StResult MtPos(int fd, out long position)
    {
        lock (_gate)
        {
            position = 0;
            if (!_files.ContainsKey(fd))
            {
                return StResult.Fail(Errno.EBADF);
            }

            if (State.Ready != StReady.Ready || State.PosUnknown || Transport.Failed || (State.Options & StOption.SCSI2LOGICAL) == 0)
            {
                return StResult.Fail(Errno.EIO);
            }

            position = Transport.Position;
            if (position == 0)
            {
                State.FileNo = State.BlkNo = 0;
            }

            return StResult.Ok();
        }
    }

    /// <summary>The <c>mtget</c> of T23.</summary>
    private MtGet Status()
    {
        var s = State;
        ulong gstat = Gmt.IM_REP_EN;
        if (s.BlkNo == 0 && s.FileNo == 0)
        {
            gstat |= Gmt.BOT;
        }

        if (s.BlkNo == 0 && s.FileNo != 0)
        {
            gstat |= Gmt.EOF;
        }

        if (s.Eof is StEof.EomOk or StEof.EomError)
        {
            gstat |= Gmt.EOT;
        }

        if (s.Eof is StEof.Eod1 or StEof.Eod2 or StEof.Eod)
        {
            gstat |= Gmt.EOD;
        }

        if (s.DriveWriteProtect)
        {
            gstat |= Gmt.WR_PROT;
        }

        if (s.Ready == StReady.Ready)
        {
            gstat |= Gmt.ONLINE;
        }

        if (s.Ready == StReady.NoTape)
        {
            gstat |= Gmt.DR_OPEN;
        }

        if (Transport.CleaningRequested)
        {
            gstat |= Gmt.CLN;
        }

        return new MtGet
        {
            Type = new System.Runtime.InteropServices.CLong(0x72),
            Resid = default,
            DsReg = new System.Runtime.InteropServices.CLong((nint)(((uint)s.BlockSize & 0xFFFFFFu) | ((uint)s.Density << 24))),
            GStat = new System.Runtime.InteropServices.CLong((nint)gstat),
            ErReg = new System.Runtime.InteropServices.CLong(s.Recovered & 0xFFFF),
            FileNo = s.FileNo,
            BlkNo = s.BlkNo,
        };
    }

    /// <summary>The readiness check of T2, run at every open and at <c>MTLOAD</c>.</summary>
    private void CheckReadiness(bool blocking)
    {
        var t = Transport;
        if (t.State == MediumState.Loaded && !t.Failed && blocking && t.NotReadyRemaining > 0)
        {
            t.Timing.Wait(Math.Min(t.NotReadyRemaining, OpenWaitNanoseconds));
        }

        if (t.State != MediumState.Loaded)
        {
            if (blocking)
            {
                t.Timing.Wait(OpenWaitNanoseconds);
            }

            State.Ready = StReady.NoTape;
            return;
        }

        if (!t.Ready)
        {
            if (blocking && t.Failed)
            {
                t.Timing.Wait(OpenWaitNanoseconds);
            }

            State.Ready = StReady.NotReady;
            return;
        }

        State.Ready = StReady.Ready;
        State.DriveWriteProtect = t.WriteProtected;
        if (t.LoadGeneration != State.MediumGeneration)
        {
            State.NewSession(t.LoadGeneration, t.DensityCode);
        }
    }

    /// <summary>The filemark written by close (T12): synchronous, with <c>MT_ST_TWO_FM</c> two and back over one.</summary>
    private int CloseFilemark()
    {
        bool two = (State.Options & StOption.TWO_FM) != 0;
        bool sync = (State.Options & StOption.NOWAIT_EOF) == 0;
        var (written, result) = Transport.WriteFilemarks(two ? 2 : 1, sync);
        if (result != TransportWrite.Written)
        {
            State.AddFile(written);
            State.BlkNo = -1;
            return Errno.EIO;
        }

        if (two)
        {
            Transport.MoveTo(Transport.Position - 1);
        }

        State.AddFile(1);
        State.BlkNo = 0;
        State.Eof = StEof.Fm;
        return 0;
    }

    /// <summary>Counts one st-level command (docs/devices/virtual-cartridge.md#faults) and fires the "after K" faults that are due.</summary>
    private void Completed()
    {
        _counted++;
        for (int i = 0; i < _pending.Count;)
        {
            if (_pending[i].At <= _counted)
            {
                var fault = _pending[i].Fault;
                _pending.RemoveAt(i);
                Fire(fault);
            }
            else
            {
                i++;
            }
        }
    }

    private void Fire(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.PowerLoss:
                Transport.PowerLoss();
                LosePosition();
                break;
            case FaultKind.Reset:
                Transport.Sync();
                LosePosition();
                break;
            case FaultKind.DriveFailure:
                Transport.Fail();
                break;
        }
    }

    private void LosePosition()
    {
        State.PosUnknown = true;
        State.FileNo = State.BlkNo = -1;
    }

    private bool TryParseDevice(string path, out bool rewindAtClose)
    {
        rewindAtClose = false;
        string name;
        if (path.StartsWith("/dev/nst", StringComparison.Ordinal))
        {
            name = path[8..];
        }
        else if (path.StartsWith("/dev/st", StringComparison.Ordinal))
        {
            name = path[7..];
            rewindAtClose = true;
        }
        else
        {
            return false;
        }

        return name.Length is > 0 and <= 2 && name.All(char.IsAsciiDigit)
            && (name.Length == 1 || name[0] != '0')
            && int.Parse(name, CultureInfo.InvariantCulture) == DriveNumber;
    }

    private sealed class OpenFile(bool writeProt, bool rewindAtClose, bool nonBlocking, int access)
    {
        public bool WriteProt { get; set; } = writeProt;

        public bool RewindAtClose { get; set; } = rewindAtClose;

        public bool NonBlocking { get; } = nonBlocking;

        public int Access { get; } = access;
    }
}
