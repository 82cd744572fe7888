using Microsoft.Extensions.Time.Testing;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Tapes;

/// <summary>The drive pool records its robot moves in the catalogue, so every host's remount guard sees them.</summary>
public sealed class VirtualLibraryDrivePoolTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryCatalog _catalog;
    private readonly VirtualTapeLibrary _library;
    private readonly VirtualLibraryDrivePool _pool;

    public VirtualLibraryDrivePoolTests()
    {
        _catalog = new InMemoryCatalog(_time);
        _library = VirtualTapeLibrary.Open(_dir.File("library"), new VirtualLibraryOptions { Drives = 1 });
        _pool = new VirtualLibraryDrivePool(_library, recorder: new CatalogMountRecorder(_catalog));
        foreach (string vsn in new[] { "T00001", "T00002" })
        {
            _library.CreateCartridge(vsn);
        }
    }

    public void Dispose()
    {
        _library.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_dismount_through_the_pool_sets_LastUnmountedAt_and_the_remount_guard_sees_it()
    {
        await InsertTapesAsync("T00001");
        using (await _pool.AcquireAsync("T00001"))
        {
        }

        TapeRecord mounted = await TapeAsync("T00001");
        Assert.Equal((1, (DateTimeOffset?)Start, (DateTimeOffset?)null), (mounted.MountCount, mounted.LastMountedAt, mounted.LastUnmountedAt));

        _time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(["T00001"], await _pool.DismountIdleAsync());
        TapeRecord dismounted = await TapeAsync("T00001");
        Assert.Equal((DateTimeOffset?)Start.AddMinutes(5), dismounted.LastUnmountedAt);

        // What the recall planner's remount guard is fed from the catalogue.
        await using ICatalogTransaction txn = await _catalog.BeginAsync();
        (_, Dictionary<string, RecallTapeStatus> tapes, _) = await RecallRequests.LoadAsync(txn, null, measureUsage: false, skipListed: false);
        Assert.Equal((DateTimeOffset?)Start.AddMinutes(5), tapes["T00001"].LastUnmountedAt);
    }

    [Fact]
    public async Task Only_robot_moves_are_recorded_and_a_cartridge_taken_out_to_make_room_is_a_dismount()
    {
        await InsertTapesAsync("T00001", "T00002");
        using (await _pool.AcquireAsync("T00001"))
        {
        }

        using (await _pool.AcquireAsync("T00001"))
        {
            // Still loaded: no robot move, nothing recorded.
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        using (TapeMount second = await _pool.AcquireAsync("T00002"))
        {
            Assert.True(second.RobotMounted);
        }

        TapeRecord first = await TapeAsync("T00001");
        TapeRecord other = await TapeAsync("T00002");
        Assert.Equal((1, (DateTimeOffset?)Start.AddMinutes(1)), (first.MountCount, first.LastUnmountedAt));
        Assert.Equal((1, (DateTimeOffset?)Start.AddMinutes(1), (DateTimeOffset?)null), (other.MountCount, other.LastMountedAt, other.LastUnmountedAt));
        Assert.Equal(2, _pool.Mounts);
    }

    [Fact]
    public async Task A_cartridge_the_catalogue_does_not_know_is_mounted_and_dismounted_without_a_row()
    {
        using (await _pool.AcquireAsync("T00001"))
        {
        }

        Assert.Equal(["T00001"], await _pool.DismountIdleAsync());
        await using ICatalogTransaction txn = await _catalog.BeginAsync();
        Assert.Null(await txn.GetTapeAsync("T00001"));
    }

    private async Task InsertTapesAsync(params string[] vsns)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync();
        foreach (string vsn in vsns)
        {
            await txn.InsertTapeAsync(new TapeRecord { Vsn = vsn, Pool = "p", CapacityEstimate = MediaProfile.Lto9.Capacity });
        }

        await txn.CommitAsync();
    }

    private async Task<TapeRecord> TapeAsync(string vsn)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync();
        return (await txn.GetTapeAsync(vsn))!;
    }
}
