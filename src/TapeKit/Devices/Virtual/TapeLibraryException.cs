namespace TapeKit.Devices.Virtual;

/// <summary>Why a library operation failed (docs/devices/shared-virtual-library.md).</summary>
public enum TapeLibraryErrorKind
{
    /// <summary>No cartridge with that VSN is in the library.</summary>
    NoSuchCartridge,

    /// <summary>A cartridge with that VSN already exists.</summary>
    DuplicateVsn,

    /// <summary>The cartridge's files are damaged.</summary>
    DamagedCartridge,

    /// <summary>The slot is empty.</summary>
    SlotEmpty,

    /// <summary>The slot is occupied.</summary>
    SlotOccupied,

    /// <summary>No free import/export slot.</summary>
    NoFreeSlot,

    /// <summary>The drive holds no cartridge.</summary>
    DriveEmpty,

    /// <summary>The drive already holds a cartridge.</summary>
    DriveOccupied,

    /// <summary>A handle is open on the drive and has not unloaded the cartridge.</summary>
    DriveNotUnloaded,

    /// <summary>The cartridge is in a drive.</summary>
    CartridgeInDrive,

    /// <summary>The cartridge is locked by another drive or process.</summary>
    CartridgeInUse,

    /// <summary>The cartridge's load count is beyond its wear budget and the policy refuses.</summary>
    WearBudgetExceeded,

    /// <summary>The robot failed; the cartridge stayed where it was.</summary>
    RobotFailure,

    /// <summary>The drive could not load the cartridge; it went back to its slot.</summary>
    LoadFailure,

    /// <summary>A shared library's drive is claimed by another process or library instance.</summary>
    DriveInUse,

    /// <summary>A shared library's robot lock did not come free within <see cref="VirtualLibraryOptions.SharedLockTimeout"/>.</summary>
    LibraryBusy,

    /// <summary>The drive has failed (a hardware fault): it loads, unloads and moves no cartridge until it is repaired.</summary>
    DriveFailed,
}

/// <summary>
/// A library failure (docs/devices/shared-virtual-library.md). It derives from <see cref="TapeDriveException"/>
/// so that callers catch one device-exception family (open point O12, settled this way);
/// <see cref="TapeDriveException.Kind"/> is <see cref="TapeErrorKind.DeviceError"/> except for
/// <see cref="TapeLibraryErrorKind.LoadFailure"/> (<see cref="TapeErrorKind.MediaError"/>) and the
/// shared library's <see cref="TapeLibraryErrorKind.DriveInUse"/> and <see cref="TapeLibraryErrorKind.LibraryBusy"/>
/// (<see cref="TapeErrorKind.Busy"/>: try again later, or another drive).
/// </summary>
public class TapeLibraryException : TapeDriveException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence naming the library, the cartridge or slot and what failed.</param>
    /// <param name="libraryKind">Why it failed.</param>
    /// <param name="operation">The library operation, e.g. <c>mount A00001 on drive 0</c>.</param>
    /// <param name="library">The library name.</param>
    public TapeLibraryException(string message, TapeLibraryErrorKind libraryKind, string operation, string library)
        : base(message, KindOf(libraryKind), null, operation, library)
    {
        LibraryKind = libraryKind;
    }

    /// <summary>Why the library operation failed.</summary>
    public TapeLibraryErrorKind LibraryKind { get; }

    private static TapeErrorKind KindOf(TapeLibraryErrorKind kind) => kind switch
    {
        TapeLibraryErrorKind.LoadFailure => TapeErrorKind.MediaError,
        TapeLibraryErrorKind.DriveInUse or TapeLibraryErrorKind.LibraryBusy => TapeErrorKind.Busy,
        _ => TapeErrorKind.DeviceError,
    };
}
