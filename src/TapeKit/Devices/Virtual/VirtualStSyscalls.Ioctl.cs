using TapeKit.Devices.St;

namespace TapeKit.Devices.Virtual;

/// <content><c>MTIOCTOP</c>: T12–T22, T24, T25.</content>
internal sealed partial class VirtualStSyscalls
{
    /// <summary>The largest SPACE/filemark count st can carry (24-bit signed).</summary>
    public const int MaxCount = 0x7FFFFF;

    public StResult MtOp(int fd, short op, int count)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(fd, out var file))
            {
                return StResult.Fail(Errno.EBADF);
            }

            bool counted = op != MtOpCode.MTNOP && !(op == MtOpCode.MTSETDRVBUFFER && ((uint)count & StOption.OPTIONS_MASK) != 0);
            try
            {
                int error = MtOpCore(file, op, count);
                return error == 0 ? StResult.Ok() : StResult.Fail(error);
            }
            finally
            {
                if (counted)
                {
                    Completed();
                }
            }
        }
    }

    /// <summary>Operations after which <c>rw</c> stays as it was (T12).</summary>
    private static bool KeepsRw(short op) => op is MtOpCode.MTNOP or MtOpCode.MTSETBLK or MtOpCode.MTSETDENSITY
        or MtOpCode.MTSETDRVBUFFER or MtOpCode.MTWSM or MtOpCode.MTSETPART;

    /// <summary>Operations allowed while the position is lost; they clear the condition first (T24).</summary>
    private bool ClearsPositionLost(short op) => op is MtOpCode.MTREW or MtOpCode.MTOFFL or MtOpCode.MTRETEN
        or MtOpCode.MTERASE or MtOpCode.MTSEEK or MtOpCode.MTEOM
        || (op == MtOpCode.MTLOAD && _options.KernelProfile == KernelProfile.Modern);

    private int MtOpCore(OpenFile file, short op, int count)
    {
        var s = State;
        if (Transport.Failed)
        {
            return Errno.EIO;
        }

        if (s.Ready != StReady.Ready)
        {
            return op switch
            {
                MtOpCode.MTLOCK or MtOpCode.MTUNLOCK => 0,
                MtOpCode.MTLOAD => Load(file),
                MtOpCode.MTSEEK or MtOpCode.MTCOMPRESSION => Errno.EIO,
                _ => s.Ready == StReady.NoTape ? Errno.ENOMEDIUM : Errno.EIO,
            };
        }

        bool wasWriting = s.Rw == StRw.Writing;
        if (!KeepsRw(op))
        {
            s.Rw = StRw.Idle;
        }

        if (s.PosUnknown)
        {
            if (!ClearsPositionLost(op))
            {
                return Errno.EIO;
            }

            s.PosUnknown = false;
            s.FileNo = s.BlkNo = -1;
            s.Eof = StEof.NoEof;
            s.Rw = StRw.Idle;
            wasWriting = false;
        }

        switch (op)
        {
            case MtOpCode.MTFSF:
                return BadCount(count) ?? (count == 0 ? 0 : ForwardFilemarks(count));
            case MtOpCode.MTBSF:
                return BadCount(count) ?? (count == 0 ? 0 : AutoFilemark(wasWriting) ?? BackwardFilemarks(count + (wasWriting ? 1 : 0)));
            case MtOpCode.MTFSFM:
                return BadCount(count) ?? (count == 0 ? 0 : ForwardToEndOfFile(count));
            case MtOpCode.MTBSFM:
                return BadCount(count) ?? (count == 0 ? 0 : AutoFilemark(wasWriting) ?? BackToStartOfFile(count + (wasWriting ? 1 : 0)));
            case MtOpCode.MTFSR:
                return BadCount(count) ?? (count == 0 ? 0 : ForwardBlocks(count));
            case MtOpCode.MTBSR:
                return BadCount(count) ?? (count == 0 ? 0 : BackwardBlocks(count));
            case MtOpCode.MTWEOF or MtOpCode.MTWEOFI:
                return WriteFilemarks(file, op, count);
            case MtOpCode.MTREW:
                return AutoFilemark(wasWriting) ?? RewindCore();
            case MtOpCode.MTRETEN:
                return RewindCore();
            case MtOpCode.MTOFFL:
                return AutoFilemark(wasWriting) ?? Offline(file);
            case MtOpCode.MTUNLOAD:
                return Offline(file);
            case MtOpCode.MTNOP or MtOpCode.MTLOCK or MtOpCode.MTUNLOCK:
                return 0;
            case MtOpCode.MTEOM:
                return EndOfMedium();
            case MtOpCode.MTERASE:
                return Erase(file);
            case MtOpCode.MTSETBLK:
                if (count == 0 || (count >= _options.MinBlockLength && count <= _options.MaxBlockLength))
                {
                    s.BlockSize = count;
                    return 0;
                }

                return Errno.EINVAL;
            case MtOpCode.MTSETDENSITY:
                s.Density = (byte)count;
                return 0;
            case MtOpCode.MTSEEK:
                return AutoFilemark(wasWriting) ?? Seek(count);
            case MtOpCode.MTSETDRVBUFFER:
                return SetDriverBuffer(count);
            case MtOpCode.MTFSS or MtOpCode.MTBSS:
                s.Eof = StEof.NoEof;
                s.FileNo = -1;
                return Errno.EIO;
            case MtOpCode.MTWSM:
                if (file.WriteProt)
                {
                    return Errno.EACCES;
                }

                s.Eof = StEof.NoEof;
                return Errno.EIO;
            case MtOpCode.MTLOAD:
                return Load(file);
            case MtOpCode.MTCOMPRESSION:
                if (!_options.CompressionSupported)
                {
                    return Errno.EIO;
                }

                s.Compression = count != 0;
                return 0;
            case MtOpCode.MTSETPART or MtOpCode.MTMKPART:
                return Errno.EINVAL;
            default:
                return Errno.ENOSYS;
        }
    }

    /// <summary>Counts outside 0 … 0x7FFFFF are refused (the models' choice: st would silently reverse direction, P17).</summary>
    private static int? BadCount(int count) => count is < 0 or > MaxCount ? Errno.EINVAL : null;

    /// <summary>T13: the synchronous filemark st writes before repositioning after a write; <see langword="null"/> on success.</summary>
    private int? AutoFilemark(bool wasWriting)
    {
        if (!wasWriting)
        {
            return null;
        }

        bool sync = (State.Options & StOption.NOWAIT_EOF) == 0;
        var (written, result) = Transport.WriteFilemarks(1, sync);
        if (result != TransportWrite.Written)
        {
            State.AddFile(written);
            State.BlkNo = -1;
            return Errno.EIO;
        }

        State.AddFile(1);
        State.BlkNo = 0;
        State.Eof = StEof.Fm;
        return null;
    }

    /// <summary>T14 <c>MTFSF n</c>.</summary>
    private int ForwardFilemarks(int n)
    {
        var s = State;
        Transport.Sync();
        long p = Transport.Position;
        int before = Transport.FilemarksBefore(p);
        int target = before + n - 1;
        if (target < Transport.FilemarkCount)
        {
            Transport.MoveTo(Transport.FilemarkAt(target) + 1);
            s.AddFile(n);
            s.BlkNo = 0;
            s.Eof = StEof.Fm;
            return 0;
        }

        int crossed = Transport.FilemarkCount - before;
        Transport.MoveTo(Transport.EndOfData);
        s.AddFile(crossed);
        s.BlkNo = -1;
        s.Eof = StEof.Eod;
        return Errno.EIO;
    }

    /// <summary>T14 <c>MTBSF n</c>.</summary>
    private int BackwardFilemarks(int n)
    {
        var s = State;
        Transport.Sync();
        long p = Transport.Position;
        int before = Transport.FilemarksBefore(p);
        int target = before - n;
        if (target >= 0)
        {
            Transport.MoveTo(Transport.FilemarkAt(target));
            s.AddFile(-n);
            s.BlkNo = -1;
            s.Eof = StEof.NoEof;
            return 0;
        }

        Transport.MoveTo(0);
        s.AddFile(-before);
        s.BlkNo = 0;
        s.Eof = StEof.NoEof;
        return Errno.EIO;
    }

    /// <summary>T15 <c>MTFSFM n</c> = <c>MTFSF n</c>, then <c>MTBSF 1</c>.</summary>
    private int ForwardToEndOfFile(int n)
    {
        int error = ForwardFilemarks(n);
        return error != 0 ? error : BackwardFilemarks(1);
    }

    /// <summary>T15 <c>MTBSFM n</c> = <c>MTBSF n</c>, then <c>MTFSF 1</c>.</summary>
    private int BackToStartOfFile(int n)
    {
        int error = BackwardFilemarks(n);
        return error != 0 ? error : ForwardFilemarks(1);
    }

    /// <summary>T16 <c>MTFSR n</c>.</summary>
    private int ForwardBlocks(int n)
    {
        var s = State;
        Transport.Sync();
        long p = Transport.Position;
        int before = Transport.FilemarksBefore(p);
        bool markAhead = before < Transport.FilemarkCount;
        long limit = markAhead ? Transport.FilemarkAt(before) : Transport.EndOfData;
        long blocks = limit - p;
        if (n <= blocks)
        {
            Transport.MoveTo(p + n);
            s.AddBlock(n);
            s.Eof = StEof.NoEof;
            return 0;
        }

        if (markAhead)
        {
            Transport.MoveTo(limit + 1);
            s.AddFile(1);
            s.BlkNo = 0;
            s.Eof = StEof.Fm;
            return Errno.EIO;
        }

        Transport.MoveTo(limit);
        s.AddBlock((int)blocks);
        s.Eof = StEof.Eod;
        return Errno.EIO;
    }

    /// <summary>T16 <c>MTBSR n</c>.</summary>
    private int BackwardBlocks(int n)
    {
        var s = State;
        Transport.Sync();
        long p = Transport.Position;
        int before = Transport.FilemarksBefore(p);
        bool markBehind = before > 0;
        long start = markBehind ? Transport.FilemarkAt(before - 1) + 1 : 0;
        long blocks = p - start;
        if (n <= blocks)
        {
            Transport.MoveTo(p - n);
            s.AddBlock(-n);
            s.Eof = StEof.NoEof;
            return 0;
        }

        s.Eof = StEof.NoEof;
        if (markBehind)
        {
            Transport.MoveTo(start - 1);
            s.FileNo -= 1;
            s.BlkNo = -1;
            return Errno.EIO;
        }

        Transport.MoveTo(0);
        s.BlkNo = (s.BlkNo >= 0 ? s.BlkNo - n : -1) + (n - (int)blocks);
        return Errno.EIO;
    }

    /// <summary>T20 <c>MTWEOF n</c> / <c>MTWEOFI n</c>.</summary>
    private int WriteFilemarks(OpenFile file, short op, int count)
    {
        var s = State;
        if (file.WriteProt)
        {
            return Errno.EACCES;
        }

        if (count is < 0 or > MaxCount)
        {
            return Errno.EINVAL;
        }

        bool sync = op == MtOpCode.MTWEOF && (s.Options & StOption.NOWAIT_EOF) == 0;
        if (count == 0)
        {
            if (sync)
            {
                Transport.SynchronizeBuffer();
            }

            s.BlkNo = 0;
            s.Eof = StEof.NoEof;
            return 0;
        }

        var (written, result) = Transport.WriteFilemarks(count, sync);
        s.AddFile(written);
        s.Eof = StEof.NoEof;
        if (result != TransportWrite.Written)
        {
            s.BlkNo = -1;
            return Errno.EIO;
        }

        s.BlkNo = 0;
        return 0;
    }

    private int RewindCore()
    {
        var s = State;
        Transport.Sync();
        Transport.Rewind();
        s.FileNo = s.BlkNo = 0;
        s.Eof = StEof.NoEof;
        s.PosUnknown = false;
        return 0;
    }

    /// <summary>T18 <c>MTOFFL</c>/<c>MTUNLOAD</c>: rewind and eject; file and block numbers stay stale.</summary>
    private int Offline(OpenFile file)
    {
        Transport.Eject();
        State.Ready = StReady.NoTape;
        file.RewindAtClose = false;
        return 0;
    }

    /// <summary>T17 <c>MTEOM</c>.</summary>
    private int EndOfMedium()
    {
        var s = State;
        Transport.Sync();
        int crossed = Transport.FilemarkCount - Transport.FilemarksBefore(Transport.Position);
        Transport.MoveTo(Transport.EndOfData);
        if ((s.Options & StOption.FAST_MTEOM) != 0)
        {
            s.FileNo = -1;
        }
        else
        {
            s.AddFile(crossed);
        }

        s.BlkNo = -1;
        s.Eof = StEof.Eod;
        return 0;
    }

    /// <summary>T21 <c>MTERASE</c>.</summary>
    private int Erase(OpenFile file)
    {
        var s = State;
        if (file.WriteProt)
        {
            return Errno.EACCES;
        }

        Transport.Erase();
        s.Eof = StEof.NoEof;
        if (_options.KernelProfile == KernelProfile.Legacy)
        {
            s.FileNo = s.BlkNo = 0;
        }

        return 0;
    }

    /// <summary>T19 <c>MTSEEK n</c>.</summary>
    private int Seek(int n)
    {
        var s = State;
        s.Eof = StEof.NoEof;
        if ((s.Options & StOption.SCSI2LOGICAL) == 0)
        {
            s.FileNo = s.BlkNo = -1;
            return Errno.EIO;
        }

        Transport.Sync();
        if (n < 0 || n > Transport.EndOfData)
        {
            Transport.MoveTo(Transport.EndOfData);
            s.FileNo = s.BlkNo = -1;
            return Errno.EIO;
        }

        Transport.MoveTo(n);
        s.FileNo = s.BlkNo = n == 0 ? 0 : -1;
        return 0;
    }

    /// <summary>T25 <c>MTSETDRVBUFFER</c>.</summary>
    private int SetDriverBuffer(int count)
    {
        if (!_options.CapSysAdmin)
        {
            return Errno.EPERM;
        }

        uint value = (uint)count;
        uint bits = value & ~StOption.OPTIONS_MASK;
        switch (value & StOption.OPTIONS_MASK)
        {
            case StOption.BOOLEANS:
                State.Options = bits;
                break;
            case StOption.SETBOOLEANS:
                State.Options |= bits;
                break;
            case StOption.CLEARBOOLEANS:
                State.Options &= ~bits;
                break;
        }

        return 0;
    }

    /// <summary>T18 <c>MTLOAD</c>.</summary>
    private int Load(OpenFile file)
    {
        var s = State;
        var t = Transport;
        if (t.State == MediumState.Empty)
        {
            s.FileNo = s.BlkNo = -1;
            return Errno.EIO;
        }

        t.Sync();
        if (t.State == MediumState.Ejected)
        {
            t.LoadEjected();
        }
        else
        {
            t.Rewind();
        }

        CheckReadiness(blocking: !file.NonBlocking);
        if (s.Ready != StReady.Ready)
        {
            s.FileNo = s.BlkNo = -1;
            return Errno.EIO;
        }

        file.WriteProt = file.Access == OpenFlags.O_RDONLY || s.DriveWriteProtect;
        if (s.DriveWriteProtect && !file.NonBlocking && file.Access != OpenFlags.O_RDONLY)
        {
            return Errno.EROFS;
        }

        return 0;
    }
}
