using System.Text;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Tapes;

/// <summary>
/// Two drive pools over one shared library directory — two migrators of one disk library — compete for its drives.
/// Each pool has its own library instance, as each process would; their drive claims are file locks, which conflict
/// between two instances of one process as between two processes.
/// </summary>
public sealed class SharedLibraryDrivePoolTests : IDisposable
{
    private static readonly VirtualLibraryOptions Shared = new() { Shared = true, Drives = 2, StorageSlots = 10, SharedLockTimeout = TimeSpan.FromSeconds(5) };
    private readonly TempDirectory _dir = new();
    private readonly VirtualTapeLibrary _libraryA;
    private readonly VirtualTapeLibrary _libraryB;
    private readonly VirtualLibraryDrivePool _poolA;
    private readonly VirtualLibraryDrivePool _poolB;

    public SharedLibraryDrivePoolTests()
    {
        _libraryA = VirtualTapeLibrary.Open(_dir.File("library"), Shared);
        _libraryB = VirtualTapeLibrary.Open(_dir.File("library"), Shared);
        _poolA = new VirtualLibraryDrivePool(_libraryA);
        _poolB = new VirtualLibraryDrivePool(_libraryB);
        foreach (string vsn in new[] { "T00001", "T00002", "T00003" })
        {
            _libraryA.CreateCartridge(vsn, options: new VirtualCartridgeOptions { Capacity = 10_000_000 });
        }
    }

    public void Dispose()
    {
        _libraryA.Dispose();
        _libraryB.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_drive_the_other_pool_holds_is_busy_and_its_cartridge_is_adopted_once_released()
    {
        TapeMount a = await _poolA.AcquireAsync("T00001");
        Assert.Equal(0, a.Drive);
        await a.RunAsync(d =>
        {
            d.WriteBlock(Encoding.ASCII.GetBytes("written by A"));
            d.WriteFilemarks(1);
        });

        // Drive 0 is A's: B takes the other one, then has nothing left.
        using (TapeMount b = await _poolB.AcquireAsync("T00002"))
        {
            Assert.Equal((1, true), (b.Drive, b.RobotMounted));
            Assert.True((await Assert.ThrowsAsync<TapeMountException>(async () => await _poolB.AcquireAsync("T00003"))).Busy);
        }

        TapeMountException inA = await Assert.ThrowsAsync<TapeMountException>(async () => await _poolB.AcquireAsync("T00001"));
        Assert.True(inA.Busy);
        Assert.Contains("another process", inA.Message, StringComparison.Ordinal);

        await a.DisposeAsync();
        using (TapeMount adopted = await _poolB.AcquireAsync("T00001"))
        {
            Assert.Equal((0, false), (adopted.Drive, adopted.RobotMounted));
            string text = await adopted.RunAsync(d =>
            {
                byte[] buffer = new byte[100];
                return Encoding.ASCII.GetString(buffer, 0, d.ReadBlock(buffer).Length);
            });
            Assert.Equal("written by A", text);

            // A's pool evicts the cartridge B left in drive 1 (released, so free to move) to mount T00003.
            using TapeMount third = await _poolA.AcquireAsync("T00003");
            Assert.Equal((1, true), (third.Drive, third.RobotMounted));
        }

        LibraryInventory seenByA = _libraryA.Inventory();
        Assert.Equal(["T00001", "T00003"], seenByA.Drives.Select(d => d.Vsn));
        Assert.Equal(seenByA.Slots, _libraryB.Inventory().Slots);
        Assert.Equal(2, _poolA.Mounts + _poolB.Mounts - 1); // T00001 and T00003 by A, T00002 by B
    }

    [Fact]
    public async Task Dismounting_idle_drives_skips_a_drive_the_other_pool_holds()
    {
        using TapeMount a = await _poolA.AcquireAsync("T00001");
        using (await _poolB.AcquireAsync("T00002"))
        {
        }

        Assert.Equal(["T00002"], await _poolB.DismountIdleAsync());
        Assert.Equal(["T00001", null], _libraryB.Inventory().Drives.Select(d => d.Vsn));
    }
}
