using System.Globalization;
using TapeKit.Devices.St;

namespace TapeKit.Devices;

/// <summary>
/// The one front end (docs/devices/st-driver.md): turns <see cref="ITapeDrive"/> calls into st
/// system calls on an <see cref="IStSyscalls"/> and classifies their results. The Linux drive runs it
/// over libc, the virtual drive over the managed st model, so error classification, early-warning
/// handling and position bookkeeping are identical by construction.
/// </summary>
internal sealed class StTapeDrive : ITapeDrive
{
    private const int MaxCount = 0x7FFFFF;

    private readonly IStSyscalls _sys;
    private readonly string _path;
    private readonly TapeOpenOptions _options;
    private readonly Action? _onDispose;
    private int _fd;
    private bool _disposed;
    private bool _pastEarlyWarning;
    private bool _lastWasWrite;
    private bool _afterWrite;
    private bool _sessionUsed;
    private bool _needVariableBlocks;
    private bool _writesRefused;
    private string? _writesRefusedReason;
    private bool _logicalPositioning;
    private bool _immediateFilemarks = true;
    private int _recovered;
    private MtGet? _before;

    private StTapeDrive(IStSyscalls sys, string path, string deviceName, TapeOpenOptions options, Action? onDispose)
    {
        _sys = sys;
        _path = path;
        DeviceName = deviceName;
        _options = options;
        _onDispose = onDispose;
        Capabilities = new TapeDriveCapabilities(false, true, true, false, options.MaxBlockLength, 0);
    }

    /// <inheritdoc/>
    public string DeviceName { get; }

    /// <inheritdoc/>
    public TapeDriveCapabilities Capabilities { get; private set; }

    /// <summary>A warning produced at open (for example, unreadable driver options), or <see langword="null"/>.</summary>
    public string? OpenWarning { get; private set; }

    /// <summary>Opens a handle (docs/devices/st-driver.md#device-nodes-and-opening).</summary>
    public static StTapeDrive Open(IStSyscalls sys, string path, string deviceName, TapeOpenOptions? options, Action? onDispose = null)
    {
        ArgumentNullException.ThrowIfNull(sys);
        options ??= new TapeOpenOptions();
        if (options.MaxBlockLength < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "MaxBlockLength must be at least 1.");
        }

        int flags = (options.ReadOnly ? OpenFlags.O_RDONLY : OpenFlags.O_RDWR) | OpenFlags.O_CLOEXEC | (options.AllowNoMedium ? OpenFlags.O_NONBLOCK : 0);
        string op = "open " + (options.ReadOnly ? "O_RDONLY" : "O_RDWR") + (options.AllowNoMedium ? "|O_NONBLOCK" : "");
        StResult r;
        do
        {
            r = sys.Open(path, flags);
        }
        while (r.Failed && r.Errno == Errno.EINTR);
        if (r.Failed)
        {
            var kind = r.Errno == Errno.EIO ? TapeErrorKind.DeviceError : StDriveErrors.KindOf(r.Errno) ?? TapeErrorKind.DeviceError;
            string? detail = r.Errno switch
            {
                Errno.EIO => "the drive is not ready or has failed",
                Errno.ENXIO or Errno.ENOENT => "there is no such tape drive",
                Errno.EROFS => "the cartridge is write-protected; open it read-only",
                _ => null,
            };
            StDriveErrors.Throw(deviceName, op, kind, r.Errno, detail);
        }

        var drive = new StTapeDrive(sys, path, deviceName, options, onDispose) { _fd = (int)r.Value };
        try
        {
            drive.Configure();
        }
        catch
        {
            drive.ReleaseQuietly();
            throw;
        }

