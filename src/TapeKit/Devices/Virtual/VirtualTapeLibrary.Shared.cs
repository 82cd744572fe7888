using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// The shared mode (<see cref="VirtualLibraryOptions.Shared"/>): several processes of one host open one library
/// directory, as the hosts of a SCSI library share its robot and drives.
/// </summary>
/// <remarks>
/// <para>The robot: every inventory operation holds an exclusive lock on <c>&lt;root&gt;/library.lock</c> (waiting
/// at most <see cref="VirtualLibraryOptions.SharedLockTimeout"/>), re-reads <c>library.json</c> first and rewrites
/// it after a change, so every process acts on the others' moves.</para>
/// <para>The drives: a process uses drive N only while it holds the claim <c>&lt;root&gt;/drives/N.lock</c>.
/// <c>library.json</c> records which cartridge each drive holds; a process that gets a claim finds the drive object
/// of its own empty and adopts the cartridge (loads it, at BOT, with no robot move and no load counted), and when
/// it gives the claim back it lets go of the cartridge (writes it out, closes its files and lock). All locks are
/// <c>flock</c> locks, dropped by the kernel when their process dies, so a killed process's drives and cartridges
/// are free again at once; the crash-safe cartridge format makes its last committed state what the next one reads.</para>
/// </remarks>
public sealed partial class VirtualTapeLibrary
{
    private readonly Dictionary<int, DriveClaim> _claims = [];
    private FileStream? _robotLock;
    private int _robotDepth;

    private string RobotLockFile => Path.Combine(Root, "library.lock");

    private string DriveLocksDirectory => Path.Combine(Root, "drives");

    /// <summary>
    /// Claims a drive for this library instance until the returned object is disposed. In a shared library the claim
    /// excludes every other process and instance (a file lock the kernel drops if this process dies), and while it is
    /// held <see cref="Mount"/>, <see cref="Unmount"/> and <see cref="OpenDrive"/> of the drive keep the cartridge
    /// loaded in this process between calls; disposing it lets go of the cartridge so that others can adopt it.
    /// Without <see cref="VirtualLibraryOptions.Shared"/> a claim only excludes other claims on this instance.
    /// Never waits.
    /// </summary>
    /// <param name="drive">The drive.</param>
    /// <param name="claim">The claim, when it was free.</param>
    /// <returns>Whether the drive was free; <see langword="false"/> when another process, instance or claim holds it.</returns>
    public bool TryClaimDrive(int drive, [NotNullWhen(true)] out IDisposable? claim)
    {
        lock (_gate)
        {
            ThrowIfDisposed();
            claim = TakeClaim(CheckDrive(drive));
            return claim is not null;
        }
    }

    private DriveClaim? TakeClaim(int drive)
    {
        if (_claims.ContainsKey(drive))
        {
            return null;
        }

        FileStream? fileLock = null;
        if (Options.Shared)
        {
            fileLock = ExclusiveFileLock.TryTake(Path.Combine(DriveLocksDirectory, drive.ToString(CultureInfo.InvariantCulture) + ".lock"));
            if (fileLock is null)
            {
                return null;
            }
        }

        var claim = new DriveClaim(drive, fileLock, ReleaseClaim);
        _claims[drive] = claim;
        return claim;
    }

    /// <summary>
    /// Shared: a claim for one operation on a drive this instance has not claimed (disposed when the operation ends);
    /// <see langword="null"/> when the instance holds the claim already, or the library is not shared.
    /// </summary>
    private DriveClaim? ClaimForOperation(int drive, string op)
    {
        if (!Options.Shared || _claims.ContainsKey(drive))
        {
            return null;
        }

        return TakeClaim(drive) ?? throw Fail(TapeLibraryErrorKind.DriveInUse, op, $"drive {drive} is in use by another process or library instance");
    }

    private void ReleaseClaim(DriveClaim claim)
    {
        lock (_gate)
        {
            if (_claims.GetValueOrDefault(claim.Drive) == claim)
            {
                _claims.Remove(claim.Drive);
            }

            if (Options.Shared && !_disposed)
            {
                using (EnterRobot($"release drive {claim.Drive}"))
                {
                    // The drive keeps its cartridge threaded and its head where it is; the next user starts from there.
                    if (LetGo(claim.Drive))
                    {
                        SaveInventory();
                    }
                }
            }
        }
    }

