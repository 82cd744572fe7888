using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>The virtual library (spec/tape-devices.md §5): slots, robot, drives, counters, faults, persistence.</summary>
public sealed class VirtualTapeLibraryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static readonly VirtualCartridgeOptions Small = new() { Capacity = 10_000_000 };

    [Fact]
    public void Mount_write_unmount_counts_loads_and_bytes_and_charges_robot_and_load_time()
    {
        using var library = VirtualTapeLibrary.Open(_root);
        Assert.Equal(SlotAddress.Storage(1), library.CreateCartridge("A00001", options: Small));
        long t0 = library.Clock.Nanoseconds;
        library.Mount("A00001", 0);
        Assert.Equal(10_000_000_000 + 17_000_000_000, library.Clock.Nanoseconds - t0); // robot move + LTO-9 load
        using (var drive = library.OpenDrive(0))
        {
            drive.WriteBlock(new byte[1000]);
            drive.WriteFilemarks(1);
            Assert.Equal(TapeLibraryErrorKind.DriveNotUnloaded, Assert.Throws<TapeLibraryException>(() => library.Unmount(0)).LibraryKind);
            drive.Unload();
        }

        library.Unmount(0);
        var inventory = library.Inventory();
        var cartridge = Assert.Single(inventory.Cartridges);
        Assert.Equal(("A00001", "slot 1"), (cartridge.Vsn, cartridge.Location));
        Assert.Equal(1, cartridge.Wear.Loads);
        Assert.Equal(1000, cartridge.Wear.BytesWritten);
        Assert.Equal(2, library.RobotMoves);
    }

    [Fact]
    public void Errors_are_typed_library_exceptions_of_the_device_family()
    {
        using var library = VirtualTapeLibrary.Open(_root, new VirtualLibraryOptions { StorageSlots = 2, ImportExportSlots = 1 });
        library.CreateCartridge("A00001", options: Small);
        library.CreateCartridge("A00002", options: Small);
        Assert.Equal(TapeLibraryErrorKind.DuplicateVsn, Assert.Throws<TapeLibraryException>(() => library.CreateCartridge("A00001")).LibraryKind);
        Assert.Equal(TapeLibraryErrorKind.SlotOccupied, Assert.Throws<TapeLibraryException>(() => library.CreateCartridge("A00003")).LibraryKind);
        Assert.Equal(TapeLibraryErrorKind.NoSuchCartridge, Assert.Throws<TapeLibraryException>(() => library.Mount("B00001", 0)).LibraryKind);
        library.Mount("A00001", 0);
        Assert.Equal(TapeLibraryErrorKind.DriveOccupied, Assert.Throws<TapeLibraryException>(() => library.Mount("A00002", 0)).LibraryKind);
        Assert.Equal(TapeLibraryErrorKind.CartridgeInDrive, Assert.Throws<TapeLibraryException>(() => library.Export("A00001")).LibraryKind);
        Assert.Equal(TapeLibraryErrorKind.DriveEmpty, Assert.Throws<TapeLibraryException>(() => library.Unmount(1)).LibraryKind);
        TapeDriveException asDevice = Assert.Throws<TapeLibraryException>(() => library.Move(SlotAddress.Storage(1), SlotAddress.Storage(2)));
        Assert.Equal(TapeErrorKind.DeviceError, asDevice.Kind);
        using var handle = library.OpenDrive(0);
        Assert.Equal(TapeErrorKind.Busy, Assert.Throws<TapeDriveException>(() => library.OpenDrive(0)).Kind);
    }

    [Fact]
    public void Robot_load_failure_and_wrong_cartridge_faults()
    {
        using var library = VirtualTapeLibrary.Open(_root);
        library.CreateCartridge("A00001", options: Small);
        library.CreateCartridge("A00002", options: Small);
        library.Arm(Fault.Parse("robot-failure after 0 once"));
        Assert.Equal(TapeLibraryErrorKind.RobotFailure, Assert.Throws<TapeLibraryException>(() => library.Mount("A00001", 0)).LibraryKind);
        library.Arm(Fault.Parse("load-failure A00001 once"));
        var e = Assert.Throws<TapeLibraryException>(() => library.Mount("A00001", 0));
        Assert.Equal((TapeLibraryErrorKind.LoadFailure, TapeErrorKind.MediaError), (e.LibraryKind, e.Kind));
        Assert.Equal(0, library.Inventory().Cartridges.Single(c => c.Vsn == "A00001").Wear.Loads);
        library.Arm(Fault.Parse("wrong-cartridge slot 1 holds A00002"));
        library.Mount("A00001", 0);
        Assert.Equal("A00002", library.Drive(0).Vsn); // the layout layer must catch the VOL1 mismatch
    }

    [Fact]
    public void Wear_budget_refuses_or_warns()
    {
        using var library = VirtualTapeLibrary.Open(_root, new VirtualLibraryOptions { WearBudget = 2, WearPolicy = WearPolicy.Refuse });
        library.CreateCartridge("A00001", options: Small);
        var warnings = new List<string>();
        library.WearWarning += (_, vsn) => warnings.Add(vsn);
        library.Mount("A00001", 0);
        library.Unmount(0);
        library.Mount("A00001", 1);
        library.Unmount(1);
        Assert.Equal(TapeLibraryErrorKind.WearBudgetExceeded, Assert.Throws<TapeLibraryException>(() => library.Mount("A00001", 0)).LibraryKind);
        Assert.NotEmpty(warnings);
    }

    [Fact]
    public void The_inventory_survives_reopening_and_import_export_remove_work()
    {
        using (var library = VirtualTapeLibrary.Open(_root))
        {
            library.CreateCartridge("A00001", options: Small);
            library.CreateCartridge("A00002", slot: 7, options: Small);
            library.Mount("A00002", 1);
        }

        using (var library = VirtualTapeLibrary.Open(_root))
        {
            var slots = library.Inventory().Slots.Where(s => s.Vsn is not null).ToArray();
            Assert.Equal([(SlotAddress.Storage(1), "A00001"), (SlotAddress.Storage(7), "A00002")], slots.Select(s => (s.Slot, s.Vsn)));
            Assert.Equal(SlotAddress.ImportExport(1), library.Export("A00001"));
            string removed = library.Remove(1);
            Assert.True(Directory.Exists(removed));
            string outside = Path.Combine(_root, "outside.tkvt");
            Directory.Move(removed, outside);
            Assert.Equal(SlotAddress.ImportExport(1), library.Import(outside));
            library.Move(SlotAddress.ImportExport(1), SlotAddress.Storage(2));
            library.SetWriteProtect("A00001", true);
            library.Mount("A00001", 0);
            Assert.Equal(TapeErrorKind.WriteProtected, Assert.Throws<TapeDriveException>(() => library.OpenDrive(0)).Kind);
        }
    }
}

