namespace TapeKit.Devices.Virtual;

/// <summary>
/// The drive timing model of docs/devices/st-driver.md#simulated-time in integer arithmetic: streaming at the
/// native rate with back-hitches after host under-runs, a linear locate model over wraps in the
/// spirit of LTFS's file backend, rewind, load and unload. It keeps the drive's timeline
/// (<c>busyUntil</c>) and advances the <see cref="VirtualClock"/> to the end of each operation
/// (AutoAdvance mode).
/// </summary>
internal sealed class TimingModel(VirtualClock clock, MediaProfile profile)
{
    private const long Unit = 1_000_000_000; // longitudinal position ℓ in units of 1e-9 of the tape length

    private long _busyUntil;
    private long _streamEnd = -1;
    private long _headOffset;
    private DriveStatistics _stats;

    public MediaProfile Profile { get; set; } = profile;

    public VirtualClock Clock => clock;

    public DriveStatistics Statistics => _stats;

    /// <summary>Charges a data transfer of <paramref name="bytes"/> that ends at tape offset <paramref name="endOffset"/>.</summary>
    public void Stream(long bytes, long endOffset, bool write)
    {
        long start = Start();
        long duration = Transfer(bytes);
        if (_streamEnd >= 0 && start > _streamEnd + Transfer(Profile.DriveBuffer))
        {
            duration += Profile.BackHitchTime;
            _stats = _stats with { BackHitches = _stats.BackHitches + 1 };
        }

        _stats = write
            ? _stats with { BlocksWritten = _stats.BlocksWritten + 1, BytesWritten = _stats.BytesWritten + bytes, StreamingNanoseconds = _stats.StreamingNanoseconds + duration }
            : _stats with { BlocksRead = _stats.BlocksRead + 1, StreamingNanoseconds = _stats.StreamingNanoseconds + duration };
        _headOffset = endOffset;
        Finish(start, duration);
        _streamEnd = _busyUntil;
    }

    /// <summary>Counts bytes delivered to the host (the transfer itself was charged by <see cref="Stream"/>).</summary>
    public void Delivered(long bytes) => _stats = _stats with { BytesRead = _stats.BytesRead + bytes };

    /// <summary>Charges <paramref name="count"/> filemarks, synchronising or immediate.</summary>
    public void Filemarks(int count, bool synchronising, long endOffset)
    {
        long start = Start();
        long duration = synchronising ? Profile.SyncFilemarkTime : count * Profile.ImmediateFilemarkTime;
        _stats = _stats with { FilemarksWritten = _stats.FilemarksWritten + count, FilemarkNanoseconds = _stats.FilemarkNanoseconds + duration };
        _headOffset = endOffset;
        Finish(start, duration);
        if (synchronising)
        {
            _streamEnd = -1;
        }
        else
        {
            _streamEnd = _busyUntil;
        }
    }

    /// <summary>Charges a synchronisation without filemarks (<c>MTWEOF 0</c>).</summary>
    public void Synchronize()
    {
        long start = Start();
        long duration = Profile.SyncFilemarkTime;
        _stats = _stats with { FilemarkNanoseconds = _stats.FilemarkNanoseconds + duration };
        Finish(start, duration);
        _streamEnd = -1;
    }

    public void CountSync() => _stats = _stats with { SyncPoints = _stats.SyncPoints + 1 };

    /// <summary>Charges a locate from the head's position to tape offset <paramref name="target"/>.</summary>
    public void Locate(long target)
    {
        long start = Start();
        (int w1, long l1) = Geometry(_headOffset);
        (int w2, long l2) = Geometry(target);
        long fixedTerms = Profile.LocateOverhead + Profile.WrapChangeTime + Profile.DirectionChangeTime;
        long full = Math.Max(0, Profile.MaxLocateTime - fixedTerms);
        long duration = Profile.LocateOverhead + (long)((UInt128)(ulong)Math.Abs(l2 - l1) * (ulong)full / Unit);
        if (w1 != w2)
        {
            duration += Profile.WrapChangeTime;
        }

        if (Reversal(w1, l1, w2, l2))
        {
            duration += Profile.DirectionChangeTime;
        }

        if (target == _headOffset)
        {
            duration = 0;
        }

        _stats = _stats with { Locates = _stats.Locates + 1, PositioningNanoseconds = _stats.PositioningNanoseconds + duration };
        _headOffset = target;
        Finish(start, duration);
        _streamEnd = -1;
    }