    private void ReleaseAllClaims()
    {
        foreach (var claim in _claims.Values.ToList())
        {
            claim.Dispose();
        }
    }

    /// <summary>The drive object lets go of its cartridge (its bytes go to the wear counters first); the cartridge stays in the drive in library.json.</summary>
    private bool LetGo(int drive)
    {
        var d = _drives[drive];
        if (!d.HoldsCartridge)
        {
            return false;
        }

        if (_mounted.GetValueOrDefault(drive) is { } mounted)
        {
            AddTransferToWear(CartridgePath(mounted.Vsn), mounted.Before, d.Transferred);
        }

        _heads[drive] = d.HeadOffset;
        d.Remove();
        return true;
    }

    /// <summary>The cartridge library.json puts in a drive this process holds but has not loaded goes into the drive object, still threaded: no robot move, no load counted or charged, the head where its last user left it.</summary>
    private void Adopt(int drive, string op)
    {
        var d = _drives[drive];
        if (d.HoldsCartridge || _mounted.GetValueOrDefault(drive) is not { } mounted)
        {
            return;
        }

        try
        {
            d.Adopt(CartridgePath(mounted.Vsn), _heads[drive]);
        }
        catch (TapeDriveException e) when (e is not TapeLibraryException)
        {
            throw Fail(e.Kind == TapeErrorKind.Busy ? TapeLibraryErrorKind.CartridgeInUse : TapeLibraryErrorKind.DamagedCartridge, op, e.Message);
        }

        _mounted[drive] = (mounted.Vsn, d.Transferred);
    }

    private ITapeDrive OpenSharedDrive(int drive, TapeOpenOptions? options)
    {
        string op = $"open drive {drive}";
        lock (_gate)
        {
            ThrowIfDisposed();
            CheckDrive(drive);
            var forHandle = ClaimForOperation(drive, op);
            try
            {
                using (EnterRobot(op))
                {
                    Adopt(drive, op);
                }

                return _drives[drive].Open(options, forHandle is null ? null : forHandle.Dispose);
            }
            catch
            {
                forHandle?.Dispose();
                throw;
            }
        }
    }

    /// <summary>Shared: the drives' cartridges as library.json has them. The byte counters' baseline is kept for a cartridge this process still holds.</summary>
    private void SetDrivesFromInventory((string Vsn, SlotAddress Home)?[] inDrives)
    {
        for (int i = 0; i < _drives.Length; i++)
        {
            if (inDrives[i] is { } entry)
            {
                _homes[i] = entry.Home;
                _mounted[i] = _mounted.GetValueOrDefault(i) is { } kept && kept.Vsn == entry.Vsn ? kept : (entry.Vsn, _drives[i].Transferred);
            }
            else
            {
                _homes[i] = null;
                _mounted[i] = null;
            }
        }
    }

    private void InitialiseShared()
    {
        Directory.CreateDirectory(DriveLocksDirectory);
        using (EnterRobot("open"))
        {
            if (!File.Exists(InventoryFile))
            {
                SaveInventory();
            }
        }
    }

    /// <summary>Shared: takes the robot lock (re-entrant within this instance) and re-reads library.json; nothing otherwise.</summary>
    private RobotScope EnterRobot(string op)
    {
        if (!Options.Shared)
        {
            return default;
        }

        if (_robotDepth == 0)
        {
            _robotLock = ExclusiveFileLock.Take(RobotLockFile, Options.SharedLockTimeout)
                ?? throw Fail(TapeLibraryErrorKind.LibraryBusy, op, $"another process held the robot lock {RobotLockFile} for more than {Options.SharedLockTimeout.TotalSeconds:0.###} s");
        }

        _robotDepth++;
        try
        {
            if (_robotDepth == 1 && File.Exists(InventoryFile))
            {
                LoadInventory();
            }
        }
        catch
        {
            ExitRobot();
            throw;
        }

        return new RobotScope(this);
    }

    private void ExitRobot()
    {
        if (--_robotDepth == 0)
        {
            _robotLock?.Dispose();
            _robotLock = null;
        }
    }

    /// <summary>Gives the robot lock back at the end of a <see langword="using"/> block.</summary>
    private readonly struct RobotScope(VirtualTapeLibrary? library) : IDisposable
    {
        public void Dispose() => library?.ExitRobot();
    }
}
