using Microsoft.Extensions.Time.Testing;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Tapes;

/// <summary>A drive pool that asks the scheduler: sessions mount on granted drives, leave their cartridge, and idle drives are unloaded under a lease.</summary>
public sealed class ScheduledDrivePoolTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryCatalog _catalog;
    private readonly VirtualTapeLibrary _library;
    private readonly DriveScheduler _scheduler;
    private readonly ScheduledDrivePool _pool;

    public ScheduledDrivePoolTests()
    {
        _catalog = new InMemoryCatalog(_time);
        _library = VirtualTapeLibrary.Open(_dir.File("library"), new VirtualLibraryOptions { Drives = 2 });
        foreach (string vsn in (string[])["T00001", "T00002", "T00003"])
        {
            _library.CreateCartridge(vsn);
        }

        _scheduler = new DriveScheduler(_catalog, new DriveSchedulerOptions { Library = "L" });
        _pool = new ScheduledDrivePool(_scheduler, new VirtualLibraryDrivePool(_library, recorder: new CatalogMountRecorder(_catalog)), _catalog, "host");
    }

    public void Dispose()
    {
        _library.Dispose();
        _catalog.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task A_session_holds_the_granted_drive_and_leaves_its_cartridge_for_the_next_session_of_that_tape()
    {
        await _catalog.RunAsync(txn => txn.InsertTapeAsync(new TapeRecord { Vsn = "T00001", Pool = "p" }));
        int drive;
        await using (TapeMount first = await _pool.AcquireAsync(new MountRequest { Vsn = "T00001", Pool = "p", Mode = MountMode.Read, Requester = "stager" }))
        {
            Assert.True(first.RobotMounted);
            drive = first.Drive;
            DriveRecord held = (await _scheduler.GetDrivesAsync()).Single(d => d.Drive == drive);
            Assert.Equal(("T00001", "stager", MountMode.Read, "p"), (held.Vsn, held.Holder, held.Mode, held.Pool));
        }

        DriveRecord idle = (await _scheduler.GetDrivesAsync()).Single(d => d.Drive == drive);
        Assert.Equal(("T00001", (string?)null, (DateTimeOffset?)Start), (idle.Vsn, idle.Holder, idle.ReleasedAt));

        // By VSN alone (the pool's own requester, a write, the tape's pool from the catalogue): the cartridge is reused.
        await using (TapeMount again = await _pool.AcquireAsync("T00001"))
        {
            Assert.Equal((false, drive), (again.RobotMounted, again.Drive));
            Assert.Equal(("host", MountMode.Write), (await _scheduler.GetDrivesAsync()).Where(d => d.Drive == drive).Select(d => (d.Holder!, d.Mode!.Value)).Single());
        }

        Assert.Equal(1, _pool.Mounts);
    }

    [Fact]
    public async Task Idle_cartridges_are_unloaded_after_the_dismount_delay_and_the_unmount_feeds_the_remount_guard()
    {
        await _catalog.RunAsync(txn => txn.InsertTapeAsync(new TapeRecord { Vsn = "T00002", Pool = "p" }));
        await using (await _pool.AcquireAsync(new MountRequest { Vsn = "T00002", Pool = "p", Requester = "migrator" }))
        {
        }

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(await _pool.DismountIdleAsync());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(["T00002"], await _pool.DismountIdleAsync());
        Assert.All(await _scheduler.GetDrivesAsync(), d => Assert.Equal((null, null), (d.Vsn, d.Holder)));
        Assert.Equal((DateTimeOffset?)Start.AddMinutes(5), (await _catalog.ReadAsync(txn => txn.GetTapeAsync("T00002")))!.LastUnmountedAt);
        Assert.All(_library.Inventory().Drives, d => Assert.Null(d.Vsn));
    }

    [Fact]
    public async Task A_busy_tape_makes_the_session_wait_and_cancelling_withdraws_its_request()
    {
        await using TapeMount held = await _pool.AcquireAsync(new MountRequest { Vsn = "T00003", Pool = "p", Requester = "a" });
        using var cancel = new CancellationTokenSource();
        ValueTask<TapeMount> waiting = _pool.AcquireAsync(new MountRequest { Vsn = "T00003", Pool = "p", Requester = "b" }, cancel.Token);
        Assert.False(waiting.IsCompleted);
        Assert.Single(await _catalog.ReadAsync(txn => txn.QueryMountRequestsAsync("L")));

        await cancel.CancelAsync();
        _ = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await waiting);
        Assert.Empty(await _catalog.ReadAsync(txn => txn.QueryMountRequestsAsync("L")));
    }

    [Fact]
    public async Task A_session_whose_drive_lease_was_taken_back_may_make_no_further_drive_call()
    {
        await using TapeMount mount = await _pool.AcquireAsync(new MountRequest { Vsn = "T00001", Pool = "p", Requester = "migrator" });
        Assert.Null(mount.Revoked);
        Assert.True(await mount.RunAsync(d => d.GetStatus().Online));

        // Another scheduler pass gave the drive to someone else (as when this holder's lease ran out unrenewed).
        await _catalog.RunAsync(async txn =>
        {
            DriveRecord row = (await txn.QueryDrivesAsync("L")).Single(d => d.Drive == mount.Drive);
            _ = await txn.UpdateDriveAsync(row with { Holder = "other-host", RequestId = Guid.NewGuid() });
        });
        _time.Advance(_scheduler.Options.MountLease / 3); // The next renewal finds the lease gone.
        for (int i = 0; i < 200 && mount.Revoked is null; i++)
        {
            await Task.Delay(10);
        }

        Assert.Contains("lease was lost", mount.Revoked, StringComparison.Ordinal);
        var e = await Assert.ThrowsAsync<TapeMountException>(() => mount.RunAsync(d => d.GetStatus()));
        Assert.Equal(("T00001", false), (e.Vsn, e.Busy));
        await mount.DisposeAsync();
        // Its release leaves the new holder's lease alone.
        Assert.Equal("other-host", (await _scheduler.GetDrivesAsync()).Single(d => d.Drive == mount.Drive).Holder);
    }

    [Fact]
    public async Task A_drive_that_failed_is_taken_out_of_service_with_its_reason_and_the_session_gets_the_other_drive()
    {
        int failed, other;
        await using (TapeMount first = await _pool.AcquireAsync(new MountRequest { Vsn = "T00001", Pool = "p", Requester = "migrator" }))
        {
            failed = first.Drive;
        }

        await using (TapeMount second = await _pool.AcquireAsync(new MountRequest { Vsn = "T00003", Pool = "p", Requester = "migrator" }))
        {
            other = second.Drive;
        }

        Assert.NotEqual(failed, other);
        _library.Drive(failed).Arm("drive-failure after 0"); // The drive dies with T00001 in it: it can unload nothing.

        // The scheduler offers the failed drive first (released longest ago); the pool takes it out of service and asks again.
        await using (TapeMount mount = await _pool.AcquireAsync(new MountRequest { Vsn = "T00002", Pool = "p", Requester = "migrator" }))
        {
            Assert.Equal(other, mount.Drive);
        }

        DriveRecord down = (await _scheduler.GetDrivesAsync()).Single(d => d.Drive == failed);
        Assert.True(down.IsOutOfServiceAt(_time.GetUtcNow()));
        Assert.Equal("T00001", down.Vsn);
        TransitionRecord why = Assert.Single(await _catalog.ReadAsync(txn => txn.GetTransitionsAsync(DriveScheduler.DriveEntity, $"L/{failed}")));
        Assert.Equal("OUT_OF_SERVICE", why.To);
        Assert.Contains("has failed", why.Reason, StringComparison.Ordinal);

        // The cartridge stuck in it waits (busy, saying why) instead of failing the work; the drive is tried again later.
        var shortWait = new ScheduledDrivePool(_scheduler, new VirtualLibraryDrivePool(_library, recorder: new CatalogMountRecorder(_catalog)), _catalog, "host2")
        {
            MountWait = TimeSpan.FromSeconds(5),
        };
        ValueTask<TapeMount> stuck = shortWait.AcquireAsync(new MountRequest { Vsn = "T00001", Pool = "p", Requester = "stager" });
        for (int i = 0; i < 200 && !stuck.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        var e = await Assert.ThrowsAsync<TapeMountException>(async () => await stuck);
        Assert.True(e.Busy);
        Assert.Contains($"drive {failed} until", e.Message, StringComparison.Ordinal);
        Assert.Contains("out of service", e.Message, StringComparison.Ordinal);

        // The cartridge is taken out of the failed drive (an operator, or the library opened again): a pool that registers the
        // drives sees it, and the tape is mounted on the drive in service while the failed one stays out.
        _library.Unmount(failed, force: true);
        var afterwards = new ScheduledDrivePool(_scheduler, new VirtualLibraryDrivePool(_library, recorder: new CatalogMountRecorder(_catalog)), _catalog, "host3")
        {
            MountWait = TimeSpan.FromSeconds(5),
        };
        ValueTask<TapeMount> freed = afterwards.AcquireAsync(new MountRequest { Vsn = "T00001", Pool = "p", Requester = "stager" });
        for (int i = 0; i < 200 && !freed.IsCompleted; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(10);
        }

        await using (TapeMount mounted = await freed)
        {
            Assert.Equal(other, mounted.Drive);
        }

        down = (await _scheduler.GetDrivesAsync()).Single(d => d.Drive == failed);
        Assert.Equal((null, true), (down.Vsn, down.IsOutOfServiceAt(_time.GetUtcNow())));

        _time.Advance(_scheduler.Options.OutOfServiceFor);
        Assert.False((await _scheduler.GetDrivesAsync()).Single(d => d.Drive == failed).IsOutOfServiceAt(_time.GetUtcNow()));
    }

    [Fact]
    public async Task A_cartridge_the_library_does_not_have_fails_its_mount_as_missing_not_busy()
    {
        SlotAddress exported = _library.Export("T00002");
        _ = _library.Remove(exported.Number);

        var e = await Assert.ThrowsAsync<TapeMountException>(async () => await _pool.AcquireAsync(new MountRequest { Vsn = "T00002", Pool = "p", Requester = "migrator" }));
        Assert.Equal((true, false, (int?)null), (e.CartridgeMissing, e.Busy, e.FailedDrive));
        Assert.All(await _scheduler.GetDrivesAsync(), d => Assert.Null(d.Holder)); // the grant was given back
    }
}
