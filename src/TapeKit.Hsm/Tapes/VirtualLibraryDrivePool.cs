using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// An <see cref="ITapeDrivePool"/> over some drives of a <see cref="VirtualTapeLibrary"/>: a cartridge already in
/// a free drive is reused; otherwise an empty drive is preferred, then the one whose cartridge was released
/// longest ago, which is unmounted first. Robot moves are recorded through the <see cref="IMountRecorder"/> it is given.
/// Each mount gets its own <see cref="TapeDriveWorker"/>: a dedicated thread per drive, as for a real drive, unless
/// the pool is told otherwise (a simulation under a <see cref="SimulationScheduler"/> uses <see cref="TapeDriveWorker.Inline"/>).
/// </summary>
public sealed class VirtualLibraryDrivePool : ITapeDrivePool
{
    private readonly VirtualTapeLibrary _library;
    private readonly int[] _drives;
    private readonly HashSet<int> _busy = [];
    private readonly Dictionary<int, long> _releasedAt = [];
    private readonly Lock _gate = new();
    private readonly IMountRecorder? _recorder;
    private readonly Func<ITapeDrive, TapeDriveWorker> _workers;
    private long _releases;
    private int _mounts;

    /// <summary>Creates the pool.</summary>
    /// <param name="library">The library.</param>
    /// <param name="drives">The drive numbers this pool may use; all of the library's when <see langword="null"/>.</param>
    /// <param name="recorder">Where mounts and dismounts are recorded (a <see cref="CatalogMountRecorder"/> in an HSM host); <see langword="null"/> records nothing.</param>
    /// <param name="workers">
    /// Makes the worker of each mount's open drive handle (the mount owns it); a dedicated thread per mounted drive
    /// (<see cref="TapeDriveWorker(ITapeDrive)"/>) when <see langword="null"/>.
    /// </param>
    public VirtualLibraryDrivePool(VirtualTapeLibrary library, IEnumerable<int>? drives = null, IMountRecorder? recorder = null, Func<ITapeDrive, TapeDriveWorker>? workers = null)
    {
        ArgumentNullException.ThrowIfNull(library);
        _library = library;
        _recorder = recorder;
        _workers = workers ?? (handle => new TapeDriveWorker(handle));
        _drives = [.. drives ?? Enumerable.Range(0, library.Options.Drives)];
        if (_drives.Length == 0)
        {
            throw new ArgumentException("A drive pool needs at least one drive.", nameof(drives));
        }
    }

    /// <inheritdoc/>
    public int Mounts => Volatile.Read(ref _mounts);

    /// <inheritdoc/>
    public TapeMount Acquire(string vsn) => Take(vsn, out _);

    /// <inheritdoc/>
    public async ValueTask<TapeMount> AcquireAsync(string vsn, CancellationToken ct = default)
    {
        TapeMount mount = Take(vsn, out string? evicted);
        if (_recorder is null || !mount.RobotMounted)
        {
            return mount;
        }

        try
        {
            if (evicted is not null)
            {
                await _recorder.DismountedAsync(evicted, ct);
            }

            await _recorder.MountedAsync(vsn, ct);
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<string>> DismountIdleAsync(CancellationToken ct = default)
    {
        IReadOnlyList<string> dismounted = UnloadIdleDrives();
        if (_recorder is not null)
        {
            foreach (string vsn in dismounted)
            {
                await _recorder.DismountedAsync(vsn, ct);
            }
        }

        return dismounted;
    }

    /// <summary>Takes a drive for <paramref name="vsn"/>, telling which cartridge the robot took out to make room.</summary>
    private TapeMount Take(string vsn, out string? evicted)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        evicted = null;
        lock (_gate)
        {
            LibraryInventory inventory = _library.Inventory();
            var loaded = inventory.Drives.Where(d => _drives.Contains(d.Drive)).ToDictionary(d => d.Drive, d => d.Vsn);
            int? holder = loaded.Where(d => d.Value == vsn).Select(d => (int?)d.Key).FirstOrDefault();
            if (holder is int busyDrive && _busy.Contains(busyDrive))
            {
                throw new TapeMountException(vsn, $"Cartridge {vsn} is in drive {busyDrive}, which another session is using.", busy: true);
            }

            bool robot = holder is null;
            int drive = holder ?? _drives.Where(d => !_busy.Contains(d))
                .OrderBy(d => loaded.GetValueOrDefault(d) is null ? 0 : 1)
                .ThenBy(d => _releasedAt.GetValueOrDefault(d))
                .Select(d => (int?)d).FirstOrDefault()
                ?? throw new TapeMountException(vsn, $"No drive is free for {vsn}: all {_drives.Length} are in use.", busy: true);
            try
            {
                if (robot)
                {
                    if (loaded.GetValueOrDefault(drive) is { } previous)
                    {
                        Unmount(inventory, drive);
                        evicted = previous;
                    }

                    _library.Mount(vsn, drive);
                    _mounts++;
                }

                ITapeDrive handle = _library.OpenDrive(drive);
                TapeDriveWorker worker;
                try
                {
                    worker = _workers(handle);
                }
                catch
                {
                    handle.Dispose();
                    throw;
                }

                _busy.Add(drive);
                return new TapeMount(vsn, drive, worker, robot, Release, BusyTimeOf(drive));
            }
            catch (TapeDriveException e)
            {
                throw new TapeMountException(vsn, $"Mounting {vsn} on drive {drive} failed: {e.Message}", e);
            }
        }
    }

    private List<string> UnloadIdleDrives()
    {
        lock (_gate)
        {
            var dismounted = new List<string>();
            foreach ((int drive, string? vsn, _, _) in _library.Inventory().Drives)
            {
                if (vsn is not null && _drives.Contains(drive) && !_busy.Contains(drive))
                {
                    Unmount(_library.Inventory(), drive);
                    dismounted.Add(vsn);
                }
            }

            return dismounted;
        }
    }

    private void Unmount(LibraryInventory inventory, int drive)
    {
        // Back home, or to the first free storage slot when a new cartridge took the home slot.
        SlotAddress? home = inventory.Drives.First(d => d.Drive == drive).Home;
        bool homeFree = home is { } h && inventory.Slots.Any(s => s.Slot == h && s.Vsn is null);
        _library.Unmount(drive, homeFree ? null : inventory.Slots.First(s => s.Slot.Kind == SlotKind.Storage && s.Vsn is null).Slot);
    }

    private Func<TimeSpan>? BusyTimeOf(int drive)
    {
        try
        {
            VirtualTapeDrive managed = _library.Drive(drive);
            return () => TimeSpan.FromTicks(managed.Statistics.BusyNanoseconds / 100);
        }
        catch (InvalidOperationException)
        {
            return null; // Drives of the native emulation keep their counters in the emulation.
        }
    }

    private void Release(TapeMount mount)
    {
        lock (_gate)
        {
            _busy.Remove(mount.Drive);
            _releasedAt[mount.Drive] = ++_releases;
        }
    }
}
