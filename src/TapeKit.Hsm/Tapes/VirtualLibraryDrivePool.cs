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
/// <remarks>
/// A drive is lent under the library's claim on it (<see cref="VirtualTapeLibrary.TryClaimDrive"/>), held until the
/// mount is disposed. Over a shared library (<see cref="VirtualLibraryOptions.Shared"/>) pools in several processes
/// thus compete for the same drives: a drive another process holds counts as busy — the pool tries the next one, or
/// throws <see cref="TapeMountException"/> with <see cref="TapeMountException.Busy"/> — and never waits for it.
/// </remarks>
public sealed class VirtualLibraryDrivePool : ITapeDrivePool
{
    private readonly VirtualTapeLibrary _library;
    private readonly int[] _drives;
    private readonly Dictionary<int, IDisposable> _busy = [];
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

    /// <summary>The library.</summary>
    public VirtualTapeLibrary Library => _library;

    /// <summary>The drive numbers this pool may use.</summary>
    public IReadOnlyList<int> Drives => _drives;

    /// <inheritdoc/>
    public TapeMount Acquire(string vsn) => Take(vsn, out _);

    /// <inheritdoc/>
    public async ValueTask<TapeMount> AcquireAsync(string vsn, CancellationToken ct = default)
    {
        TapeMount mount = Take(vsn, out string? evicted);
        return await RecordedAsync(mount, evicted, ct);
    }

    /// <summary>
    /// Takes drive <paramref name="drive"/> for <paramref name="vsn"/> — the drive a scheduler granted — mounting the
    /// cartridge unless it is there (a cartridge left in the drive is unloaded first), and records the robot moves.
    /// </summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="drive">The drive, one of <see cref="Drives"/>.</param>
    /// <param name="ct">Cancels the recording.</param>
    /// <returns>The mount; dispose it to give the drive back (the cartridge stays loaded).</returns>
    /// <exception cref="TapeMountException">The drive is in use, or the cartridge is in another drive (<see cref="TapeMountException.Busy"/>), or the mount failed.</exception>
    public async ValueTask<TapeMount> AcquireOnAsync(string vsn, int drive, CancellationToken ct = default)
    {
        if (!_drives.Contains(drive))
        {
            throw new ArgumentOutOfRangeException(nameof(drive), drive, "The drive is not one of this pool's.");
        }

        TapeMount mount = Take(vsn, out string? evicted, drive);
        return await RecordedAsync(mount, evicted, ct);
    }

    /// <summary>Unloads drive <paramref name="drive"/> if it is free and holds a cartridge, and records the dismount.</summary>
    /// <param name="drive">The drive, one of <see cref="Drives"/>.</param>
    /// <param name="ct">Cancels the recording.</param>
    /// <returns>The cartridge unloaded, or <see langword="null"/> when the drive was empty or in use.</returns>
    public async ValueTask<string?> DismountAsync(int drive, CancellationToken ct = default)
    {
        string? vsn = UnloadIdleDrives(drive).FirstOrDefault();
        if (vsn is not null && _recorder is not null)
        {
            await _recorder.DismountedAsync(vsn, ct);
        }

        return vsn;
    }

