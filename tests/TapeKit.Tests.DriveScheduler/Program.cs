using System.Globalization;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tapes;

// Usage: TapeKit.Tests.DriveScheduler <catalogue file> <library root> <drives> <name> run|hold <vsn,vsn,…> <hold ms>
// run:  mounts each cartridge in turn through a ScheduledDrivePool, printing "start <vsn> <drive> <ticks>" once mounted and
//       "end <vsn> <drive> <ticks>" before giving the drive back after <hold ms>; then "done".
// hold: mounts the first cartridge, prints "holding <vsn> <drive>" and waits to be killed with the drive's lease.
string db = args[0];
string root = args[1];
int drives = int.Parse(args[2], CultureInfo.InvariantCulture);
string name = args[3];
bool hold = args[4] == "hold";
string[] vsns = args[5].Split(',');
int holdMs = int.Parse(args[6], CultureInfo.InvariantCulture);

await using SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = db, BusyTimeout = TimeSpan.FromSeconds(30) }, TimeProvider.System);
using VirtualTapeLibrary library = VirtualTapeLibrary.Open(root, SchedulerHost.LibraryOptions(drives));
var scheduler = new DriveScheduler(store.Catalog, SchedulerHost.SchedulerOptions());
var pool = new ScheduledDrivePool(scheduler, new VirtualLibraryDrivePool(library, recorder: new CatalogMountRecorder(store.Catalog)), store.Catalog, name)
{
    MountWait = TimeSpan.FromMinutes(2),
    RetryDelay = TimeSpan.FromMilliseconds(50),
};

for (int i = 0; i < vsns.Length; i++)
{
    string vsn = vsns[i];
    var request = new MountRequest { Vsn = vsn, Pool = "pool-" + vsn[0], Mode = i % 2 == 0 ? MountMode.Write : MountMode.Read, Requester = name };
    TapeMount mount = await pool.AcquireAsync(request);
    if (hold)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"holding {vsn} {mount.Drive}"));
        await Task.Delay(Timeout.Infinite);
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start {vsn} {mount.Drive} {DateTime.UtcNow.Ticks}"));
    await mount.RunAsync(d => d.Rewind());
    await Task.Delay(holdMs); // longer than the mount lease: the pool must renew it meanwhile
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"end {vsn} {mount.Drive} {DateTime.UtcNow.Ticks}"));
    await mount.DisposeAsync();
}

Console.WriteLine("done");
return 0;

/// <summary>The settings every process of the test uses (the parent test has the same).</summary>
internal static class SchedulerHost
{
    public static VirtualLibraryOptions LibraryOptions(int drives) => new() { Shared = true, Drives = drives, StorageSlots = 10, SharedLockTimeout = TimeSpan.FromSeconds(30) };

    public static DriveSchedulerOptions SchedulerOptions() => new()
    {
        Library = "shared",
        MountLease = TimeSpan.FromSeconds(3),
        RequestLease = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };
}
