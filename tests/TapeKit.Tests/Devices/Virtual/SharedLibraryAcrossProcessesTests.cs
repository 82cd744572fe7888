using System.Diagnostics;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>
/// A shared library used by a real second process (<c>TapeKit.Tests.DriveHolder</c>) that is SIGKILLed while it holds a
/// drive and the cartridge in it: the kernel drops its locks, and this process adopts the cartridge and finds
/// everything the dead process committed.
/// </summary>
public sealed class SharedLibraryAcrossProcessesTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void A_drive_held_by_a_killed_process_is_free_again_and_its_cartridge_is_adopted_intact()
    {
        var options = SharedVirtualTapeLibraryTests.SharedOptions();
        using var library = VirtualTapeLibrary.Open(_root, options);
        library.CreateCartridge("K00001", options: new VirtualCartridgeOptions { Capacity = 10_000_000 });

        using (Process holder = StartHolder("K00001", drive: 0, options.Drives))
        {
            try
            {
                Assert.Equal("holding", ReadLine(holder, TimeSpan.FromSeconds(60)));
                Assert.False(library.TryClaimDrive(0, out _));
                Assert.Equal(TapeLibraryErrorKind.DriveInUse, Assert.Throws<TapeLibraryException>(() => library.OpenDrive(0)).LibraryKind);
                Assert.Equal("K00001", library.Inventory().Drives[0].Vsn);

                // The cartridge's own lock excludes this process too: two processes never write one cartridge.
                Assert.Equal(TapeErrorKind.Busy, Assert.Throws<TapeDriveException>(() => VirtualCartridge.Verify(CartridgePath("K00001"))).Kind);
            }
            finally
            {
                holder.Kill(); // SIGKILL on Linux: no finally, no flush in the child
                holder.WaitForExit();
            }
        }

        Assert.True(library.TryClaimDrive(0, out IDisposable? claim));
        using (claim)
        {
            using (ITapeDrive drive = library.OpenDrive(0))
            {
                // What the child committed survives; the block after its last sync point does not.
                Assert.Equal(["committed", "|"], SharedVirtualTapeLibraryTests.ReadToEnd(drive));
                SharedVirtualTapeLibraryTests.WriteFile(drive, "after the crash");
                drive.Rewind();
                Assert.Equal(["committed", "|", "after the crash", "|"], SharedVirtualTapeLibraryTests.ReadToEnd(drive));
            }

            library.Unmount(0);
        }

        Assert.Empty(VirtualCartridge.Verify(CartridgePath("K00001")));
        Assert.Equal(("K00001", "slot 1", 1L), library.Inventory().Cartridges.Select(c => (c.Vsn, c.Location, c.Wear.Loads)).Single());
    }

    private string CartridgePath(string vsn) => Path.Combine(_root, "cartridges", vsn + ".tkvt");

    private Process StartHolder(string vsn, int drive, int drives)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TapeKit.Tests.DriveHolder.dll"));
        start.ArgumentList.Add(_root);
        start.ArgumentList.Add(vsn);
        start.ArgumentList.Add(drive.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.ArgumentList.Add(drives.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(start) ?? throw new InvalidOperationException("The drive holder did not start.");
    }

    private static string? ReadLine(Process process, TimeSpan timeout)
    {
        Task<string?> line = process.StandardOutput.ReadLineAsync();
        return line.Wait(timeout) ? line.Result : throw new TimeoutException("The drive holder did not report within " + timeout + ".");
    }
}