    private async ValueTask<TapeMount> RecordedAsync(TapeMount mount, string? evicted, CancellationToken ct)
    {
        string vsn = mount.Vsn;
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
    private TapeMount Take(string vsn, out string? evicted, int? only = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        evicted = null;
        lock (_gate)
        {
            // Another process of a shared library may move cartridges between reading the inventory and claiming a
            // drive; then the plan is made again (a few times: each retry follows someone else's progress).
            for (int attempt = 0; ; attempt++)
            {
                LibraryInventory inventory = _library.Inventory();
                var loaded = LoadedDrives(inventory);
                int? holder = HolderOf(loaded, vsn);
                if (holder is int busyDrive && _busy.ContainsKey(busyDrive))
                {
                    throw new TapeMountException(vsn, $"Cartridge {vsn} is in drive {busyDrive}, which another session is using.", busy: true);
                }

                if (only is int wanted && holder is int elsewhere && elsewhere != wanted)
                {
                    // The scheduler's view is behind the robot (a cartridge being unloaded elsewhere): ask again later.
                    throw new TapeMountException(vsn, $"Cartridge {vsn} is still in drive {elsewhere}, not in drive {wanted}.", busy: true);
                }

                IEnumerable<int> candidates = only is int one ? (_busy.ContainsKey(one) ? [] : [one]) : holder is int h ? [h] : _drives.Where(d => !_busy.ContainsKey(d))
                    .OrderBy(d => loaded.GetValueOrDefault(d) is null ? 0 : 1)
                    .ThenBy(d => _releasedAt.GetValueOrDefault(d));
                bool changed = false;
                foreach (int drive in candidates)
                {
                    if (!_library.TryClaimDrive(drive, out IDisposable? claim))
                    {
                        continue; // another process (or another user of this library object) has it
                    }

                    LibraryInventory now = _library.Inventory();
                    var nowLoaded = LoadedDrives(now);
                    if (HolderOf(nowLoaded, vsn) != holder || nowLoaded.GetValueOrDefault(drive) != loaded.GetValueOrDefault(drive))
                    {
                        claim.Dispose();
                        changed = true;
                        break;
                    }

                    return MountOn(vsn, drive, holder is null, now, claim, out evicted);
                }

                if (!changed || attempt >= 3)
                {
                    throw only is int taken && holder is null
                        ? new TapeMountException(vsn, $"Drive {taken} is in use by another session.", busy: true)
                        : holder is int held
                        ? new TapeMountException(vsn, $"Cartridge {vsn} is in drive {held}, which another process is using.", busy: true)
                        : new TapeMountException(vsn, $"No drive is free for {vsn}: all {_drives.Length} are in use.", busy: true);
                }
            }
        }
    }

    /// <summary>Mounts (unless the cartridge is in the drive already) and opens the claimed drive; gives the claim back on failure.</summary>
    private TapeMount MountOn(string vsn, int drive, bool robot, LibraryInventory inventory, IDisposable claim, out string? evicted)
    {
        evicted = null;
        try
        {
            if (robot)
            {
                if (LoadedDrives(inventory).GetValueOrDefault(drive) is { } previous)
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

            _busy.Add(drive, claim);
            return new TapeMount(vsn, drive, worker, robot, Release, BusyTimeOf(drive));
        }
        catch (TapeDriveException e)
        {
            claim.Dispose();
            throw new TapeMountException(vsn, $"Mounting {vsn} on drive {drive} failed: {e.Message}", e)
            {
                FailedDrive = e is TapeLibraryException { LibraryKind: TapeLibraryErrorKind.DriveFailed } ? drive : null,
                CartridgeMissing = e is TapeLibraryException { LibraryKind: TapeLibraryErrorKind.NoSuchCartridge } && !_library.Inventory().Cartridges.Any(c => c.Vsn == vsn),
            };
        }
        catch
        {
            claim.Dispose();
            throw;
        }
    }

    private Dictionary<int, string?> LoadedDrives(LibraryInventory inventory) =>
        inventory.Drives.Where(d => _drives.Contains(d.Drive)).ToDictionary(d => d.Drive, d => d.Vsn);

    private static int? HolderOf(Dictionary<int, string?> loaded, string vsn) =>
        loaded.Where(d => d.Value == vsn).Select(d => (int?)d.Key).FirstOrDefault();

    private List<string> UnloadIdleDrives(int? only = null)
    {
        lock (_gate)
        {
            var dismounted = new List<string>();
            foreach ((int drive, string? vsn, _, _) in _library.Inventory().Drives)
            {
                if (vsn is null || !_drives.Contains(drive) || (only is int one && drive != one) || _busy.ContainsKey(drive) || !_library.TryClaimDrive(drive, out IDisposable? claim))
                {
                    continue;
                }

                using (claim)
                {
                    // Claimed: nobody else can move this drive's cartridge now, but someone may have before.
                    LibraryInventory now = _library.Inventory();
                    if (now.Drives.First(d => d.Drive == drive).Vsn == vsn)
                    {
                        Unmount(now, drive);
                        dismounted.Add(vsn);
                    }
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
            if (_busy.Remove(mount.Drive, out IDisposable? claim))
            {
                claim.Dispose(); // the handle is closed: a shared library lets go of the cartridge for other processes
            }

            _releasedAt[mount.Drive] = ++_releases;
        }
    }
}
