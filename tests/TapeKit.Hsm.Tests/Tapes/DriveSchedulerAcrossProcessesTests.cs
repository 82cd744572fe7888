using System.Diagnostics;
using System.Globalization;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Tapes;

/// <summary>
/// Real second processes (<c>TapeKit.Tests.DriveScheduler</c>) sharing one SQLite catalogue file and one shared virtual
/// library with each other and with this process: the drive scheduler's leases keep every tape in one drive and every
/// drive with one session, sessions longer than the lease keep it by renewing, and a SIGKILLed holder's lease runs out
/// so that another process takes its drive and the cartridge in it.
/// </summary>
public sealed class DriveSchedulerAcrossProcessesTests : IDisposable
{
    private const int Drives = 2;
    private readonly TempDirectory _dir = new();

    public DriveSchedulerAcrossProcessesTests()
    {
        using VirtualTapeLibrary library = VirtualTapeLibrary.Open(Root, LibraryOptions());
        foreach (string vsn in (string[])["A00001", "A00002", "B00001"])
        {
            library.CreateCartridge(vsn, options: new VirtualCartridgeOptions { Capacity = 10_000_000 });
        }
    }

    private string Root => _dir.File("library");

    private string Db => _dir.File("catalogue.db");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Two_processes_never_mount_one_tape_twice_nor_share_a_drive()
    {
        await MigrateAsync();
        using Process a = Start("host-a", "run", "A00001,B00001,A00002", holdMs: 4000);
        using Process b = Start("host-b", "run", "A00001,A00002,B00001", holdMs: 4000);
        Task<string[]> outA = ReadAllAsync(a), outB = ReadAllAsync(b);
        string[][] outputs = await Task.WhenAll(outA, outB).WaitAsync(TimeSpan.FromMinutes(3));
        await Task.WhenAll(a.WaitForExitAsync(), b.WaitForExitAsync()).WaitAsync(TimeSpan.FromMinutes(1));
        Assert.All(outputs, o => Assert.Equal("done", o[^1]));
        Assert.Equal((0, 0), (a.ExitCode, b.ExitCode));

        var sessions = outputs.SelectMany((lines, host) => Sessions(host, lines)).ToList();
        Assert.Equal(6, sessions.Count);
        foreach (Session s in sessions)
        {
            foreach (Session t in sessions.Where(t => t != s && (t.Vsn == s.Vsn || t.Drive == s.Drive)))
            {
                Assert.False(s.Start < t.End && t.Start < s.End, $"{s} and {t} overlap: a tape mounted twice or a drive shared.");
            }
        }

        // Each session held its drive longer than the 3 s lease: it kept it by renewing, or the other host would have taken it.
        Assert.All(sessions, s => Assert.True(s.End - s.Start >= TimeSpan.FromSeconds(3.5), s.ToString()));
    }

    [Fact]
    public async Task A_killed_holder_s_lease_runs_out_and_another_process_takes_its_drive_and_cartridge()
    {
        await MigrateAsync();
        int heldDrive;
        using (Process holder = Start("host-k", "hold", "A00001", holdMs: 0))
        {
            try
            {
                string line = await holder.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(1)) ?? "";
                Assert.StartsWith("holding A00001 ", line, StringComparison.Ordinal);
                heldDrive = int.Parse(line.Split(' ')[2], CultureInfo.InvariantCulture);

                // While the holder lives and renews, this process waits and gives up (F14: no mount granted in time).
                await using SqliteHsmStore store = await OpenStoreAsync();
                using VirtualTapeLibrary library = VirtualTapeLibrary.Open(Root, LibraryOptions());
                ScheduledDrivePool pool = Pool(store, library, TimeSpan.FromSeconds(5));
                TapeMountException busy = await Assert.ThrowsAsync<TapeMountException>(async () => await pool.AcquireAsync(Request("host-p")));
                Assert.True(busy.Busy);
            }
            finally
            {
                holder.Kill(); // SIGKILL: no release, no unload; its lease and its flock on the drive are all that is left
                await holder.WaitForExitAsync();
            }
        }

