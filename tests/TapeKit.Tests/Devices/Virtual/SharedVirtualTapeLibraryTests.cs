using System.Text;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>
/// A library shared by several users of one directory (<see cref="VirtualLibraryOptions.Shared"/>). Two instances
/// in one process stand for two processes: flock locks belong to open file descriptions, so they conflict between
/// two instances as between two processes (the first test shows it on the robot lock itself).
/// </summary>
public sealed class SharedVirtualTapeLibraryTests : IDisposable
{
    private static readonly VirtualCartridgeOptions Small = new() { Capacity = 10_000_000 };
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    internal static VirtualLibraryOptions SharedOptions(int drives = 2) => new() { Shared = true, Drives = drives, StorageSlots = 10, SharedLockTimeout = TimeSpan.FromSeconds(5) };

    /// <summary>Writes each text as one block and ends the file with a filemark (a sync point: committed on the cartridge).</summary>
    internal static void WriteFile(ITapeDrive drive, params string[] blocks)
    {
        foreach (string block in blocks)
        {
            drive.WriteBlock(Encoding.ASCII.GetBytes(block));
        }

        drive.WriteFilemarks(1);
    }

    /// <summary>Everything from the current position to end of data: blocks as text, a filemark as "|".</summary>
    internal static List<string> ReadToEnd(ITapeDrive drive)
    {
        var seen = new List<string>();
        byte[] buffer = new byte[65536];
        while (true)
        {
            TapeReadResult r = drive.ReadBlock(buffer);
            switch (r.Kind)
            {
                case TapeReadKind.Data:
                    seen.Add(Encoding.ASCII.GetString(buffer, 0, r.Length));
                    break;
                case TapeReadKind.Filemark:
                    seen.Add("|");
                    break;
                default:
                    return seen;
            }
        }
    }