        return drive;
    }

    /// <inheritdoc/>
    public TapeWriteStatus WriteBlock(ReadOnlySpan<byte> block)
    {
        ThrowIfDisposed();
        if (block.IsEmpty)
        {
            throw new ArgumentException("A tape block cannot be empty.", nameof(block));
        }

        if (block.Length > _options.MaxBlockLength)
        {
            throw new ArgumentException($"The block has {block.Length} bytes, more than the handle's maximum of {_options.MaxBlockLength}.", nameof(block));
        }

        RefuseWrites("write");
        if (_needVariableBlocks)
        {
            Op(MtOpCode.MTSETBLK, 0);
            _needVariableBlocks = false;
        }

        _sessionUsed = true;
        bool deferred = _afterWrite && Capabilities.DeferredWriteErrors;
        _lastWasWrite = true;
        _afterWrite = true;
        StResult r = WriteOnce(block);
        if (r.Value == block.Length)
        {
            return _pastEarlyWarning ? TapeWriteStatus.WrittenPastEarlyWarning : TapeWriteStatus.Written;
        }

        string op = "write " + block.Length.ToString(CultureInfo.InvariantCulture);
        if (r.Failed && r.Errno == Errno.ENOSPC)
        {
            _pastEarlyWarning = true;
            if (!_options.RetryAfterEarlyWarning)
            {
                StDriveErrors.Throw(DeviceName, op, TapeErrorKind.EndOfMedium, r.Errno, "early warning: the tape is nearly full; the block was not written", EndOfMediumKind.EarlyWarning);
            }

            r = WriteOnce(block);
            if (r.Value == block.Length)
            {
                return TapeWriteStatus.WrittenPastEarlyWarning;
            }

            if (r.Failed && r.Errno == Errno.ENOSPC)
            {
                StDriveErrors.Throw(DeviceName, op, TapeErrorKind.EndOfMedium, r.Errno, "the tape is full: the block does not fit before the physical end of the medium; it was not written", EndOfMediumKind.Physical);
            }
        }

        if (!r.Failed)
        {
            StDriveErrors.Throw(DeviceName, op, TapeErrorKind.EndOfMedium, null, $"only {r.Value} of {block.Length} bytes fit before the physical end of the medium", EndOfMediumKind.Physical);
        }

        Fail(op, MtOpCode.MTNOP, r.Errno, deferred);
        return default;
    }

    /// <inheritdoc/>
    public TapeWriteStatus WriteFilemarks(int count, bool immediate = false)
    {
        ThrowIfDisposed();
        if (count is < 1 or > MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The filemark count must be 1 … 8388607.");
        }

        RefuseWrites(immediate ? "MTWEOFI" : "MTWEOF");
        if (!immediate)
        {
            RefuseUnsafeFilemarks("MTWEOF");
        }
        else if (!_immediateFilemarks)
        {
            StDriveErrors.Throw(DeviceName, "MTWEOFI", TapeErrorKind.NotSupported, null, "the driver does not offer buffered (immediate) filemarks");
        }

        short code = immediate ? MtOpCode.MTWEOFI : MtOpCode.MTWEOF;
        var r = OpResult(code, count);
        if (r.Failed && immediate && r.Errno is Errno.ENOSYS or Errno.EINVAL)
        {
            _immediateFilemarks = false;
            Capabilities = Capabilities with { ImmediateFilemarks = false };
            StDriveErrors.Throw(DeviceName, Describe(code, count), TapeErrorKind.NotSupported, r.Errno, "the driver does not offer buffered (immediate) filemarks; TapeKit does not replace them with synchronising ones");
        }

        Check(r, code, count);
        _lastWasWrite = true;
        return _pastEarlyWarning ? TapeWriteStatus.WrittenPastEarlyWarning : TapeWriteStatus.Written;
    }

    /// <inheritdoc/>
    public void Synchronize()
    {
        ThrowIfDisposed();
        RefuseUnsafeFilemarks("MTWEOF 0");
        Op(MtOpCode.MTWEOF, 0);
        _lastWasWrite = true;
    }

    /// <inheritdoc/>
    public TapeReadResult ReadBlock(Span<byte> buffer)
    {
        ThrowIfDisposed();
        if (buffer.IsEmpty)
        {
            throw new ArgumentException("The read buffer cannot be empty: a zero-byte read cannot detect a filemark (P14).", nameof(buffer));
        }

        if (_lastWasWrite)
        {
            throw new InvalidOperationException($"{DeviceName}: reposition before reading after a write (on st such a read fails at end of data and cancels the filemark written at close).");
        }

        var target = buffer.Length > _options.MaxBlockLength ? buffer[.._options.MaxBlockLength] : buffer;
        _sessionUsed = true;
        bool deferred = _afterWrite && Capabilities.DeferredWriteErrors;
        _afterWrite = false;
        StResult r;
        do
        {
            r = _sys.Read(_fd, target);
        }
        while (r.Failed && r.Errno == Errno.EINTR);
        if (r.Value > 0)
        {
            return new TapeReadResult(TapeReadKind.Data, (int)r.Value);
        }

        if (r.Value == 0)
        {
            var status = StatusOrNull();
            return status is { } s && (s.GeneralStatus & Gmt.EOD) != 0
                ? new TapeReadResult(TapeReadKind.EndOfData, 0)
                : new TapeReadResult(TapeReadKind.Filemark, 0);
        }

        Fail("read " + target.Length.ToString(CultureInfo.InvariantCulture), MtOpCode.MTNOP, r.Errno, deferred);
        return default;
    }

    /// <inheritdoc/>
    public void SpaceFilemarks(int count)
    {
        ValidateCount(count);
        Position(count > 0 ? MtOpCode.MTFSF : MtOpCode.MTBSF, Math.Abs(count));
    }

    /// <inheritdoc/>
    public void SpaceBlocks(int count)
    {
        ValidateCount(count);
        Position(count > 0 ? MtOpCode.MTFSR : MtOpCode.MTBSR, Math.Abs(count));
    }

    /// <inheritdoc/>
    public void MoveToStartOfFile(int filesBack = 1)
    {
        ValidatePositive(filesBack);
        ThrowIfDisposed();
        int? before = StatusOrNull() is { } m && m.FileNo >= 0 ? m.FileNo : null;
        try
        {
            Position(MtOpCode.MTBSFM, filesBack);
        }
        catch (TapeDriveException e) when (e.Kind == TapeErrorKind.BeginningOfMedium && before == filesBack - 1)
        {
            // docs/devices/st-driver.md#errors: the start of file 0 is BOT, so the target was reached.
        }
    }

    /// <inheritdoc/>
    public void MoveToEndOfFile(int filesForward = 1)
    {
        ValidatePositive(filesForward);
        Position(MtOpCode.MTFSFM, filesForward);
    }

    /// <inheritdoc/>
    public void SeekEndOfData() => Position(MtOpCode.MTEOM, 1);

    /// <inheritdoc/>
    public void Rewind() => Position(MtOpCode.MTREW, 1);

    /// <inheritdoc/>
    public void Locate(long logicalObjectId)
    {
        ThrowIfDisposed();
        if (logicalObjectId is < 0 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(logicalObjectId), logicalObjectId, "Logical object identifiers are 0 … 2^31 - 1.");
        }

        RequireLogicalPositioning("MTSEEK");
        MarkPositioned();
        int n = (int)logicalObjectId;
        var r = OpResult(MtOpCode.MTSEEK, n);
        if (!r.Failed)
        {
            return;
        }

        if (r.Errno != Errno.EIO)
        {
            Fail(Describe(MtOpCode.MTSEEK, n), MtOpCode.MTSEEK, r.Errno, false);
        }

        var pos = _sys.MtPos(_fd, out long q);
        var after = StatusOrNull();
        TapeStatus? status = after is { } a ? TapeStatusMapping.ToStatus(a, _recovered) : null;
        if (pos.Failed)
        {
            StDriveErrors.Throw(DeviceName, Describe(MtOpCode.MTSEEK, n), TapeErrorKind.PositionLost, r.Errno, after: status);
        }

        if (q < n)
        {
            StDriveErrors.Throw(DeviceName, Describe(MtOpCode.MTSEEK, n), TapeErrorKind.EndOfData, r.Errno, $"object {n} lies beyond the end of data; the tape is at end of data, object {q}", after: status);
        }

        Fail(Describe(MtOpCode.MTSEEK, n), MtOpCode.MTSEEK, r.Errno, false);
    }

    /// <inheritdoc/>
    public long ReadPosition()
    {
        ThrowIfDisposed();
        RequireLogicalPositioning("MTIOCPOS");
        var r = _sys.MtPos(_fd, out long position);
        if (!r.Failed)
        {
            return position;
        }

        if (r.Errno == Errno.EIO)
        {
            var status = _sys.MtGet(_fd, out var m);
            if (status.Failed || PositionLostAttribute())
            {
                StDriveErrors.Throw(DeviceName, "MTIOCPOS", TapeErrorKind.PositionLost, r.Errno);
            }

            _recovered += (int)(m.ErReg.Value & 0xFFFF);
            var after = TapeStatusMapping.ToStatus(m, _recovered);
            if ((m.GeneralStatus & Gmt.ONLINE) == 0)
            {
                StDriveErrors.Throw(DeviceName, "MTIOCPOS", (m.GeneralStatus & Gmt.DR_OPEN) != 0 ? TapeErrorKind.NoMedium : TapeErrorKind.DeviceError, r.Errno, after: after);
            }

            _logicalPositioning = false;
            Capabilities = Capabilities with { LogicalPositioning = false };
            StDriveErrors.Throw(DeviceName, "MTIOCPOS", TapeErrorKind.NotSupported, r.Errno, NoLogicalMessage(), after: after);
        }

        Fail("MTIOCPOS", MtOpCode.MTNOP, r.Errno, false);
        return 0;
    }

    /// <inheritdoc/>
    public void Load()
    {
        ThrowIfDisposed();
        MarkPositioned();
        Op(MtOpCode.MTLOAD, 1);
        if (_sessionUsed)
        {
            Op(MtOpCode.MTREW, 1);
        }

        _sessionUsed = false;
    }

    /// <inheritdoc/>
    public void Unload()
    {
        ThrowIfDisposed();
        MarkPositioned();
        Op(MtOpCode.MTOFFL, 1);
    }

    /// <inheritdoc/>
    public TapeStatus GetStatus()
    {
        ThrowIfDisposed();
        var r = _sys.MtGet(_fd, out var m);
        if (r.Failed)
        {
            StDriveErrors.Throw(DeviceName, "MTIOCGET", r.Errno == Errno.EIO ? TapeErrorKind.PositionLost : StDriveErrors.KindOf(r.Errno) ?? TapeErrorKind.DeviceError, r.Errno);
        }

        int recovered = _recovered + (int)(m.ErReg.Value & 0xFFFF);
        _recovered = 0;
        return TapeStatusMapping.ToStatus(m, recovered);
    }

    /// <inheritdoc/>
    public void SetBlockSize(int bytes)
    {
        ThrowIfDisposed();
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Op(MtOpCode.MTSETBLK, bytes);
        _needVariableBlocks = false;
    }

    /// <inheritdoc/>
    public void Erase(bool longErase = false)
    {
        ThrowIfDisposed();
        RefuseWrites("MTERASE");
        MarkPositioned();
        Op(MtOpCode.MTERASE, longErase ? 1 : 0);
    }

    /// <inheritdoc/>
    public void SetCompression(bool enabled)
    {
        ThrowIfDisposed();
        var r = OpResult(MtOpCode.MTCOMPRESSION, enabled ? 1 : 0);
        if (r.Failed && r.Errno == Errno.EIO && StatusOrNull() is { } m && (m.GeneralStatus & Gmt.ONLINE) != 0)
        {
            StDriveErrors.Throw(DeviceName, Describe(MtOpCode.MTCOMPRESSION, enabled ? 1 : 0), TapeErrorKind.NotSupported, r.Errno, "the drive has no compression control (mode page 0Fh with DCC)");
        }

        Check(r, MtOpCode.MTCOMPRESSION, enabled ? 1 : 0);
    }

    /// <summary>Closes the descriptor once; a failing close-time filemark is thrown after the release (docs/devices/st-driver.md#errors).</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        var r = _sys.Close(_fd);
        _onDispose?.Invoke();
        if (r.Failed && r.Errno != Errno.ENOSPC)
        {
            StDriveErrors.Throw(DeviceName, "close", TapeErrorKind.DeviceError, r.Errno, "closing the drive failed; the filemark written at close may be missing, so the last file may be unterminated");
        }
    }

    private void Configure()
    {
        string? text = _sys.ReadAttribute(_path, "options");
        uint options = StOption.KernelDefault;
        bool optionsRead = text is not null && TryParseOptions(text, out options);
        if (!optionsRead)
        {
            options = StOption.KernelDefault;
            OpenWarning = $"{DeviceName}: the st driver options could not be read; assuming the kernel defaults (0x107).";
        }

        bool logical = (options & StOption.SCSI2LOGICAL) != 0;
        var status = StatusOrNull();
        bool loaded = status is { } s && (s.GeneralStatus & Gmt.ONLINE) != 0;
        if ((logical || !optionsRead) && loaded)
        {
            var probe = _sys.MtPos(_fd, out _);
            // EIO means "no logical addresses" only while the position is known: after a reset or power loss st
            // answers EIO until the next rewind, and the options (read above) still say what the driver uses.
            bool positionLost = probe.Failed && probe.Errno == Errno.EIO && PositionLostAttribute();
            logical = positionLost ? (logical || !optionsRead) : !probe.Failed || probe.Errno != Errno.EIO;
            if (probe.Failed && probe.Errno != Errno.EIO)
            {
                logical = false;
            }
        }

        _logicalPositioning = logical;
        if ((options & StOption.TWO_FM) != 0)
        {
            _writesRefused = true;
            _writesRefusedReason = "the st option two-fm (MT_ST_TWO_FM) is set: closing would write two filemarks; TapeKit refuses to write through this driver";
        }

        if (status is { } m)
        {
            if (m.Resid.Value != 0)
            {
                _writesRefused = true;
                _writesRefusedReason = "the drive is positioned in a partition other than 0; TapeKit v1 writes partition 0 only";
            }

            _needVariableBlocks = (m.DsReg.Value & 0xFFFFFF) != 0;
        }

        Capabilities = new TapeDriveCapabilities(
            logical,
            (options & StOption.NOWAIT_EOF) == 0,
            true,
            (options & StOption.ASYNC_WRITES) != 0,
            _options.MaxBlockLength,
            options);
    }

    private static bool TryParseOptions(string text, out uint options)
    {
        string t = text.Trim();
        if (t.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            t = t[2..];
        }

        return uint.TryParse(t, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out options);
    }

    private void Position(short code, int count)
    {
        ThrowIfDisposed();
        MarkPositioned();
        _sessionUsed = true;
        _before = code is MtOpCode.MTFSR or MtOpCode.MTBSR ? StatusOrNull() : null;
        Op(code, count);
    }

    private void MarkPositioned()
    {
        _pastEarlyWarning = false;
        _lastWasWrite = false;
    }

    private void Op(short code, int count) => Check(OpResult(code, count), code, count);

    /// <summary>Issues one <c>MTIOCTOP</c>, retrying <c>EINTR</c> and, once, a deferred early warning (docs/devices/st-driver.md#errors).</summary>
    private StResult OpResult(short code, int count)
    {
        ThrowIfDisposed();
        StResult r;
        bool repeated = false;
        while (true)
        {
            r = _sys.MtOp(_fd, code, count);
            if (r.Failed && r.Errno == Errno.EINTR)
            {
                continue;
            }

            if (r.Failed && r.Errno == Errno.ENOSPC && _afterWrite && !repeated && code is not (MtOpCode.MTWEOF or MtOpCode.MTWEOFI))
            {
                _pastEarlyWarning = true;
                repeated = true;
                continue;
            }

            break;
        }

        return r;
    }

    private void Check(StResult r, short code, int count)
    {
        bool deferred = _afterWrite && Capabilities.DeferredWriteErrors;
        if (code is not (MtOpCode.MTNOP or MtOpCode.MTSETBLK or MtOpCode.MTCOMPRESSION))
        {
            _afterWrite = false;
        }

        if (!r.Failed)
        {
            return;
        }

        Fail(Describe(code, count), code, r.Errno, deferred);
    }

    /// <summary>Throws the exception for a failed call, classifying <c>EIO</c> by docs/devices/st-driver.md#errors.</summary>
    private void Fail(string operation, short code, int errno, bool deferred)
    {
        var kind = StDriveErrors.KindOf(errno);
        var after = _sys.MtGet(_fd, out var m);
        TapeStatus? status = null;
        if (!after.Failed)
        {
            _recovered += (int)(m.ErReg.Value & 0xFFFF);
            status = TapeStatusMapping.ToStatus(m, _recovered);
        }

        if (kind is { } k)
        {
            StDriveErrors.Throw(DeviceName, operation, k, errno, after: status, eom: k == TapeErrorKind.EndOfMedium ? EndOfMediumKind.Physical : null);
        }

        TapeErrorKind classified;
        ulong g = after.Failed ? 0 : m.GeneralStatus;
        if (after.Failed || PositionLostAttribute())
        {
            classified = TapeErrorKind.PositionLost;
        }
        else if ((g & Gmt.EOD) != 0)
        {
            classified = TapeErrorKind.EndOfData;
        }
        else if (code is MtOpCode.MTBSF or MtOpCode.MTBSFM or MtOpCode.MTBSR && (g & Gmt.BOT) != 0)
        {
            classified = TapeErrorKind.BeginningOfMedium;
        }
        else if (code == MtOpCode.MTFSR && _before is { } b1
            && ((b1.FileNo >= 0 && m.FileNo > b1.FileNo) || ((g & Gmt.EOF) != 0 && (b1.GeneralStatus & Gmt.EOF) == 0)))
        {
            classified = TapeErrorKind.Filemark;
        }
        else if (code == MtOpCode.MTBSR && _before is { } b2 && m.FileNo < b2.FileNo)
        {
            classified = TapeErrorKind.Filemark;
        }
        else if ((g & Gmt.ONLINE) == 0)
        {
            classified = (g & Gmt.DR_OPEN) != 0 ? TapeErrorKind.NoMedium : TapeErrorKind.DeviceError;
        }
        else
        {
            classified = TapeErrorKind.MediaError;
        }

        StDriveErrors.Throw(DeviceName, operation, classified, errno, deferred: deferred, after: status);
    }

    private bool PositionLostAttribute() => _sys.ReadAttribute(_path, "position_lost_in_reset") is { } text && text.Trim() == "1";

    private MtGet? StatusOrNull()
    {
        var r = _sys.MtGet(_fd, out var m);
        if (r.Failed)
        {
            return null;
        }

        _recovered += (int)(m.ErReg.Value & 0xFFFF);
        return m;
    }

    private void RefuseWrites(string operation)
    {
        if (_writesRefused)
        {
            StDriveErrors.Throw(DeviceName, operation, TapeErrorKind.NotSupported, null, _writesRefusedReason);
        }
    }

    private void RefuseUnsafeFilemarks(string operation)
    {
        if (!Capabilities.SynchronousFilemarks && !_options.AllowUnsafeFilemarks)
        {
            StDriveErrors.Throw(DeviceName, operation, TapeErrorKind.NotSupported, null,
                "filemarks on this drive never synchronise (st option nowait-eof); data written since the last successful synchronisation may be lost on a power failure");
        }
    }

    private void RequireLogicalPositioning(string operation)
    {
        if (!_logicalPositioning)
        {
            StDriveErrors.Throw(DeviceName, operation, TapeErrorKind.NotSupported, null, NoLogicalMessage());
        }
    }

    private string NoLogicalMessage() =>
        $"the st driver does not use logical block addresses on {_path}; add scsi2logical to its stinit entry or run 'mt -f {_path} stsetoptions scsi2logical' as root";

    private StResult WriteOnce(ReadOnlySpan<byte> block)
    {
        StResult r;
        do
        {
            r = _sys.Write(_fd, block);
        }
        while (r.Failed && r.Errno == Errno.EINTR);
        return r;
    }

    private static void ValidateCount(int count)
    {
        if (count == 0 || count < -MaxCount || count > MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must satisfy 1 ≤ |count| ≤ 8388607 (st's 24-bit SPACE count).");
        }
    }

    private static void ValidatePositive(int count)
    {
        if (count is < 1 or > MaxCount)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be 1 … 8388607.");
        }
    }

    private static string Describe(short code, int count) => MtOpCode.Name(code) + " " + count.ToString(CultureInfo.InvariantCulture);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    private void ReleaseQuietly()
    {
        _disposed = true;
        _sys.Close(_fd);
        _onDispose?.Invoke();
    }
}
