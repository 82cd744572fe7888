namespace TapeKit.Devices.Virtual;

/// <summary>Storage slot or import/export slot.</summary>
public enum SlotKind
{
    /// <summary>A storage slot, 1 … S.</summary>
    Storage,

    /// <summary>An import/export (mail) slot, 1 … E.</summary>
    ImportExport,
}

/// <summary>A slot of the library.</summary>
/// <param name="Kind">Storage or import/export.</param>
/// <param name="Number">1-based slot number.</param>
public readonly record struct SlotAddress(SlotKind Kind, int Number)
{
    /// <summary>Storage slot <paramref name="number"/>.</summary>
    /// <param name="number">1-based.</param>
    /// <returns>The address.</returns>
    public static SlotAddress Storage(int number) => new(SlotKind.Storage, number);

    /// <summary>Import/export slot <paramref name="number"/>.</summary>
    /// <param name="number">1-based.</param>
    /// <returns>The address.</returns>
    public static SlotAddress ImportExport(int number) => new(SlotKind.ImportExport, number);

    /// <inheritdoc/>
    public override string ToString() => (Kind == SlotKind.Storage ? "slot " : "I/E slot ") + Number.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>What the library does when a cartridge's loads exceed its wear budget (docs/devices/virtual-cartridge.md#wear).</summary>
public enum WearPolicy
{
    /// <summary>Mount anyway and raise <see cref="VirtualTapeLibrary.WearWarning"/> again.</summary>
    Warn,

    /// <summary>Refuse the mount with <see cref="TapeLibraryErrorKind.WearBudgetExceeded"/>.</summary>
    Refuse,
}

/// <summary>A cartridge's wear counters, kept by the library in the cartridge's <c>wear</c> file (docs/devices/virtual-cartridge.md#wear).</summary>
/// <param name="Loads">Successful loads into a drive.</param>
/// <param name="PassesMilli">Full-length passes × 1000, estimated from the bytes streamed.</param>
/// <param name="BytesWritten">Bytes written while mounted.</param>
/// <param name="BytesRead">Bytes read while mounted.</param>
/// <param name="LastLoadNanoseconds">Simulated time of the last load.</param>
public sealed record CartridgeWear(long Loads, long PassesMilli, long BytesWritten, long BytesRead, long LastLoadNanoseconds);

/// <summary>Options of a virtual library (docs/devices/shared-virtual-library.md defaults).</summary>
public sealed record VirtualLibraryOptions
{
    /// <summary>The library's name, used in device names (<c>vtl0/drive1</c>) and messages.</summary>
    public string Name { get; init; } = "vtl0";

    /// <summary>Storage slots (default 100).</summary>
    public int StorageSlots { get; init; } = 100;

    /// <summary>Import/export slots (default 4).</summary>
    public int ImportExportSlots { get; init; } = 4;

    /// <summary>Drives (default 2).</summary>
    public int Drives { get; init; } = 2;

    /// <summary>The drives' generation (timing until a cartridge names its own profile).</summary>
    public MediaProfile Profile { get; init; } = MediaProfile.Lto9;

    /// <summary>The drives' configuration; <see cref="VirtualTapeDrive.DefaultOptions"/> when <see langword="null"/>.</summary>
    public VirtualDriveOptions? DriveOptions { get; init; }

    /// <summary>The loads a cartridge may take (default 20 000, est.).</summary>
    public long WearBudget { get; init; } = 20_000;

    /// <summary>What happens beyond the budget.</summary>
    public WearPolicy WearPolicy { get; init; } = WearPolicy.Warn;

    /// <summary>Charge media optimisation at a cartridge's first load (docs/devices/st-driver.md#simulated-time).</summary>
    public bool SimulateMediaOptimization { get; init; }

    /// <summary>
    /// Share the library directory with other processes of the host, as a SCSI library is shared by its
    /// hosts: every robot and inventory operation runs under an exclusive lock on <c>&lt;root&gt;/library.lock</c>
    /// and re-reads <c>library.json</c> first, and a drive is used only under a claim on
    /// <c>&lt;root&gt;/drives/N.lock</c> (<see cref="VirtualTapeLibrary.TryClaimDrive"/>). A cartridge another
    /// process left in a drive is adopted, still threaded with the head where it was left, without a robot move. Every process keeps its own
    /// <see cref="VirtualClock"/>. Not available over the native emulation.
    /// </summary>
    public bool Shared { get; init; }

    /// <summary>How long a shared library waits, in real time, for another process's robot operation to end (default 30 s).</summary>
    public TimeSpan SharedLockTimeout { get; init; } = TimeSpan.FromSeconds(30);
}

/// <summary>An immutable view of the library (docs/devices/shared-virtual-library.md <c>Inventory()</c>).</summary>
/// <param name="Slots">Every slot and the VSN it holds (or <see langword="null"/>).</param>
/// <param name="Drives">Every drive.</param>
/// <param name="Cartridges">Every cartridge with its location and wear.</param>
public sealed record LibraryInventory(
    IReadOnlyList<(SlotAddress Slot, string? Vsn)> Slots,
    IReadOnlyList<(int Drive, string? Vsn, bool Loaded, SlotAddress? Home)> Drives,
    IReadOnlyList<(string Vsn, string Location, CartridgeWear Wear)> Cartridges);
