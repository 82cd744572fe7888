using TapeKit.Devices.Virtual.Format;

namespace TapeKit.Devices.Virtual;

/// <summary>What the transport found when asked to write.</summary>
internal enum TransportWrite
{
    Written,
    WrittenPastEarlyWarning,
    DoesNotFit,
    MediaError,
    IdentifierLimit,
}

/// <summary>Whether a medium is in the drive and whether it is loaded.</summary>
internal enum MediumState
{
    Empty,
    Loaded,
    Ejected,
}

/// <summary>
/// The drive mechanism and the medium below the managed st model (docs/devices/rules.md, the
/// transport state): the object list of the loaded cartridge, the position, early warning and the
/// physical end, cartridge-level faults (docs/devices/virtual-cartridge.md#faults) and the timing model (docs/devices/st-driver.md#simulated-time). It knows nothing of st's
/// bookkeeping; <see cref="VirtualStSyscalls"/> adds that.
/// </summary>
internal sealed class VirtualTransport : IDisposable
{
    /// <summary>Objects are numbered below 2³¹ (T19).</summary>
    public const long MaxObjects = int.MaxValue;

    private readonly List<(long Id, bool Sticky)> _readErrors = [];
    private readonly List<(long Id, bool Sticky)> _writeErrors = [];
    private (ulong Seed, ulong Read, ulong Write)? _random;
    private long _notReadySeconds;
    private long _readyAt;
    private long? _pendingEarlyWarning;
    private long? _pendingEndOfMedium;
    private bool _tab;

    public VirtualTransport(VirtualClock clock, MediaProfile profile)
    {
        Timing = new TimingModel(clock, profile);
    }

    public TimingModel Timing { get; }

    public MediumState State { get; private set; }

    public CartridgeStore? Store { get; private set; }

    /// <summary>Index of the next object (0 ≤ p ≤ EOD).</summary>
    public long Position { get; private set; }

    /// <summary>Increases at every load; st's medium identity (T2, T18).</summary>
    public long LoadGeneration { get; private set; }

    public long EarlyWarning { get; private set; }

    public long PhysicalEnd { get; private set; }

    public bool Failed { get; set; }

    public bool CleaningRequested { get; set; }

    /// <summary>Simulate LTO-9 media optimisation at the first load of a cartridge (docs/devices/st-driver.md#simulated-time).</summary>
    public bool SimulateMediaOptimization { get; set; }

    /// <summary>Whether the loaded cartridge has never been loaded before (the library's wear counter).</summary>
    public Func<CartridgeStore, bool>? IsFirstLoad { get; set; }

    public CartridgeStore Medium => Store ?? throw new InvalidOperationException("No cartridge is loaded.");

    public long EndOfData => Medium.Count;

    public bool WriteProtected => Store is { } s && (_tab || s.ReadOnlyVersion);

    /// <summary>Sets or clears the cartridge's tab; it takes effect at the next load (docs/devices/virtual-cartridge.md#faults).</summary>
    public void SetWriteProtectTab(bool on) => Store?.SetWriteProtectTab(on);

    public byte DensityCode => Store?.Header.DensityCode ?? 0;

    public bool Ready => State == MediumState.Loaded && !Failed && Timing.Clock.Nanoseconds >= _readyAt;

    /// <summary>Nanoseconds until a not-ready drive becomes ready (0 when ready or empty).</summary>
    public long NotReadyRemaining => State == MediumState.Loaded ? Math.Max(0, _readyAt - Timing.Clock.Nanoseconds) : 0;

    /// <summary>A cartridge enters the drive and is loaded (library mount or a standalone drive).</summary>
    public void Insert(CartridgeStore store, long? threadedAt = null)
    {
        if (State != MediumState.Empty)
        {
            throw new InvalidOperationException("The drive already holds a cartridge.");
        }

        Store = store;
        State = MediumState.Ejected;
        LoadEjected(charged: threadedAt is null);
        if (threadedAt is { } head)
        {
            // Already loaded and threaded by the drive's previous user: ready at once, the head where it was left.
            Timing.HeadAt(head);
        }
    }

    /// <summary>Loads the cartridge waiting in the throat (T18 <c>MTLOAD</c>).</summary>
    public void LoadEjected() => LoadEjected(charged: true);