    /// <summary>Charges a rewind from the head's position.</summary>
    public void Rewind()
    {
        long start = Start();
        long duration = RewindCost();
        _stats = _stats with { PositioningNanoseconds = _stats.PositioningNanoseconds + duration };
        _headOffset = 0;
        Finish(start, duration);
        _streamEnd = -1;
    }

    /// <summary>Charges a rewind and unload.</summary>
    public void Unload()
    {
        long start = Start();
        long rewind = RewindCost();
        _stats = _stats with { PositioningNanoseconds = _stats.PositioningNanoseconds + rewind, LoadNanoseconds = _stats.LoadNanoseconds + Profile.UnloadTime };
        _headOffset = 0;
        Finish(start, rewind + Profile.UnloadTime);
        _streamEnd = -1;
    }

    /// <summary>Charges a load to ready, with media optimisation when asked for.</summary>
    public void Load(bool mediaOptimization)
    {
        long start = Start();
        long duration = Profile.LoadTime + (mediaOptimization ? Profile.MediaOptimizationTime : 0);
        _stats = _stats with { LoadNanoseconds = _stats.LoadNanoseconds + duration };
        _headOffset = 0;
        Finish(start, duration);
        _streamEnd = -1;
    }

    /// <summary>Charges waiting time (a not-ready drive) without touching the statistics.</summary>
    public void Wait(long nanoseconds)
    {
        long start = Start();
        Finish(start, nanoseconds);
    }

    /// <summary>Where the head is along the tape, in bytes from BOT (what a drive keeps when its host lets go of it).</summary>
    public long HeadOffset => _headOffset;

    /// <summary>The head moved without cost (power loss leaves the medium at BOT).</summary>
    public void HeadAt(long offset)
    {
        _headOffset = offset;
        _streamEnd = -1;
    }

    private long Transfer(long bytes) => (long)((UInt128)(ulong)bytes * 1_000_000_000UL / (ulong)Profile.NativeRate);

    private long RewindCost()
    {
        (_, long l) = Geometry(_headOffset);
        long full = Math.Max(0, Profile.FullRewindTime - Profile.RewindOverhead);
        return _headOffset == 0 ? 0 : Profile.RewindOverhead + (long)((UInt128)(ulong)l * (ulong)full / Unit);
    }

    private (int Wrap, long Longitudinal) Geometry(long offset)
    {
        long capacity = Profile.Capacity;
        int wraps = Profile.Wraps;
        UInt128 scaled = (UInt128)(ulong)Math.Max(0, offset) * (ulong)wraps;
        int wrap = (int)Math.Min((ulong)(scaled / (ulong)capacity), (ulong)(wraps - 1));
        UInt128 within = scaled - ((UInt128)(ulong)wrap * (ulong)capacity);
        long u = (long)Math.Min((ulong)(within * Unit / (ulong)capacity), Unit);
        return (wrap, wrap % 2 == 0 ? u : Unit - u);
    }

    private static bool Reversal(int w1, long l1, int w2, long l2)
    {
        bool forward1 = w1 % 2 == 0;
        bool forward2 = w2 % 2 == 0;
        if (forward1 != forward2)
        {
            return true;
        }

        bool ahead = forward1 ? l2 >= l1 : l2 <= l1;
        return !ahead;
    }

    private long Start()
    {
        long now = clock.DeviceNow;
        if (now > _busyUntil && _busyUntil > 0)
        {
            _stats = _stats with { IdleNanoseconds = _stats.IdleNanoseconds + (now - _busyUntil) };
        }

        return Math.Max(now, _busyUntil);
    }

    private void Finish(long start, long duration)
    {
        _busyUntil = start + duration;
        clock.Charge(_busyUntil);
    }
}
