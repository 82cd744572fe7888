using System.Runtime.Versioning;
using TapeKit.Devices.Linux;

namespace TapeKit.Devices.Virtual;

/// <summary>A drive as the library sees it: a place a cartridge goes into, and handles opened on it.</summary>
internal interface ILibraryDrive : IDisposable
{
    bool HoldsCartridge { get; }

    bool IsLoaded { get; }

    bool HandleOpen { get; }

    bool CleaningRequested { get; }

    (long Written, long Read) Transferred { get; }

    VirtualTapeDrive? Managed { get; }

    void Insert(string cartridgeDirectory);

    /// <summary>Takes over a cartridge another process left loaded in the drive, the head where it was (shared libraries).</summary>
    void Adopt(string cartridgeDirectory, long headOffset);

    /// <summary>Where the head is along the loaded tape, bytes from BOT (0 when unknown).</summary>
    long HeadOffset { get; }

    void EjectIfLoaded();

    void Remove();

    /// <summary>Opens a handle; <paramref name="closed"/> runs once the handle is closed.</summary>
    ITapeDrive Open(TapeOpenOptions? options, Action? closed);

    void Repair();
}

/// <summary>A managed virtual drive in the library.</summary>
internal sealed class ManagedLibraryDrive(VirtualTapeDrive drive) : ILibraryDrive
{
    public bool HoldsCartridge => drive.CartridgeDirectory is not null;

    public bool IsLoaded => drive.IsLoaded;

    public bool HandleOpen => drive.IsOpen;

    public bool CleaningRequested => drive.Transport.CleaningRequested;

    public (long Written, long Read) Transferred
    {
        get
        {
            var s = drive.Statistics;
            return (s.BytesWritten, s.BytesRead);
        }
    }

    public VirtualTapeDrive Managed => drive;

    public void Insert(string cartridgeDirectory) => drive.InsertCartridge(cartridgeDirectory);

    public void Adopt(string cartridgeDirectory, long headOffset) => drive.AdoptCartridge(cartridgeDirectory, headOffset);

    public long HeadOffset => drive.HeadOffset;

    public void EjectIfLoaded() => drive.EjectIfLoaded();

    public void Remove() => drive.RemoveCartridge();

    public ITapeDrive Open(TapeOpenOptions? options, Action? closed) => drive.OpenHandleCore(options, closed);

    public void Repair() => drive.Repair();

    public void Dispose() => drive.Dispose();
}

/// <summary>
/// A drive of the native st emulation (docs/devices/shared-virtual-library.md): mounting replaces
/// <c>driveN/medium</c> by an atomic symlink rename, unmounting removes the link, and handles are
/// opened with <see cref="LinuxTapeDrive"/> on <c>/dev/nstN</c> — the real P/Invoke path. The
/// emulation notices a medium change at the next open or <c>MTLOAD</c> (pitfall P4) and keeps the
/// cartridge's lock until then; after removing a link the library makes it notice at once with a
/// status-only open. It has no time and no counters, so only robot moves cost time.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class EmulatedLibraryDrive(string driveDirectory, int number) : ILibraryDrive
{
    private string Link => Path.Combine(driveDirectory, "medium");

    public bool HoldsCartridge => new FileInfo(Link).LinkTarget is not null;

    public bool IsLoaded => HoldsCartridge;

    public bool HandleOpen => false;

    public bool CleaningRequested => false;

    public (long Written, long Read) Transferred => (0, 0);

    public VirtualTapeDrive? Managed => null;

    public void Insert(string cartridgeDirectory)
    {
        // The drive is empty (the library checked), so renaming a finished link into place is atomic:
        // the emulation sees either no medium or the whole link, never a partial one.
        string temp = Link + ".new";
        File.Delete(temp);
        File.CreateSymbolicLink(temp, Path.GetFullPath(cartridgeDirectory));
        Directory.Move(temp, Link);
    }

    // The emulation keeps no time, so there is no head to carry over (and shared mode refuses the emulation).
    public void Adopt(string cartridgeDirectory, long headOffset) => Insert(cartridgeDirectory);

    public long HeadOffset => 0;

    public void EjectIfLoaded()
    {
    }

    /// <summary>Removes the link, then lets the emulated drive notice it (and release the cartridge's lock) with a status-only open.</summary>
    public void Remove()
    {
        File.Delete(Link);
        int fd = LibcImports.Open(DevicePath, St.OpenFlags.O_RDONLY | St.OpenFlags.O_NONBLOCK | St.OpenFlags.O_CLOEXEC);
        if (fd >= 0)
        {
            LibcImports.Close(fd);
        }
    }

    private string DevicePath => "/dev/nst" + number.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public ITapeDrive Open(TapeOpenOptions? options, Action? closed) => closed is null
        ? LinuxTapeDrive.Open(DevicePath, options)
        : throw new NotSupportedException("A drive of the native emulation does not report its handle's close.");

    public void Repair()
    {
    }

    public void Dispose()
    {
    }
}