    private void LoadEjected(bool charged)
    {
        var store = Medium;
        State = MediumState.Loaded;
        LoadGeneration++;
        Position = 0;
        _tab = store.TabOnDisk;
        PhysicalEnd = (long)Math.Min(store.Header.Capacity, long.MaxValue);
        EarlyWarning = PhysicalEnd - (long)Math.Min(store.Header.EarlyWarningDistance, (ulong)PhysicalEnd);
        CleaningRequested = false;
        ApplyEndOfMedium(_pendingEarlyWarning, _pendingEndOfMedium);
        _pendingEarlyWarning = _pendingEndOfMedium = null;
        if (!charged)
        {
            _readyAt = Timing.Clock.Nanoseconds;
            return;
        }

        bool optimize = SimulateMediaOptimization && (IsFirstLoad?.Invoke(store) ?? false);
        Timing.Load(optimize);
        _readyAt = Timing.Clock.Nanoseconds + (_notReadySeconds * 1_000_000_000);
    }

    /// <summary>Rewinds and ejects (a sync point); the cartridge waits in the throat.</summary>
    public void Eject()
    {
        Sync();
        Timing.Unload();
        Position = 0;
        State = MediumState.Ejected;
    }

    /// <summary>Takes the cartridge out of the drive (library); commits first unless the drive failed.</summary>
    public CartridgeStore? Remove()
    {
        var store = Store;
        if (store is not null && !Failed)
        {
            store.Sync();
        }

        Store = null;
        State = MediumState.Empty;
        Position = 0;
        return store;
    }

    /// <summary>A sync point (docs/devices/virtual-cartridge.md#writing-synchronising-and-crashes): commits when something is uncommitted.</summary>
    public void Sync()
    {
        if (Store is { HasUncommitted: true } s)
        {
            s.Sync();
            Timing.CountSync();
        }
    }

    /// <summary>Power loss (docs/devices/virtual-cartridge.md#writing-synchronising-and-crashes P): uncommitted objects are gone, the medium stays loaded at BOT.</summary>
    public void PowerLoss()
    {
        if (State != MediumState.Empty)
        {
            Store!.DropUncommitted();
        }

        Position = 0;
        Timing.HeadAt(0);
    }

    /// <summary>Drive failure: the buffer dies with the drive.</summary>
    public void Fail()
    {
        if (State != MediumState.Empty)
        {
            Store!.DropUncommitted();
            Position = Math.Min(Position, Store.Count);
        }

        Failed = true;
    }

    public bool IsFilemarkAt(long id) => Medium[id].IsFilemark;

    public uint LengthAt(long id) => Medium[id].Length;

    public long TapeOffsetAt(long id) => Medium.TapeOffset(id);

    public int FilemarksBefore(long id) => Medium.FilemarksBefore(id);

    public int FilemarkCount => Medium.FilemarkCount;

    public long FilemarkAt(int n) => Medium.FilemarkAt(n);

    /// <summary>Reads data block <see cref="Position"/> into <paramref name="destination"/> and moves past it; false when its stored CRC does not match (T27).</summary>
    public bool ReadData(Span<byte> destination)
    {
        long id = Position;
        var record = Medium[id];
        Timing.Stream(record.Length, Medium.TapeOffset(id + 1), write: false);
        Position = id + 1;
        bool ok = Medium.ReadPayload(id, destination);
        if (ok)
        {
            Timing.Delivered(record.Length);
        }

        return ok;
    }

    /// <summary>Whether reading data block <paramref name="id"/> fails by an injected fault (consumes a once fault).</summary>
    public bool ReadFault(long id) => Consume(_readErrors, id) || (_random is { } r && SplitMix64.Hash(r.Seed ^ (ulong)id) < r.Read);

    /// <summary>Moves past data block <see cref="Position"/> without delivering it (a read into a too-small buffer, T5).</summary>
    public void SkipData()
    {
        long id = Position;
        Timing.Stream(Medium[id].Length, Medium.TapeOffset(id + 1), write: false);
        Position = id + 1;
    }

    /// <summary>Moves past the filemark at <see cref="Position"/>.</summary>
    public void PassFilemark() => Position++;

    /// <summary>Writes a data block at <see cref="Position"/> (T9, T10 steps 3–5, docs/devices/virtual-cartridge.md#faults write faults).</summary>
    public TransportWrite WriteBlock(ReadOnlySpan<byte> block)
    {
        var store = Medium;
        long p = Position;
        long end = store.TapeOffset(p) + block.Length;
        if (end > PhysicalEnd)
        {
            store.Truncate(p);
            return TransportWrite.DoesNotFit;
        }

        if (p >= MaxObjects)
        {
            return TransportWrite.IdentifierLimit;
        }

        if (WriteFault(p))
        {
            store.Truncate(p);
            return TransportWrite.MediaError;
        }

        store.Truncate(p);
        store.AppendBlock(block);
        Position = p + 1;
        Timing.Stream(block.Length, end, write: true);
        return end > EarlyWarning ? TransportWrite.WrittenPastEarlyWarning : TransportWrite.Written;
    }

