using TapeKit.Devices.St;

namespace TapeKit.Devices.Virtual;

/// <content><c>read</c> and <c>write</c>: T3–T11, T27, T28.</content>
internal sealed partial class VirtualStSyscalls
{
    public StResult Read(int fd, Span<byte> buffer)
    {
        lock (_gate)
        {
            if (!_files.ContainsKey(fd))
            {
                return StResult.Fail(Errno.EBADF);
            }

            try
            {
                return ReadCore(buffer);
            }
            finally
            {
                if (buffer.Length > 0)
                {
                    Completed();
                }
            }
        }
    }

    public StResult Write(int fd, ReadOnlySpan<byte> data)
    {
        lock (_gate)
        {
            if (!_files.TryGetValue(fd, out var file))
            {
                return StResult.Fail(Errno.EBADF);
            }

            try
            {
                return WriteCore(file, data);
            }
            finally
            {
                if (data.Length > 0)
                {
                    Completed();
                }
            }
        }
    }

    /// <summary>The checks read and write share (T2, T3, T24): not ready, failed or lost position, empty or out-of-limit counts.</summary>
    private StResult? TransferRefused(StDriverState s, int count)
    {
        if (s.Ready != StReady.Ready)
        {
            return StResult.Fail(s.Ready == StReady.NoTape ? Errno.ENOMEDIUM : Errno.EIO);
        }

        if (Transport.Failed || s.PosUnknown)
        {
            return StResult.Fail(Errno.EIO);
        }

        if (count == 0)
        {
            return StResult.Ok(0);
        }

        if (count < _options.MinBlockLength || count > _options.MaxBlockLength || (s.BlockSize > 0 && count % s.BlockSize != 0))
        {
            return StResult.Fail(Errno.EINVAL);
        }

        return null;
    }

    private StResult ReadCore(Span<byte> buffer)
    {
        var s = State;
        int count = buffer.Length;
        if (TransferRefused(s, count) is { } refused)
        {
            return refused;
        }

        s.Rw = StRw.Reading;
        switch (s.Eof)
        {
            case StEof.Eod:
                return StResult.Fail(Errno.EIO);
            case StEof.Eod1 or StEof.Eod2:
                s.Eof++;
                return StResult.Ok(0);
        }

        Transport.Sync();
        if (s.BlockSize > 0)
        {
            return ReadFixed(buffer);
        }

        long p = Transport.Position;
        if (p == Transport.EndOfData || Transport.IsFilemarkAt(p))
        {
            return ReadMarkOrEnd(p);
        }

        if (Transport.ReadFault(p))
        {
            Transport.SkipData();
            s.BlkNo = -1;
            return StResult.Fail(Errno.EIO);
        }

        uint length = Transport.LengthAt(p);
        if (length > (uint)count)
        {
            Transport.SkipData();
            s.AddBlock(1);
            return StResult.Fail(Errno.ENOMEM);
        }

        if (!Transport.ReadData(buffer))
        {
            s.BlkNo = -1;
            return StResult.Fail(Errno.EIO);
        }

        s.AddBlock(1);
        if (s.Eof == StEof.Fm)
        {
            s.Eof = StEof.NoEof;
        }

        return StResult.Ok(length);
    }

    /// <summary>T6 (a filemark), T7 (end of data after a seen filemark) and T8 (blank check).</summary>
    private StResult ReadMarkOrEnd(long p)
    {
        var s = State;
        if (p == Transport.EndOfData)
        {
            s.BlkNo = -1;
            if (s.Eof == StEof.Fm)
            {
                s.Eof = StEof.Eod;
                return StResult.Ok(0);
            }

            return StResult.Fail(Errno.EIO);
        }

        Transport.PassFilemark();
        s.AddFile(1);
        s.BlkNo = 0;
        s.Eof = StEof.Fm;
        return StResult.Ok(0);
    }

    /// <summary>T28: whole blocks of the fixed size up to the first filemark.</summary>
    private StResult ReadFixed(Span<byte> buffer)
    {
        var s = State;
        int size = s.BlockSize;
        int wanted = buffer.Length / size;
        int delivered = 0;
        while (delivered < wanted)
        {
            long p = Transport.Position;
            if (p == Transport.EndOfData || Transport.IsFilemarkAt(p))
            {
                if (delivered == 0)
                {
                    return ReadMarkOrEnd(p);
                }

                break;
            }

            if (Transport.LengthAt(p) != (uint)size)
            {
                if (delivered == 0)
                {
                    return StResult.Fail(Errno.EIO);
                }

                break;
            }

            if (Transport.ReadFault(p))
            {
                Transport.SkipData();
                s.BlkNo = -1;
                return StResult.Fail(Errno.EIO);
            }

            if (!Transport.ReadData(buffer.Slice(delivered * size, size)))
            {
                s.BlkNo = -1;
                return StResult.Fail(Errno.EIO);
            }

            delivered++;
            s.AddBlock(1);
        }

        if (s.Eof == StEof.Fm)
        {
            s.Eof = StEof.NoEof;
        }

        return StResult.Ok((long)delivered * size);
    }

    private StResult WriteCore(OpenFile file, ReadOnlySpan<byte> data)
    {
        var s = State;
        int count = data.Length;
        if (TransferRefused(s, count) is { } refused)
        {
            return refused;
        }

        if (file.WriteProt)
        {
            return StResult.Fail(Errno.EACCES);
        }

        if (s.Rw == StRw.Reading)
        {
            s.Rw = StRw.Writing;
        }

        switch (s.Eof)
        {
            case StEof.EomOk:
                s.Eof = StEof.Eod1;
                return StResult.Fail(Errno.ENOSPC);
            case StEof.EomError:
                return StResult.Fail(Errno.EIO);
        }

        s.Rw = StRw.Writing;
        if (s.BlockSize == 0)
        {
            int error = WriteOne(data);
            return error == 0 ? StResult.Ok(count) : StResult.Fail(error);
        }

        int size = s.BlockSize;
        int written = 0;
        for (int offset = 0; offset < count; offset += size)
        {
            int error = WriteOne(data.Slice(offset, size));
            if (error != 0)
            {
                return written == 0 ? StResult.Fail(error) : StResult.Ok(written);
            }

            written += size;
        }

        return StResult.Ok(written);
    }

    /// <summary>T9 and T10 steps 3–5 for one block; returns 0 or the errno.</summary>
    private int WriteOne(ReadOnlySpan<byte> block)
    {
        var s = State;
        switch (Transport.WriteBlock(block))
        {
            case TransportWrite.DoesNotFit:
                s.Eof = StEof.EomOk;
                return Errno.ENOSPC;
            case TransportWrite.IdentifierLimit:
                return Errno.EIO;
            case TransportWrite.MediaError:
                s.BlkNo = -1;
                return Errno.EIO;
            case TransportWrite.WrittenPastEarlyWarning:
                s.AddBlock(1);
                s.Eof = StEof.EomOk;
                return 0;
            default:
                s.AddBlock(1);
                s.Eof = s.Eof == StEof.Eod1 ? StEof.EomOk : StEof.NoEof;
                return 0;
        }
    }
}
