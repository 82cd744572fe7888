using System.Globalization;
using TapeKit.Devices.St;
using TapeKit.Devices.Virtual.Format;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// A deterministic virtual tape drive (docs/devices/st-driver.md): the managed st model
/// over a file-backed cartridge, with simulated time and seeded faults. Its handles
/// (<see cref="OpenHandle"/>) are the same <c>StTapeDrive</c> front end the Linux backend uses, so
/// the virtual drive shows every st quirk an application will meet on Linux. Nothing sleeps for
/// real: every operation advances the <see cref="VirtualClock"/>.
/// </summary>
/// <remarks>
/// The factory defaults turn the st option <c>scsi2logical</c> on (a configured site, T19); pass
/// <see cref="VirtualDriveOptions"/> with <see cref="VirtualDriveOptions.Scsi2Logical"/> off to see
/// the kernel default. The drive object itself is thread-safe; a handle is used from one thread.
/// </remarks>
public sealed class VirtualTapeDrive : IDisposable
{
    private readonly VirtualStSyscalls _model;
    private bool _disposed;

    /// <summary>Creates an empty drive.</summary>
    /// <param name="options">The drive configuration; defaults to <see cref="DefaultOptions"/>.</param>
    /// <param name="clock">The simulated clock; a new one when <see langword="null"/>.</param>
    /// <param name="profile">The drive generation, used for timing until a cartridge names its own; LTO-9 by default.</param>
    /// <param name="number">The drive number N of its device paths <c>/dev/nstN</c>, 0 … 31.</param>
    /// <param name="name">The device name handles report; <c>vdrive</c>N by default.</param>
    public VirtualTapeDrive(VirtualDriveOptions? options = null, VirtualClock? clock = null, MediaProfile? profile = null, int number = 0, string? name = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(number);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(number, 31);
        Options = options ?? DefaultOptions;
        Clock = clock ?? new VirtualClock();
        Number = number;
        Name = name ?? "vdrive" + number.ToString(CultureInfo.InvariantCulture);
        Transport = new VirtualTransport(Clock, profile ?? MediaProfile.Lto9);
        _model = new VirtualStSyscalls(number, Transport, Options);
        _gate = _model.Gate;
    }

    /// <summary>The factory default: the kernel's defaults with <c>scsi2logical</c> on.</summary>
    public static VirtualDriveOptions DefaultOptions { get; } = new() { Scsi2Logical = true };

    /// <summary>The drive configuration.</summary>
    public VirtualDriveOptions Options { get; }

    /// <summary>The simulated clock the drive advances.</summary>
    public VirtualClock Clock { get; }

    /// <summary>The drive number N (<c>/dev/nstN</c>).</summary>
    public int Number { get; }

    /// <summary>The device name handles report.</summary>
    public string Name { get; }

    /// <summary>The drive's counters: blocks and bytes moved, filemarks, locates, and where simulated time went.</summary>
    public DriveStatistics Statistics
    {
        get
        {
            lock (_gate)
            {
                return Transport.Timing.Statistics;
            }
        }
    }

    /// <summary>The directory of the cartridge in the drive (loaded or ejected), or <see langword="null"/>.</summary>
    public string? CartridgeDirectory
    {
        get
        {
            lock (_gate)
            {
                return Transport.Store?.Directory;
            }
        }
    }

    /// <summary>The VSN of the cartridge in the drive, or <see langword="null"/>.</summary>
    public string? Vsn
    {
        get
        {
            lock (_gate)
            {
                return Transport.Store?.Header.Vsn;
            }
        }
    }

    /// <summary>Whether the cartridge in the drive is loaded (not ejected into the throat).</summary>
    public bool IsLoaded
    {
        get
        {
            lock (_gate)
            {
                return Transport.State == MediumState.Loaded;
            }
        }
    }

    /// <summary>Whether a handle is open (one at a time, T1).</summary>
    public bool IsOpen => _model.InUse;

    /// <summary>Charge 3600 simulated seconds of media optimisation at a cartridge's first load (LTO-9, docs/devices/st-driver.md#simulated-time).</summary>
    public bool SimulateMediaOptimization
    {
        get => Transport.SimulateMediaOptimization;
        set => Transport.SimulateMediaOptimization = value;
    }

    internal VirtualTransport Transport { get; }

    /// <summary>The model's lock: medium changes never interleave with a running system call (docs/devices/shared-virtual-library.md).</summary>
    private readonly Lock _gate;

    internal VirtualStSyscalls Model => _model;

    /// <summary>Opens a standalone drive with one cartridge loaded and returns a handle; disposing the handle releases the drive and the cartridge.</summary>
    /// <param name="cartridgeDirectory">The cartridge directory.</param>
    /// <param name="options">How to open the handle.</param>
    /// <param name="driveOptions">The drive configuration; defaults to <see cref="DefaultOptions"/>.</param>
    /// <param name="clock">The simulated clock.</param>
    /// <returns>The handle.</returns>
    public static ITapeDrive Open(string cartridgeDirectory, TapeOpenOptions? options = null, VirtualDriveOptions? driveOptions = null, VirtualClock? clock = null)
    {
        var drive = new VirtualTapeDrive(driveOptions, clock, name: cartridgeDirectory);
        try
        {
            drive.InsertCartridge(cartridgeDirectory);
            return drive.OpenHandleCore(options, disposeDriveWithHandle: true);
        }
        catch
        {
            drive.Dispose();
            throw;
        }
    }

