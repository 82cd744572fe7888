using System.Globalization;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// A simulated SCSI medium changer (docs/devices/shared-virtual-library.md): storage and import/export slots,
/// virtual drives, one robot that moves one cartridge at a time, mount counters and a wear budget,
/// library faults, and simulated time for every robot move and load. The inventory lives in
/// <c>&lt;root&gt;/library.json</c> (rewritten atomically after every change), the cartridges in
/// <c>&lt;root&gt;/cartridges/&lt;VSN&gt;.tkvt/</c>. All methods are synchronous and thread-safe.
/// With <see cref="VirtualLibraryOptions.Shared"/> several processes of one host use one library
/// directory at once (see <c>docs/devices/shared-virtual-library.md</c>).
/// </summary>
public sealed partial class VirtualTapeLibrary : IDisposable
{
    private readonly Lock _gate = new();
    private readonly string?[] _storage;
    private readonly string?[] _mail;
    private readonly ILibraryDrive[] _drives;
    private readonly SlotAddress?[] _homes;
    private readonly long[] _heads; // Shared: where each drive's head was left along its tape, for the next user.
    private readonly List<Fault> _faults = [];
    private long _robotFree;
    private long _robotMoves;
    private bool _disposed;

    private VirtualTapeLibrary(string root, VirtualLibraryOptions options, VirtualClock clock, Func<int, ILibraryDrive>? drives = null)
    {
        Root = root;
        Options = options;
        Clock = clock;
        _storage = new string?[options.StorageSlots];
        _mail = new string?[options.ImportExportSlots];
        _homes = new SlotAddress?[options.Drives];
        _heads = new long[options.Drives];
        _drives = new ILibraryDrive[options.Drives];
        for (int i = 0; i < options.Drives; i++)
        {
            if (drives is not null)
            {
                _drives[i] = drives(i);
                continue;
            }

            var drive = new VirtualTapeDrive(options.DriveOptions ?? VirtualTapeDrive.DefaultOptions, clock, options.Profile, i, $"{options.Name}/drive{i}")
            {
                SimulateMediaOptimization = options.SimulateMediaOptimization,
            };
            drive.Transport.IsFirstLoad = store => ReadWear(store.Directory).Loads == 0;
            _drives[i] = new ManagedLibraryDrive(drive);
        }
    }

    /// <summary>Raised when a cartridge reaches 90 % of its wear budget, and at every mount beyond it under <see cref="WearPolicy.Warn"/>.</summary>
    public event EventHandler<string>? WearWarning;

    /// <summary>Raised when a drive reports a cleaning request after a mount.</summary>
    public event EventHandler<int>? CleaningRequested;

    /// <summary>The library directory.</summary>
    public string Root { get; }

    /// <summary>The options the library was opened with.</summary>
    public VirtualLibraryOptions Options { get; }

    /// <summary>The simulated clock shared by the robot and the drives.</summary>
    public VirtualClock Clock { get; }

    /// <summary>Robot moves performed (failed moves included).</summary>
    public long RobotMoves => Interlocked.Read(ref _robotMoves);

    private string CartridgesDirectory => Path.Combine(Root, "cartridges");

    private string InventoryFile => Path.Combine(Root, "library.json");

    /// <summary>Opens the library at <paramref name="root"/>, creating it when it does not exist.</summary>
    /// <param name="root">The library directory.</param>
    /// <param name="options">Slots, drives, wear budget; defaults of docs/devices/shared-virtual-library.md.</param>
    /// <param name="clock">The simulated clock; a new one when <see langword="null"/>.</param>
    /// <returns>The library.</returns>
    public static VirtualTapeLibrary Open(string root, VirtualLibraryOptions? options = null, VirtualClock? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        options ??= new VirtualLibraryOptions();
        ValidateOptions(options);
        return Initialise(new VirtualTapeLibrary(root, options, clock ?? new VirtualClock()));
    }