/// <summary>Rescans and failed drives (spec/tape-devices.md §5.2, §7.2).</summary>
public sealed class VirtualTapeLibraryMaintenanceTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Rescan_costs_a_barcode_scan_per_cartridge_and_reports_damage()
    {
        using var library = VirtualTapeLibrary.Open(_root);
        library.CreateCartridge("A00001");
        library.CreateCartridge("A00002");
        File.WriteAllText(Path.Combine(_root, "cartridges", "A00002.tkvt", "header"), "broken");
        long t0 = library.Clock.Nanoseconds;
        var (inventory, damaged) = library.Rescan();
        Assert.Equal(1_000_000_000, library.Clock.Nanoseconds - t0);
        Assert.Equal(["A00002"], damaged);
        Assert.Equal(2, inventory.Cartridges.Count);
    }

    [Fact]
    public void A_new_cartridge_never_takes_the_home_slot_of_a_mounted_one_and_a_crash_with_cartridges_in_drives_loses_none()
    {
        var small = new VirtualCartridgeOptions { Capacity = 10_000_000 };
        using (var library = VirtualTapeLibrary.Open(_root))
        {
            Assert.Equal(SlotAddress.Storage(1), library.CreateCartridge("A00001", options: small));
            library.Mount("A00001", 0);
            Assert.Equal(SlotAddress.Storage(2), library.CreateCartridge("A00002", options: small)); // slot 1 is A00001's home
            library.Mount("A00002", 1);
            Assert.Equal(SlotAddress.Storage(1), library.CreateCartridge("A00003", options: small, slot: 1)); // asked for: A00001's home
            // The process dies here, both cartridges in drives (the set-up of a site labelling its tapes).
        }

        using (var again = VirtualTapeLibrary.Open(_root))
        {
            Assert.Equal(["A00001", "A00002", "A00003"], again.Inventory().Cartridges.Select(c => c.Vsn).Order(StringComparer.Ordinal));
            again.Mount("A00002", 0);
        }
    }

    [Fact]
    public void A_failed_drive_needs_a_forced_unmount_and_a_repair()
    {
        using var library = VirtualTapeLibrary.Open(_root);
        library.CreateCartridge("A00001", options: new VirtualCartridgeOptions { Capacity = 10_000_000 });
        library.Mount("A00001", 0);
        using (var drive = library.OpenDrive(0))
        {
            drive.WriteBlock(new byte[10]);
            library.Drive(0).Arm("drive-failure after 0");
            Assert.Equal(TapeKit.Devices.TapeErrorKind.MediaError, Assert.Throws<TapeKit.Devices.TapeDriveException>(() => drive.WriteBlock(new byte[10])).Kind);
        }

        Assert.Equal(TapeLibraryErrorKind.DriveFailed, Assert.Throws<TapeLibraryException>(() => library.Unmount(0)).LibraryKind);
        library.Unmount(0, force: true);
        Assert.Equal(TapeLibraryErrorKind.DriveFailed, Assert.Throws<TapeLibraryException>(() => library.Mount("A00001", 0)).LibraryKind);
        library.RepairDrive(0);
        library.Mount("A00001", 0);
        using var again = library.OpenDrive(0);
        again.SeekEndOfData();
        Assert.Equal(0, again.ReadPosition()); // the uncommitted block died with the drive
    }
}