    /// <summary>Writes up to <paramref name="count"/> filemarks at <see cref="Position"/>; returns how many were written before a failure.</summary>
    public (int Written, TransportWrite Result) WriteFilemarks(int count, bool synchronising)
    {
        var store = Medium;
        long p = Position;
        int written = 0;
        var result = TransportWrite.Written;
        for (; written < count; written++)
        {
            long id = p + written;
            if (id >= MaxObjects)
            {
                result = TransportWrite.IdentifierLimit;
                break;
            }

            if (WriteFault(id))
            {
                store.Truncate(id);
                result = TransportWrite.MediaError;
                break;
            }

            store.Truncate(id);
            store.AppendFilemark();
        }

        Position = p + written;
        Timing.Filemarks(written, synchronising, store.TapeOffset(Position));
        if (synchronising && result == TransportWrite.Written)
        {
            Sync();
        }

        return (written, result);
    }

    /// <summary>Synchronises the drive buffer (<c>MTWEOF 0</c>).</summary>
    public void SynchronizeBuffer()
    {
        Timing.Synchronize();
        Sync();
    }

    /// <summary>Erases from <see cref="Position"/> to the end (T21); a sync point.</summary>
    public void Erase()
    {
        Medium.Truncate(Position);
        Sync();
    }

    /// <summary>Moves to object <paramref name="target"/> (a locate; spacing and <c>MTEOM</c> use it too).</summary>
    public void MoveTo(long target)
    {
        Timing.Locate(Medium.TapeOffset(target));
        Position = target;
    }

    /// <summary>Rewinds to BOT.</summary>
    public void Rewind()
    {
        Timing.Rewind();
        Position = 0;
    }

    /// <summary>Arms a drive or cartridge fault that the transport handles.</summary>
    public void Arm(Fault fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.MediaErrorRead:
                _readErrors.Add((fault.Number, fault.Sticky));
                break;
            case FaultKind.MediaErrorWrite:
                _writeErrors.Add((fault.Number, fault.Sticky));
                break;
            case FaultKind.RandomMediaErrors:
                _random = ((ulong)fault.Number, Fault.Threshold(fault.ReadRate), Fault.Threshold(fault.WriteRate));
                break;
            case FaultKind.NotReady:
                _notReadySeconds = fault.Number;
                break;
            case FaultKind.EarlyWarningAt when State == MediumState.Loaded:
                ApplyEndOfMedium(fault.Number, null);
                break;
            case FaultKind.EarlyWarningAt:
                _pendingEarlyWarning = fault.Number;
                break;
            case FaultKind.EndOfMediumAt when State == MediumState.Loaded:
                ApplyEndOfMedium(null, fault.Number);
                break;
            case FaultKind.EndOfMediumAt:
                _pendingEndOfMedium = fault.Number;
                break;
            case FaultKind.CleaningRequest:
                CleaningRequested = true;
                break;
            default:
                throw new ArgumentException($"The fault \"{fault}\" is not a transport fault.", nameof(fault));
        }
    }

    public void Dispose()
    {
        if (Store is { } s)
        {
            if (!Failed)
            {
                s.Sync();
            }

            s.Dispose();
            Store = null;
            State = MediumState.Empty;
        }
    }

    private void ApplyEndOfMedium(long? earlyWarning, long? endOfMedium)
    {
        if (earlyWarning is long ew)
        {
            EarlyWarning = ew;
        }

        if (endOfMedium is long eom)
        {
            PhysicalEnd = eom;
            EarlyWarning = Math.Min(EarlyWarning, eom);
        }
    }

    private bool WriteFault(long id) => Consume(_writeErrors, id) || (_random is { } r && SplitMix64.Hash(r.Seed ^ (ulong)id) < r.Write);

    private static bool Consume(List<(long Id, bool Sticky)> faults, long id)
    {
        for (int i = 0; i < faults.Count; i++)
        {
            if (faults[i].Id == id)
            {
                if (!faults[i].Sticky)
                {
                    faults.RemoveAt(i);
                }

                return true;
            }
        }

        return false;
    }
}