    [Fact]
    public void The_robot_lock_is_a_file_lock_and_a_robot_operation_gives_up_after_the_timeout()
    {
        using var library = VirtualTapeLibrary.Open(_root, SharedOptions() with { SharedLockTimeout = TimeSpan.FromMilliseconds(200) });
        using (new FileStream(Path.Combine(_root, "library.lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var e = Assert.Throws<TapeLibraryException>(() => library.Inventory());
            Assert.Equal((TapeLibraryErrorKind.LibraryBusy, TapeErrorKind.Busy), (e.LibraryKind, e.Kind));
        }

        Assert.Empty(library.Inventory().Cartridges);
    }

    [Fact]
    public void A_cartridge_written_by_one_user_is_adopted_read_and_appended_by_the_next_and_both_see_the_same_inventory()
    {
        using var a = VirtualTapeLibrary.Open(_root, SharedOptions());
        using var b = VirtualTapeLibrary.Open(_root, SharedOptions());
        a.CreateCartridge("X00001", options: Small);
        Assert.Equal(("X00001", "slot 1"), (b.Inventory().Cartridges.Single().Vsn, b.Inventory().Cartridges.Single().Location));

        Assert.True(a.TryClaimDrive(0, out IDisposable? claimA));
        a.Mount("X00001", 0);
        using (ITapeDrive drive = a.OpenDrive(0))
        {
            WriteFile(drive, "hello");
        }

        // While A holds the drive, B can neither claim it, open it, nor move its cartridge.
        Assert.False(b.TryClaimDrive(0, out _));
        var inUse = Assert.Throws<TapeLibraryException>(() => b.OpenDrive(0));
        Assert.Equal((TapeLibraryErrorKind.DriveInUse, TapeErrorKind.Busy), (inUse.LibraryKind, inUse.Kind));
        Assert.Equal(TapeLibraryErrorKind.DriveInUse, Assert.Throws<TapeLibraryException>(() => b.Unmount(0)).LibraryKind);
        Assert.Equal((0, "X00001"), (b.Inventory().Drives[0].Drive, b.Inventory().Drives[0].Vsn));
        claimA.Dispose();

        long movesBefore = b.RobotMoves;
        using (ITapeDrive drive = b.OpenDrive(0))
        {
            Assert.Equal(["hello", "|"], ReadToEnd(drive)); // from BOT: the position died with A's drive object
            WriteFile(drive, "world");

            // B's handle holds the drive now.
            Assert.Equal(TapeLibraryErrorKind.DriveInUse, Assert.Throws<TapeLibraryException>(() => a.OpenDrive(0)).LibraryKind);
            Assert.False(a.TryClaimDrive(0, out _));
        }

        Assert.Equal(movesBefore, b.RobotMoves); // adopted, not mounted
        b.Unmount(0);
        foreach (VirtualTapeLibrary library in new[] { a, b })
        {
            LibraryInventory inventory = library.Inventory();
            var cartridge = Assert.Single(inventory.Cartridges);
            Assert.Equal(("X00001", "slot 1", 1L), (cartridge.Vsn, cartridge.Location, cartridge.Wear.Loads));
            Assert.Equal(10, cartridge.Wear.BytesWritten); // A's bytes counted when A let go, B's at the unmount
            Assert.All(inventory.Drives, d => Assert.Null(d.Vsn));
        }

        a.Mount("X00001", 1);
        using (ITapeDrive drive = a.OpenDrive(1))
        {
            Assert.Equal(["hello", "|", "world", "|"], ReadToEnd(drive));
        }
    }

    [Fact]
    public void A_cartridge_another_user_mounted_and_released_is_unmounted_to_make_room()
    {
        using var a = VirtualTapeLibrary.Open(_root, SharedOptions(drives: 1));
        using var b = VirtualTapeLibrary.Open(_root, SharedOptions(drives: 1));
        a.CreateCartridge("X00001", options: Small);
        a.CreateCartridge("X00002", options: Small);
        a.Mount("X00001", 0);
        using (ITapeDrive drive = a.OpenDrive(0))
        {
            WriteFile(drive, "from A");

            // The open handle claims the drive until it is closed.
            Assert.Equal(TapeLibraryErrorKind.DriveInUse, Assert.Throws<TapeLibraryException>(() => b.Unmount(0)).LibraryKind);
        }

        Assert.Equal(TapeLibraryErrorKind.DriveOccupied, Assert.Throws<TapeLibraryException>(() => b.Mount("X00002", 0)).LibraryKind);
        b.Unmount(0);
        b.Mount("X00002", 0);
        Assert.Equal((SlotAddress?)SlotAddress.Storage(2), a.Inventory().Drives[0].Home);
        Assert.Equal("X00002", a.Inventory().Drives[0].Vsn);
        Assert.Equal(6, a.Inventory().Cartridges.Single(c => c.Vsn == "X00001").Wear.BytesWritten);
    }

    [Fact]
    public void Reopening_a_shared_library_leaves_cartridges_in_their_drives()
    {
        using (var a = VirtualTapeLibrary.Open(_root, SharedOptions()))
        {
            a.CreateCartridge("X00001", options: Small);
            a.Mount("X00001", 1);
        }

        using var b = VirtualTapeLibrary.Open(_root, SharedOptions());
        Assert.Equal("X00001", b.Inventory().Drives[1].Vsn);
        Assert.True(b.Inventory().Drives[1].Loaded);
    }

    [Fact]
    public void Claims_of_one_instance_exclude_each_other_in_either_mode()
    {
        using var shared = VirtualTapeLibrary.Open(Path.Combine(_root, "shared"), SharedOptions());
        using var single = VirtualTapeLibrary.Open(Path.Combine(_root, "single"));
        foreach (VirtualTapeLibrary library in new[] { shared, single })
        {
            Assert.True(library.TryClaimDrive(1, out IDisposable? claim));
            Assert.False(library.TryClaimDrive(1, out _));
            claim.Dispose();
            Assert.True(library.TryClaimDrive(1, out claim));
            claim.Dispose();
        }
    }
}