    /// <summary>Puts a cartridge into the empty drive and loads it (what a library mount does).</summary>
    /// <param name="cartridgeDirectory">The cartridge directory.</param>
    /// <exception cref="TapeDriveException">The cartridge is damaged or in use elsewhere, or the drive is occupied.</exception>
    public void InsertCartridge(string cartridgeDirectory) => InsertCartridge(cartridgeDirectory, threadedAt: null);

    /// <summary>
    /// Takes over a cartridge another user of a shared library left loaded in this drive: no load is charged, and the
    /// head is where that user left it (a later rewind or unload costs what it would have cost it).
    /// </summary>
    /// <param name="cartridgeDirectory">The cartridge directory.</param>
    /// <param name="headOffset">The head's position, bytes from BOT.</param>
    internal void AdoptCartridge(string cartridgeDirectory, long headOffset) => InsertCartridge(cartridgeDirectory, (long?)headOffset);

    /// <summary>Where the head is along the tape, bytes from BOT.</summary>
    internal long HeadOffset => Transport.Timing.HeadOffset;

    private void InsertCartridge(string cartridgeDirectory, long? threadedAt)
    {
        ArgumentException.ThrowIfNullOrEmpty(cartridgeDirectory);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (Transport.State != MediumState.Empty)
            {
                throw new TapeDriveException($"{Name}: the drive already holds cartridge {Transport.Store!.Header.Vsn}.", TapeErrorKind.DeviceError, null, "load", Name);
            }

            CartridgeStore store;
            try
            {
                store = CartridgeStore.Open(cartridgeDirectory, Options.Durability);
            }
            catch (CartridgeLockedException e)
            {
                throw new TapeDriveException($"{Name}: {e.Message}", TapeErrorKind.Busy, Errno.EBUSY, "load", Name);
            }
            catch (TapeFormatException e)
            {
                throw new TapeDriveException($"{Name}: cannot load {cartridgeDirectory}: {e.Message}", TapeErrorKind.DeviceError, null, "load", Name);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TapeDriveException($"{Name}: cannot load {cartridgeDirectory}: {e.Message}", TapeErrorKind.DeviceError, null, "load", Name);
            }

            try
            {
                MediaProfile profile = MediaProfile.All.FirstOrDefault(p => p.Name == store.Header.MediaProfile) ?? Transport.Timing.Profile;
                Transport.Timing.Profile = profile with { Capacity = (long)Math.Min(store.Header.Capacity, long.MaxValue) };
                Transport.Insert(store, threadedAt);
            }
            catch
            {
                store.Dispose();
                throw;
            }
        }
    }

    /// <summary>Takes the cartridge out of the drive (committing what the drive holds unless it failed).</summary>
    /// <returns>The cartridge directory, or <see langword="null"/> when the drive was empty.</returns>
    public string? RemoveCartridge()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var store = Transport.Remove();
            _model.MediumRemoved();
            string? directory = store?.Directory;
            store?.Dispose();
            return directory;
        }
    }

    /// <summary>Rewinds and ejects a loaded cartridge into the throat (what a library does before its robot takes it).</summary>
    internal void EjectIfLoaded()
    {
        lock (_gate)
        {
            if (Transport.State == MediumState.Loaded)
            {
                Transport.Eject();
                _model.MediumRemoved();
            }
        }
    }

    /// <summary>Opens a handle on the drive (<c>/dev/nstN</c>); one at a time (T1).</summary>
    /// <param name="options">How to open it.</param>
    /// <returns>The handle.</returns>
    public ITapeDrive OpenHandle(TapeOpenOptions? options = null) => OpenHandleCore(options, disposeDriveWithHandle: false);

    /// <summary>Arms a drive or cartridge fault (docs/devices/virtual-cartridge.md#faults); "after K" faults count from now.</summary>
    /// <param name="fault">The fault.</param>
    public void Arm(Fault fault) => _model.Arm(fault);

    /// <summary>Arms a fault given in its text form (docs/devices/virtual-cartridge.md#faults), e.g. <c>media-error read 12 sticky</c>.</summary>
    /// <param name="faultLine">The fault line.</param>
    public void Arm(string faultLine) => _model.Arm(Fault.Parse(faultLine));

    /// <summary>An immediate power loss: data after the last sync point is gone, the position is lost (T24).</summary>
    public void PowerLoss() => _model.PowerLoss();

    /// <summary>Clears a drive failure.</summary>
    public void Repair() => _model.Repair();

    /// <summary>Commits what the drive holds (the drive idles and writes its buffer) and releases the cartridge.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            Transport.Dispose();
        }
    }

    internal ITapeDrive OpenHandleCore(TapeOpenOptions? options, bool disposeDriveWithHandle) => OpenHandleCore(options, disposeDriveWithHandle ? Dispose : null);

    /// <summary>Opens a handle; <paramref name="closed"/> runs after the handle has been closed (a library gives its drive claim back then).</summary>
    internal ITapeDrive OpenHandleCore(TapeOpenOptions? options, Action? closed)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return StTapeDrive.Open(_model, _model.DevicePath, Name, options, closed);
    }
}