    /// <summary>
    /// Opens a library whose drives are the native st emulation's <c>driveN</c> directories under
    /// <paramref name="emulationRoot"/> (docs/devices/shared-virtual-library.md): robot-driven flows run end to end
    /// through the real Linux backend. Only robot moves cost simulated time; drive statistics are not kept.
    /// </summary>
    /// <param name="root">The library directory.</param>
    /// <param name="emulationRoot">The emulation root (<c>TAPEKIT_VST_ROOT</c>); <c>driveN</c> folders are created as needed.</param>
    /// <param name="options">Slots, drives, wear budget.</param>
    /// <param name="clock">The simulated clock.</param>
    /// <returns>The library.</returns>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public static VirtualTapeLibrary ForNativeEmulation(string root, string emulationRoot, VirtualLibraryOptions? options = null, VirtualClock? clock = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(emulationRoot);
        options ??= new VirtualLibraryOptions();
        ValidateOptions(options);
        if (options.Shared)
        {
            throw new ArgumentException("A shared library needs managed drives; the native emulation's drives keep their state outside the library.", nameof(options));
        }

        return Initialise(new VirtualTapeLibrary(root, options, clock ?? new VirtualClock(), n =>
        {
            string dir = Path.Combine(emulationRoot, "drive" + n.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            return new EmulatedLibraryDrive(dir, n);
        }));
    }

