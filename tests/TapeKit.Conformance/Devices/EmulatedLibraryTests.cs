using System.Runtime.Versioning;
using TapeKit.Conformance.Support;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// A library over the native emulation (spec/tape-devices.md §5.6): robot-driven flows run through
/// the real Linux backend, and what one drive wrote another reads back.
/// </summary>
[Collection(EmulationTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class EmulatedLibraryTests : IDisposable
{
    private readonly string _root = Path.Combine(StDifferentialHarness.ScratchRoot, "library-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        NativeEmulation.Reset();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [EmulationFact]
    public void Mount_write_unmount_and_read_back_on_another_drive_through_the_linux_backend()
    {
        NativeEmulation.Require();
        string emulation = Path.Combine(_root, "emulation");
        Directory.CreateDirectory(emulation);
        NativeEmulation.Check(NativeEmulation.Reset(), "tkvst_reset");
        NativeEmulation.Check(NativeEmulation.SetRoot(emulation), "tkvst_set_root");
        using var library = VirtualTapeLibrary.ForNativeEmulation(Path.Combine(_root, "library"), emulation, new VirtualLibraryOptions { Drives = 2 });
        NativeEmulation.Check(NativeEmulation.Configure(0, "scsi2logical = 1\n"), "tkvst_configure");
        NativeEmulation.Check(NativeEmulation.Configure(1, "scsi2logical = 1\n"), "tkvst_configure");
        library.CreateCartridge("E00001", options: new VirtualCartridgeOptions { Capacity = 50_000_000 });
        library.Mount("E00001", 0);
        Assert.Throws<InvalidOperationException>(() => library.Drive(0));
        byte[] block = StStep.Payload(65536, 3);
        using (var drive = library.OpenDrive(0))
        {
            Assert.Equal("/dev/nst0", drive.DeviceName);
            Assert.True(drive.Capabilities.LogicalPositioning);
            drive.WriteBlock(block);
            drive.WriteFilemarks(1);
            drive.Unload();
        }

        library.Unmount(0);
        library.Mount("E00001", 1);
        using (var drive = library.OpenDrive(1))
        {
            var buffer = new byte[block.Length];
            Assert.Equal(new TapeReadResult(TapeReadKind.Data, block.Length), drive.ReadBlock(buffer));
            Assert.Equal(block, buffer);
            Assert.Equal(TapeReadKind.Filemark, drive.ReadBlock(buffer).Kind);
            Assert.Equal(2, drive.ReadPosition());
        }

        library.Unmount(1);
        Assert.Equal(2, library.Inventory().Cartridges.Single().Wear.Loads);
        Assert.Equal(4, library.RobotMoves);
    }
}