        await using (SqliteHsmStore store = await OpenStoreAsync())
        {
            using VirtualTapeLibrary library = VirtualTapeLibrary.Open(Root, LibraryOptions());
            ScheduledDrivePool pool = Pool(store, library, TimeSpan.FromSeconds(60));
            var waited = Stopwatch.StartNew();
            await using TapeMount mount = await pool.AcquireAsync(Request("host-p"));
            Assert.Equal(heldDrive, mount.Drive);
            Assert.False(mount.RobotMounted); // the dead holder's cartridge was still in the drive: adopted, not remounted
            await mount.RunAsync(d => d.Rewind());
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(45), $"Took {waited.Elapsed} to take over.");
            Assert.Equal("host-p", (await new DriveScheduler(store.Catalog, SchedulerOptions()).GetDrivesAsync()).Single(d => d.Drive == heldDrive).Holder);
        }
    }

    /// <summary>The same settings as the child's (<c>SchedulerHost</c> in TapeKit.Tests.DriveScheduler).</summary>
    private static VirtualLibraryOptions LibraryOptions() => new() { Shared = true, Drives = Drives, StorageSlots = 10, SharedLockTimeout = TimeSpan.FromSeconds(30) };

    private static DriveSchedulerOptions SchedulerOptions() => new()
    {
        Library = "shared",
        MountLease = TimeSpan.FromSeconds(3),
        RequestLease = TimeSpan.FromSeconds(5),
        PollInterval = TimeSpan.FromMilliseconds(50),
    };

    private static MountRequest Request(string requester) => new() { Vsn = "A00001", Pool = "pool-A", Requester = requester };

    private static ScheduledDrivePool Pool(SqliteHsmStore store, VirtualTapeLibrary library, TimeSpan wait) =>
        new(new DriveScheduler(store.Catalog, SchedulerOptions()), new VirtualLibraryDrivePool(library, recorder: new CatalogMountRecorder(store.Catalog)), store.Catalog, "host-p")
        {
            MountWait = wait,
            RetryDelay = TimeSpan.FromMilliseconds(50),
        };

    private ValueTask<SqliteHsmStore> OpenStoreAsync() =>
        SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = Db, BusyTimeout = TimeSpan.FromSeconds(30) }, TimeProvider.System);

    /// <summary>Creates the catalogue before the children start, so that they never race to migrate it.</summary>
    private async Task MigrateAsync() => await (await OpenStoreAsync()).DisposeAsync();

    private Process Start(string name, string mode, string vsns, int holdMs)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "TapeKit.Tests.DriveScheduler.dll"));
        foreach (string arg in (string[])[Db, Root, Drives.ToString(CultureInfo.InvariantCulture), name, mode, vsns, holdMs.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(arg);
        }

        return Process.Start(start) ?? throw new InvalidOperationException("The scheduler host did not start.");
    }

    private static async Task<string[]> ReadAllAsync(Process process) =>
        (await process.StandardOutput.ReadToEndAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IEnumerable<Session> Sessions(int host, string[] lines)
    {
        var started = new Dictionary<string, (int Drive, long Ticks)>();
        foreach (string[] f in lines.Select(l => l.Split(' ')))
        {
            if (f[0] == "start")
            {
                started[f[1]] = (int.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture));
            }
            else if (f[0] == "end")
            {
                (int drive, long ticks) = started[f[1]];
                Assert.Equal(drive, int.Parse(f[2], CultureInfo.InvariantCulture));
                yield return new Session(host, f[1], drive, new DateTime(ticks, DateTimeKind.Utc), new DateTime(long.Parse(f[3], CultureInfo.InvariantCulture), DateTimeKind.Utc));
            }
        }
    }

    private sealed record Session(int Host, string Vsn, int Drive, DateTime Start, DateTime End);
}