    private static void ValidateOptions(VirtualLibraryOptions options)
    {
        if (options.StorageSlots < 1 || options.ImportExportSlots < 0 || options.Drives is < 1 or > 32)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "A library needs at least one storage slot and 1 … 32 drives.");
        }

        if (options.SharedLockTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.SharedLockTimeout, "The shared lock timeout cannot be negative.");
        }
    }

    private static VirtualTapeLibrary Initialise(VirtualTapeLibrary library)
    {
        Directory.CreateDirectory(library.CartridgesDirectory);
        if (library.Options.Shared)
        {
            library.InitialiseShared();
        }
        else if (File.Exists(library.InventoryFile))
        {
            library.LoadInventory();
        }
        else
        {
            library.SaveInventory();
        }

        return library;
    }

    /// <summary>
    /// The virtual drive <paramref name="drive"/> (statistics, faults). In a shared library it is this process's drive
    /// object, which holds a cartridge only while this instance has the drive's claim and has adopted or mounted it.
    /// </summary>
    /// <param name="drive">0-based drive number.</param>
    /// <returns>The drive.</returns>
    /// <exception cref="InvalidOperationException">The library runs over the native emulation, whose drives are not managed objects.</exception>
    public VirtualTapeDrive Drive(int drive) => _drives[CheckDrive(drive)].Managed
        ?? throw new InvalidOperationException("The drives of a library over the native emulation are reached with OpenDrive and the emulation's control functions.");

    /// <summary>Creates a blank cartridge in a storage slot (the first free one when <paramref name="slot"/> is null).</summary>
    /// <param name="vsn">The barcode.</param>
    /// <param name="profile">The media profile; the library's when <see langword="null"/>.</param>
    /// <param name="slot">The storage slot number.</param>
    /// <param name="options">Cartridge options (capacity, synthetic payloads …).</param>
    /// <returns>The slot it was put in.</returns>
    public SlotAddress CreateCartridge(string vsn, MediaProfile? profile = null, int? slot = null, VirtualCartridgeOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(vsn);
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot($"create {vsn}");
            if (Locate(vsn) is not null || Directory.Exists(CartridgePath(vsn)))
            {
                throw Fail(TapeLibraryErrorKind.DuplicateVsn, $"create {vsn}", $"a cartridge {vsn} already exists");
            }

            int index = slot is int s ? CheckSlot(SlotAddress.Storage(s)) : FreeStorageIndex();
            if (index < 0 || _storage[index] is not null)
            {
                throw Fail(TapeLibraryErrorKind.SlotOccupied, $"create {vsn}", index < 0 ? "every storage slot is occupied" : $"storage slot {index + 1} is occupied");
            }

            VirtualCartridge.Create(CartridgePath(vsn), vsn, profile ?? Options.Profile, options);
            _storage[index] = vsn;
            SaveInventory();
            return SlotAddress.Storage(index + 1);
        }
    }

    /// <summary>Mounts a cartridge: the robot moves it into the drive, which loads it; its load counter goes up by one.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="drive">The drive.</param>
    public void Mount(string vsn, int drive)
    {
        ArgumentNullException.ThrowIfNull(vsn);
        string op = $"mount {vsn} on drive {drive}";
        lock (_gate)
        {
            ThrowIfDisposed();
            CheckDrive(drive);
            using var claim = ClaimForOperation(drive, op);
            using var robot = EnterRobot(op);
            var from = Locate(vsn) as SlotAddress? ?? throw Fail(TapeLibraryErrorKind.NoSuchCartridge, op, Locate(vsn) is int d ? $"{vsn} is in drive {d}" : $"there is no cartridge {vsn}");
            if (_drives[drive].HoldsCartridge || (Options.Shared && _mounted.GetValueOrDefault(drive) is not null))
            {
                throw Fail(TapeLibraryErrorKind.DriveOccupied, op, $"drive {drive} holds {_mounted.GetValueOrDefault(drive)?.Vsn ?? "a cartridge"}");
            }

            if (_drives[drive].Managed is { Transport.Failed: true })
            {
                throw Fail(TapeLibraryErrorKind.DriveFailed, op, $"drive {drive} has failed and loads nothing until RepairDrive");
            }

            var wear = ReadWear(CartridgePath(vsn));
            if (wear.Loads >= Options.WearBudget)
            {
                if (Options.WearPolicy == WearPolicy.Refuse)
                {
                    throw Fail(TapeLibraryErrorKind.WearBudgetExceeded, op, $"{vsn} has been loaded {wear.Loads} times; its budget is {Options.WearBudget}");
                }

                WearWarning?.Invoke(this, vsn);
            }
            else if (wear.Loads + 1 >= Options.WearBudget * 9 / 10)
            {
                WearWarning?.Invoke(this, vsn);
            }

            RobotMove(op);
            var loadFailure = _faults.FirstOrDefault(f => f.Kind == FaultKind.LoadFailure && f.Vsn == vsn);
            if (loadFailure is not null)
            {
                if (!loadFailure.Sticky)
                {
                    _faults.Remove(loadFailure);
                }

                RobotMove(op);
                throw Fail(TapeLibraryErrorKind.LoadFailure, op, $"drive {drive} could not load {vsn}; the cartridge is back in {from}");
            }

            string content = vsn;
            var wrong = _faults.FirstOrDefault(f => f.Kind == FaultKind.WrongCartridge && f.Number == from.Number && from.Kind == SlotKind.Storage);
            if (wrong?.Vsn is { } other && Directory.Exists(CartridgePath(other)))
            {
                content = other;
            }

            try
            {
                _drives[drive].Insert(CartridgePath(content));
            }
            catch (TapeDriveException e) when (e is not TapeLibraryException)
            {
                RobotMove(op);
                throw Fail(e.Kind == TapeErrorKind.Busy ? TapeLibraryErrorKind.CartridgeInUse : TapeLibraryErrorKind.DamagedCartridge, op, e.Message);
            }

            SetSlot(from, null);
            _homes[drive] = from;
            WriteWear(CartridgePath(vsn), wear with { Loads = wear.Loads + 1, LastLoadNanoseconds = Clock.Nanoseconds });
            _mounted[drive] = (vsn, _drives[drive].Transferred);
            SaveInventory();
            if (_drives[drive].CleaningRequested)
            {
                CleaningRequested?.Invoke(this, drive);
            }
        }
    }

    /// <summary>
    /// Unmounts: if the cartridge is still loaded and no handle is open, the drive unloads it (a sync
    /// point); the robot moves it to its home slot or <paramref name="toSlot"/>.
    /// </summary>
    /// <param name="drive">The drive.</param>
    /// <param name="toSlot">A free slot, or <see langword="null"/> for the home slot.</param>
    /// <param name="force">Unload underneath an open handle (its next call gets <see cref="TapeErrorKind.NoMedium"/>).</param>
    public void Unmount(int drive, SlotAddress? toSlot = null, bool force = false)
    {
        string op = $"unmount drive {drive}";
        lock (_gate)
        {
            ThrowIfDisposed();
            var d = _drives[CheckDrive(drive)];
            using var claim = ClaimForOperation(drive, op);
            using var robot = EnterRobot(op);

            // In a shared library the cartridge may sit in the drive without this process having adopted it: it is
            // taken over first, so that the unload rewinds from where its last user left the head.
            bool held = d.HoldsCartridge;
            if ((!held && !Options.Shared) || _mounted.GetValueOrDefault(drive) is not { } mounted)
            {
                throw Fail(TapeLibraryErrorKind.DriveEmpty, op, $"drive {drive} is empty");
            }

            if (!held)
            {
                Adopt(drive, op);
                held = d.HoldsCartridge;
                mounted = _mounted[drive]!.Value; // The byte counters' baseline of this drive object.
            }

            if (d.Managed is { Transport.Failed: true } && !force)
            {
                throw Fail(TapeLibraryErrorKind.DriveFailed, op, $"drive {drive} has failed and cannot unload {mounted.Vsn}; use force to take the cartridge out, then RepairDrive");
            }

            if (d.HandleOpen && d.IsLoaded && !force)
            {
                throw Fail(TapeLibraryErrorKind.DriveNotUnloaded, op, $"a handle is open on drive {drive} and has not unloaded {mounted.Vsn}");
            }

            var target = toSlot ?? _homes[drive]!.Value;
            CheckSlot(target);
            if (GetSlot(target) is not null)
            {
                throw Fail(TapeLibraryErrorKind.SlotOccupied, op, $"{target} holds {GetSlot(target)}");
            }

            d.EjectIfLoaded();

            RobotMove(op);
            var after = held ? d.Transferred : mounted.Before;
            if (held)
            {
                d.Remove();
            }

            AddTransferToWear(CartridgePath(mounted.Vsn), mounted.Before, after);
            SetSlot(target, mounted.Vsn);
            _homes[drive] = null;
            _mounted[drive] = null;
            SaveInventory();
        }
    }

    /// <summary>Moves a cartridge between slots.</summary>
    /// <param name="from">The source slot.</param>
    /// <param name="to">The free target slot.</param>
    public void Move(SlotAddress from, SlotAddress to)
    {
        string op = $"move {from} to {to}";
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot(op);
            CheckSlot(from);
            CheckSlot(to);
            string vsn = GetSlot(from) ?? throw Fail(TapeLibraryErrorKind.SlotEmpty, op, $"{from} is empty");
            if (GetSlot(to) is not null)
            {
                throw Fail(TapeLibraryErrorKind.SlotOccupied, op, $"{to} holds {GetSlot(to)}");
            }

            RobotMove(op);
            SetSlot(from, null);
            SetSlot(to, vsn);
            SaveInventory();
        }
    }

    /// <summary>An existing cartridge directory enters a free import/export slot (its barcode is read from its header).</summary>
    /// <param name="directory">The cartridge directory; it is moved under the library's <c>cartridges</c> folder.</param>
    /// <returns>The import/export slot.</returns>
    public SlotAddress Import(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot("import " + directory);
            VirtualCartridgeInfo info;
            try
            {
                info = VirtualCartridge.ReadInfo(directory);
            }
            catch (Exception e) when (e is TapeFormatException or IOException)
            {
                throw Fail(TapeLibraryErrorKind.DamagedCartridge, "import " + directory, e.Message);
            }

            Clock.Charge(Clock.DeviceNow + Options.Profile.BarcodeScanTime);
            if (Locate(info.Vsn) is not null)
            {
                throw Fail(TapeLibraryErrorKind.DuplicateVsn, "import " + directory, $"a cartridge {info.Vsn} is already in the library");
            }

            int index = Array.IndexOf(_mail, null);
            if (index < 0)
            {
                throw Fail(TapeLibraryErrorKind.NoFreeSlot, "import " + directory, "every import/export slot is occupied");
            }

            string target = CartridgePath(info.Vsn);
            if (Path.GetFullPath(directory) != Path.GetFullPath(target))
            {
                Directory.Move(directory, target);
            }

            _mail[index] = info.Vsn;
            SaveInventory();
            return SlotAddress.ImportExport(index + 1);
        }
    }

    /// <summary>The robot moves a cartridge to a free import/export slot.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <returns>The import/export slot.</returns>
    public SlotAddress Export(string vsn)
    {
        string op = "export " + vsn;
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot(op);
            var location = Locate(vsn) ?? throw Fail(TapeLibraryErrorKind.NoSuchCartridge, op, $"there is no cartridge {vsn}");
            if (location is int d)
            {
                throw Fail(TapeLibraryErrorKind.CartridgeInDrive, op, $"{vsn} is in drive {d}");
            }

            var from = (SlotAddress)location;
            if (from.Kind == SlotKind.ImportExport)
            {
                return from;
            }

            int index = Array.IndexOf(_mail, null);
            if (index < 0)
            {
                throw Fail(TapeLibraryErrorKind.NoFreeSlot, op, "every import/export slot is occupied");
            }

            RobotMove(op);
            SetSlot(from, null);
            _mail[index] = vsn;
            SaveInventory();
            return SlotAddress.ImportExport(index + 1);
        }
    }

    /// <summary>The cartridge in an import/export slot leaves the library.</summary>
    /// <param name="ieSlot">1-based import/export slot number.</param>
    /// <returns>The cartridge directory (it stays on disk, outside the inventory).</returns>
    public string Remove(int ieSlot)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot($"remove I/E slot {ieSlot}");
            int index = CheckSlot(SlotAddress.ImportExport(ieSlot));
            string vsn = _mail[index] ?? throw Fail(TapeLibraryErrorKind.SlotEmpty, $"remove I/E slot {ieSlot}", $"I/E slot {ieSlot} is empty");
            _mail[index] = null;
            SaveInventory();
            return CartridgePath(vsn);
        }
    }

    /// <summary>Flips a cartridge's write-protect tab (effective at its next load).</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="on">Whether to protect it.</param>
    public void SetWriteProtect(string vsn, bool on)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot("write-protect " + vsn);
            var location = Locate(vsn) ?? throw Fail(TapeLibraryErrorKind.NoSuchCartridge, "write-protect " + vsn, $"there is no cartridge {vsn}");
            if (location is int d)
            {
                throw Fail(TapeLibraryErrorKind.CartridgeInDrive, "write-protect " + vsn, $"{vsn} is in drive {d}");
            }

            VirtualCartridge.SetWriteProtect(CartridgePath(vsn), on);
        }
    }

    /// <summary>An immutable view of slots, drives and cartridges with their counters.</summary>
    /// <returns>The inventory.</returns>
    public LibraryInventory Inventory()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot("inventory");
            var slots = new List<(SlotAddress, string?)>();
            var cartridges = new List<(string, string, CartridgeWear)>();
            for (int i = 0; i < _storage.Length; i++)
            {
                slots.Add((SlotAddress.Storage(i + 1), _storage[i]));
            }

            for (int i = 0; i < _mail.Length; i++)
            {
                slots.Add((SlotAddress.ImportExport(i + 1), _mail[i]));
            }

            foreach (var (slot, vsn) in slots)
            {
                if (vsn is not null)
                {
                    cartridges.Add((vsn, slot.ToString(), ReadWear(CartridgePath(vsn))));
                }
            }

            var drives = new List<(int, string?, bool, SlotAddress?)>();
            for (int i = 0; i < _drives.Length; i++)
            {
                string? vsn = _mounted.GetValueOrDefault(i)?.Vsn;
                // A cartridge another process left in a shared drive is loaded there as far as this process can tell.
                bool loaded = _drives[i].IsLoaded || (Options.Shared && vsn is not null && !_drives[i].HoldsCartridge);
                drives.Add((i, vsn, loaded, _homes[i]));
                if (vsn is not null)
                {
                    cartridges.Add((vsn, "drive " + i.ToString(CultureInfo.InvariantCulture), ReadWear(CartridgePath(vsn))));
                }
            }

            return new LibraryInventory(slots, drives, cartridges);
        }
    }

    /// <summary>
    /// A full rescan (docs/devices/shared-virtual-library.md): the robot reads the barcode of every occupied slot (one scan each, in
    /// simulated time) and every cartridge's header is checked.
    /// </summary>
    /// <returns>The inventory, and the VSNs whose header could not be read (damaged cartridges).</returns>
    public (LibraryInventory Inventory, IReadOnlyList<string> Damaged) Rescan()
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            using var robot = EnterRobot("rescan");
            var damaged = new List<string>();
            long scanned = Clock.DeviceNow;
            foreach (string? vsn in _storage.Concat(_mail))
            {
                if (vsn is null)
                {
                    continue;
                }

                scanned += Options.Profile.BarcodeScanTime;
                Clock.Charge(scanned);
                try
                {
                    if (VirtualCartridge.ReadInfo(CartridgePath(vsn)).Vsn != vsn)
                    {
                        damaged.Add(vsn);
                    }
                }
                catch (Exception e) when (e is TapeFormatException or IOException)
                {
                    damaged.Add(vsn);
                }
            }

            return (Inventory(), damaged);
        }
    }

    /// <summary>
    /// Opens a handle on a drive (one at a time, T1: a second is <see cref="TapeErrorKind.Busy"/>). In a shared
    /// library the drive must be free of other processes' claims: without a claim of this instance
    /// (<see cref="TryClaimDrive"/>) the handle takes one until it is closed, and a cartridge another process left in
    /// the drive is adopted first, positioned at BOT.
    /// </summary>
    /// <param name="drive">The drive.</param>
    /// <param name="options">How to open it.</param>
    /// <returns>The handle.</returns>
    /// <exception cref="TapeLibraryException">Shared: <see cref="TapeLibraryErrorKind.DriveInUse"/> when another process or instance claims the drive.</exception>
    public ITapeDrive OpenDrive(int drive, TapeOpenOptions? options = null) => Options.Shared ? OpenSharedDrive(drive, options) : _drives[CheckDrive(drive)].Open(options, null);

    /// <summary>Arms a library fault (<c>wrong-cartridge</c>, <c>load-failure</c>, <c>robot-failure</c>); drive faults go to <see cref="Drive"/>.</summary>
    /// <param name="fault">The fault.</param>
    public void Arm(Fault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        lock (_gate)
        {
            if (fault.Kind is not (FaultKind.WrongCartridge or FaultKind.LoadFailure or FaultKind.RobotFailure))
            {
                throw new ArgumentException($"\"{fault}\" is not a library fault; arm it on a drive.", nameof(fault));
            }

            _faults.Add(fault.Kind == FaultKind.RobotFailure ? fault with { Number = _robotMoves + fault.Number } : fault);
        }
    }

    /// <summary>Clears a sticky drive failure.</summary>
    /// <param name="drive">The drive.</param>
    public void RepairDrive(int drive) => _drives[CheckDrive(drive)].Repair();

    /// <summary>Clears a sticky robot failure.</summary>
    public void RepairRobot()
    {
        lock (_gate)
        {
            _faults.RemoveAll(f => f.Kind == FaultKind.RobotFailure);
        }
    }

    /// <summary>Every drive writes its buffer; the inventory is saved; cartridges stay where they are. A shared library gives back its drive claims.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            ReleaseAllClaims();
            _disposed = true;
            foreach (var d in _drives)
            {
                d.Dispose();
            }
        }
    }

    private readonly Dictionary<int, (string Vsn, (long Written, long Read) Before)?> _mounted = [];

    private string CartridgePath(string vsn) => Path.Combine(CartridgesDirectory, vsn + ".tkvt");

    private object? Locate(string vsn)
    {
        int i = Array.IndexOf(_storage, vsn);
        if (i >= 0)
        {
            return SlotAddress.Storage(i + 1);
        }

        i = Array.IndexOf(_mail, vsn);
        if (i >= 0)
        {
            return SlotAddress.ImportExport(i + 1);
        }

        foreach (var (drive, mounted) in _mounted)
        {
            if (mounted?.Vsn == vsn)
            {
                return drive;
            }
        }

        return null;
    }

    private int CheckDrive(int drive) => drive >= 0 && drive < _drives.Length
        ? drive
        : throw new ArgumentOutOfRangeException(nameof(drive), drive, $"The library has drives 0 … {_drives.Length - 1}.");

    private int CheckSlot(SlotAddress slot)
    {
        int count = slot.Kind == SlotKind.Storage ? _storage.Length : _mail.Length;
        return slot.Number >= 1 && slot.Number <= count
            ? slot.Number - 1
            : throw new ArgumentOutOfRangeException(nameof(slot), slot, $"The library has {(slot.Kind == SlotKind.Storage ? "storage" : "I/E")} slots 1 … {count}.");
    }

    /// <summary>
    /// The first empty storage slot that is no mounted cartridge's home (a cartridge in a drive goes back to its home slot,
    /// also when the library is opened again after a crash); an empty home slot only when no other is left; −1 when full.
    /// </summary>
    private int FreeStorageIndex()
    {
        int fallback = -1;
        for (int i = 0; i < _storage.Length; i++)
        {
            if (_storage[i] is not null)
            {
                continue;
            }

            if (!_homes.Contains(SlotAddress.Storage(i + 1)))
            {
                return i;
            }

            fallback = fallback < 0 ? i : fallback;
        }

        return fallback;
    }

    private string? GetSlot(SlotAddress slot) => slot.Kind == SlotKind.Storage ? _storage[slot.Number - 1] : _mail[slot.Number - 1];

    private void SetSlot(SlotAddress slot, string? vsn)
    {
        if (slot.Kind == SlotKind.Storage)
        {
            _storage[slot.Number - 1] = vsn;
        }
        else
        {
            _mail[slot.Number - 1] = vsn;
        }
    }

    /// <summary>One robot move: FIFO on the robot's timeline, or a robot failure before moving (docs/devices/virtual-cartridge.md#faults).</summary>
    private void RobotMove(string op)
    {
        long move = Interlocked.Increment(ref _robotMoves);
        var failure = _faults.FirstOrDefault(f => f.Kind == FaultKind.RobotFailure && move > f.Number);
        long start = Math.Max(Clock.DeviceNow, _robotFree);
        _robotFree = start + Options.Profile.RobotMoveTime;
        Clock.Charge(_robotFree);
        if (failure is not null)
        {
            if (!failure.Sticky)
            {
                _faults.Remove(failure);
            }

            throw Fail(TapeLibraryErrorKind.RobotFailure, op, "the robot failed; the cartridge stayed where it was (RepairRobot clears a sticky failure)");
        }
    }

    private TapeLibraryException Fail(TapeLibraryErrorKind kind, string op, string what) => new($"{Options.Name}: {op} failed: {what}.", kind, op, Options.Name);

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
}
