using System.Globalization;
using System.Text;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

// Usage: TapeKit.Tests.DriveHolder <library root> <vsn> <drive> <drives>
// Opens the library shared, claims the drive, mounts the cartridge, writes a committed block and filemark and then a
// block that is never committed, prints "holding" and waits to be killed while it holds the drive and the cartridge.
string root = args[0];
string vsn = args[1];
int drive = int.Parse(args[2], CultureInfo.InvariantCulture);
int drives = int.Parse(args[3], CultureInfo.InvariantCulture);

var library = VirtualTapeLibrary.Open(root, new VirtualLibraryOptions { Shared = true, Drives = drives, StorageSlots = 10 });
if (!library.TryClaimDrive(drive, out IDisposable? claim))
{
    Console.WriteLine("busy");
    return 2;
}

GC.KeepAlive(claim);
library.Mount(vsn, drive);
ITapeDrive handle = library.OpenDrive(drive);
handle.WriteBlock(Encoding.ASCII.GetBytes("committed"));
handle.WriteFilemarks(1);
handle.WriteBlock(Encoding.ASCII.GetBytes("never committed"));
Console.WriteLine("holding");
Thread.Sleep(Timeout.Infinite);
return 0;