/// <summary>The library and its drives used from several threads at once (§5.4).</summary>
public sealed class VirtualTapeLibraryConcurrencyTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Drive_threads_mount_write_and_unmount_in_parallel_without_losing_counts()
    {
        using var library = VirtualTapeLibrary.Open(_root, new VirtualLibraryOptions { Drives = 3 });
        for (int i = 0; i < 3; i++)
        {
            library.CreateCartridge($"C0000{i}", options: new VirtualCartridgeOptions { Capacity = 100_000_000 });
        }

        var threads = Enumerable.Range(0, 3).Select(d => new Thread(() =>
        {
            for (int round = 0; round < 5; round++)
            {
                library.Mount($"C0000{d}", d);
                using (var drive = library.OpenDrive(d))
                {
                    drive.SeekEndOfData();
                    drive.WriteBlock(new byte[1000]);
                    drive.WriteFilemarks(1);
                    drive.Unload();
                }

                library.Unmount(d);
            }
        })).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        var inventory = library.Inventory();
        Assert.All(inventory.Cartridges, c => Assert.Equal((5L, 5000L), (c.Wear.Loads, c.Wear.BytesWritten)));
        Assert.Equal(30, library.RobotMoves);
        Assert.All(inventory.Cartridges, c => Assert.Equal(10, VirtualCartridge.ReadInfo(Path.Combine(_root, "cartridges", c.Vsn + ".tkvt")).ObjectCount));
    }
}
