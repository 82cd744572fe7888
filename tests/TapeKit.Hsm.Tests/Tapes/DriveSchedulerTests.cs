using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;

namespace TapeKit.Hsm.Tests.Tapes;

/// <summary>
/// The drive scheduler's decisions on a virtual clock: priority, fairness across tape pools, age, one session per tape,
/// read and write never mixed, the dismount delay, the remount guard, and leases that end when their holder is gone.
/// </summary>
public sealed class DriveSchedulerTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryCatalog _catalog;
    private readonly DriveScheduler _scheduler;

    public DriveSchedulerTests()
    {
        _catalog = new InMemoryCatalog(_time);
        _scheduler = new DriveScheduler(_catalog, new DriveSchedulerOptions { Library = "L" });
    }

    public void Dispose() => _catalog.Dispose();

    [Fact]
    public async Task The_highest_priority_is_served_first_whatever_its_age()
    {
        await DrivesAsync(1);
        Guid low = await EnqueueAsync("A00001", "pa", priority: RequestPriority.Low);
        Guid high = await EnqueueAsync("A00002", "pa", priority: RequestPriority.High);
        Guid normal = await EnqueueAsync("A00003", "pa");

        Assert.Equal(1, await _scheduler.ScheduleAsync());
        Assert.Equal("A00002", (await GrantAsync(high))!.Vsn);
        Assert.Null(await GrantAsync(low));

        await ReleaseAsync(high);
        Assert.Null(await _scheduler.PollAsync(low));
        Assert.Equal("A00003", (await GrantAsync(normal))!.Vsn);
        await ReleaseAsync(normal);
        Assert.Equal("A00001", (await _scheduler.PollAsync(low))!.Vsn);
    }

    [Fact]
    public async Task Pools_are_served_in_turn_so_a_long_queue_of_one_pool_does_not_starve_another()
    {
        await DrivesAsync(1);
        Guid[] a = [await EnqueueAsync("A00001", "pa"), await EnqueueAsync("A00002", "pa"), await EnqueueAsync("A00003", "pa")];
        Guid[] b = [await EnqueueAsync("B00001", "pb"), await EnqueueAsync("B00002", "pb")];

        var served = new List<string>();
        for (int i = 0; i < 5; i++)
        {
            _ = await _scheduler.ScheduleAsync();
            DriveGrant grant = Assert.Single(await GrantsAsync(a.Concat(b)));
            served.Add(grant.Vsn!);
            Assert.True(await _scheduler.ReleaseAsync(grant, null));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        // Oldest first within a pool; the pools alternate while both wait, then the rest of the longer queue.
        Assert.Equal(["A00001", "B00001", "A00002", "B00002", "A00003"], served);
    }

    [Fact]
    public async Task Free_drives_are_shared_between_waiting_pools_before_a_pool_gets_a_second_one()
    {
        await DrivesAsync(2);
        Guid a1 = await EnqueueAsync("A00001", "pa");
        Guid a2 = await EnqueueAsync("A00002", "pa");
        Guid b1 = await EnqueueAsync("B00001", "pb");

        Assert.Equal(2, await _scheduler.ScheduleAsync());
        Assert.Equal(["A00001", "B00001"], (await GrantsAsync([a1, a2, b1])).Select(g => g.Vsn!).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_tape_is_in_one_session_at_a_time_and_a_read_never_joins_a_write_session()
    {
        await DrivesAsync(3);
        Guid write = await EnqueueAsync("T00001", "p", MountMode.Write);
        Guid read = await EnqueueAsync("T00001", "p", MountMode.Read, RequestPriority.Urgent);
        Guid secondWrite = await EnqueueAsync("T00001", "p", MountMode.Write);

        // The urgent read goes first; the writes wait for it although two drives are free.
        Assert.Equal(1, await _scheduler.ScheduleAsync());
        DriveGrant reading = (await GrantAsync(read))!;
        Assert.Equal(MountMode.Read, reading.Mode);
        Assert.Empty(await GrantsAsync([write, secondWrite]));

        Assert.True(await _scheduler.ReleaseAsync(reading, "T00001"));
        _ = await _scheduler.ScheduleAsync();
        DriveGrant writing = Assert.Single(await GrantsAsync([write, secondWrite]));
        Assert.Equal((write, MountMode.Write, reading.Drive), (writing.RequestId, writing.Mode, writing.Drive)); // the cartridge's drive: no mount
        Assert.Single(await _scheduler.GetDrivesAsync(), d => d.Vsn == "T00001");
    }

    [Fact]
    public async Task A_drive_keeps_its_cartridge_for_the_dismount_delay_and_the_next_session_of_that_tape_reuses_it()
    {
        await DrivesAsync(2);
        Guid first = await EnqueueAsync("T00001", "p");
        _ = await _scheduler.ScheduleAsync();
        DriveGrant session = (await GrantAsync(first))!;
        Assert.True(await _scheduler.ReleaseAsync(session, "T00001"));

        // Another tape takes the empty drive, not the one whose cartridge waits out its delay.
        Guid other = await EnqueueAsync("T00002", "p");
        _ = await _scheduler.ScheduleAsync();
        Assert.NotEqual(session.Drive, (await GrantAsync(other))!.Drive);

        _time.Advance(TimeSpan.FromMinutes(4));
        Assert.Empty(await _scheduler.TakeIdleForDismountAsync("host"));
        Guid again = await EnqueueAsync("T00001", "p");
        _ = await _scheduler.ScheduleAsync();
        DriveGrant reused = (await GrantAsync(again))!;
        Assert.Equal(session.Drive, reused.Drive);
        Assert.True(await _scheduler.ReleaseAsync(reused, "T00001"));

        _time.Advance(TimeSpan.FromMinutes(5));
        DriveGrant unload = Assert.Single(await _scheduler.TakeIdleForDismountAsync("host"));
        Assert.Equal(("T00001", session.Drive), (unload.Vsn, unload.Drive));
        Assert.Empty(await _scheduler.TakeIdleForDismountAsync("another host")); // leased to the first for the unload
        Assert.True(await _scheduler.ReleaseAsync(unload, null));
        Assert.Null((await _scheduler.GetDrivesAsync()).Single(d => d.Drive == session.Drive).Vsn);
    }

    [Fact]
    public async Task A_waiting_request_takes_a_drive_in_its_dismount_delay_when_no_other_is_free()
    {
        await DrivesAsync(1);
        Guid first = await EnqueueAsync("T00001", "p");
        _ = await _scheduler.ScheduleAsync();
        Assert.True(await _scheduler.ReleaseAsync((await GrantAsync(first))!, "T00001"));

        Guid other = await EnqueueAsync("T00002", "p");
        _ = await _scheduler.ScheduleAsync();
        Assert.Equal("T00002", (await GrantAsync(other))!.Vsn);
        Assert.Equal("T00002", Assert.Single(await _scheduler.GetDrivesAsync()).Vsn);
    }

    [Fact]
    public async Task The_remount_guard_holds_back_a_read_mount_unless_urgent_or_bypassed_and_never_a_write()
    {
        await DrivesAsync(3);
        await _catalog.RunAsync(async txn =>
        {
            foreach (string vsn in (string[])["R00001", "R00002", "R00003"])
            {
                await txn.InsertTapeAsync(new TapeRecord { Vsn = vsn, Pool = "p", LastUnmountedAt = Start.AddMinutes(-10) });
            }
        });
        Guid read = await EnqueueAsync("R00001", "p", MountMode.Read, RequestPriority.High);
        Guid write = await EnqueueAsync("R00002", "p", MountMode.Write);
        Guid urgent = await EnqueueAsync("R00003", "p", MountMode.Read, RequestPriority.Urgent);

        Assert.Equal(2, await _scheduler.ScheduleAsync());
        Assert.Null(await GrantAsync(read));
        Assert.NotNull(await GrantAsync(write));
        Assert.NotNull(await GrantAsync(urgent));
        Assert.Equal((1L, 1L), (_scheduler.RemountGuardBlocked, _scheduler.RemountGuardBypassed));

        // Two hours after the last unmount the guard lets it go (the request was kept alive by its waiter's polls).
        _time.Advance(TimeSpan.FromMinutes(50));
        Assert.Null(await _scheduler.PollAsync(read));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(await _scheduler.PollAsync(read));
        _time.Advance(TimeSpan.FromMinutes(59));
        Assert.Equal("R00001", (await _scheduler.PollAsync(read))!.Vsn);
        Assert.Equal((3L, 1L), (_scheduler.RemountGuardBlocked, _scheduler.RemountGuardBypassed)); // one block per pass while it waited
    }

    [Fact]
    public async Task A_lease_not_renewed_ends_and_the_drive_goes_to_the_next_request()
    {
        await DrivesAsync(1);
        Guid dead = await EnqueueAsync("T00001", "p");
        _ = await _scheduler.ScheduleAsync();
        DriveGrant lost = (await GrantAsync(dead))!;
        Guid next = await EnqueueAsync("T00002", "p");

        _time.Advance(TimeSpan.FromMinutes(9));
        DriveGrant renewed = (await _scheduler.RenewAsync(lost))!;
        Assert.Equal(_time.GetUtcNow().AddMinutes(10), renewed.LeaseUntil);
        Assert.Null(await _scheduler.PollAsync(next));

        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.Null(await _scheduler.PollAsync(next)); // the lease runs to its last instant
        _time.Advance(TimeSpan.FromSeconds(1));
        DriveGrant taken = (await _scheduler.PollAsync(next))!;
        Assert.Equal(("T00002", lost.Drive), (taken.Vsn, taken.Drive));
        Assert.Null(await _scheduler.RenewAsync(lost));
        Assert.False(await _scheduler.ReleaseAsync(lost, "T00001"));
        Assert.Equal("T00002", Assert.Single(await _scheduler.GetDrivesAsync()).Vsn);
    }

    [Fact]
    public async Task A_holder_whose_instance_restarted_loses_its_drive_at_once()
    {
        await DrivesAsync(1);
        long epoch = await _catalog.RunAsync(txn => txn.AdvanceInstanceEpochAsync("host-a"));
        string worker = new InstanceIncarnation("host-a", epoch).WorkerId("stager");
        Guid held = await _scheduler.EnqueueAsync(new MountRequest { Vsn = "T00001", Pool = "p", Requester = worker });
        _ = await _scheduler.ScheduleAsync();
        Assert.Equal(worker, (await GrantAsync(held))!.Holder);

        Guid next = await EnqueueAsync("T00002", "p");
        Assert.Null(await _scheduler.PollAsync(next));
        _ = await _catalog.RunAsync(txn => txn.AdvanceInstanceEpochAsync("host-a"));
        Assert.Equal("T00002", (await _scheduler.PollAsync(next))!.Vsn);
    }

    [Fact]
    public async Task A_request_whose_waiter_stopped_polling_expires_and_a_cancelled_one_is_gone()
    {
        await DrivesAsync(1);
        Guid busy = await EnqueueAsync("T00001", "p");
        _ = await _scheduler.ScheduleAsync();
        Guid abandoned = await EnqueueAsync("T00002", "p");
        Guid cancelled = await EnqueueAsync("T00003", "p");
        Assert.True(await _scheduler.CancelAsync(cancelled));
        Assert.False(await _scheduler.CancelAsync(busy)); // granted: not waiting any more

        _time.Advance(TimeSpan.FromMinutes(2));
        _ = await _scheduler.ScheduleAsync();
        Assert.Empty(await _catalog.ReadAsync(txn => txn.QueryMountRequestsAsync("L")));
        TapeMountException gone = await Assert.ThrowsAsync<TapeMountException>(async () => await _scheduler.PollAsync(abandoned));
        Assert.False(gone.IsTransient);
    }

    [Fact]
    public async Task Registering_drives_keeps_the_rows_another_host_made()
    {
        await _scheduler.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = "T00001", [1] = null });
        Guid id = await EnqueueAsync("T00001", "p");
        _ = await _scheduler.ScheduleAsync();
        await _scheduler.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = null, [1] = null, [2] = "T00001" });

        IReadOnlyList<DriveRecord> drives = await _scheduler.GetDrivesAsync();
        Assert.Equal([("T00001", true), (null, false), (null, false)], drives.Select(d => (d.Vsn, d.RequestId == id)));
    }

    [Fact]
    public async Task Registering_brings_a_free_drive_s_row_to_the_robot_s_view()
    {
        await _scheduler.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = null, [1] = "T00001" });
        Guid id = await EnqueueAsync("T00002", "p");
        _ = await _scheduler.ScheduleAsync();
        Assert.Equal(0, (await GrantAsync(id))!.Drive);

        // The robot says: T00001 moved to drive 2 (a new drive), drive 1 is empty; drive 0 is leased and keeps its row.
        await _scheduler.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = "T00009", [1] = null, [2] = "T00001" });
        Assert.Equal(["T00002", null, "T00001"], (await _scheduler.GetDrivesAsync()).Select(d => d.Vsn));
    }

    private ValueTask DrivesAsync(int count) =>
        _scheduler.RegisterDrivesAsync(Enumerable.Range(0, count).ToDictionary(d => d, _ => (string?)null));

    private async Task<Guid> EnqueueAsync(string vsn, string pool, MountMode mode = MountMode.Read, RequestPriority priority = RequestPriority.Normal)
    {
        Guid id = await _scheduler.EnqueueAsync(new MountRequest { Vsn = vsn, Pool = pool, Mode = mode, Priority = priority, Requester = "w-" + vsn });
        _time.Advance(TimeSpan.FromSeconds(1)); // strictly ordered arrivals
        return id;
    }

    private async Task<DriveGrant?> GrantAsync(Guid requestId) => (await GrantsAsync([requestId])).SingleOrDefault();

    private async Task<IReadOnlyList<DriveGrant>> GrantsAsync(IEnumerable<Guid> requestIds)
    {
        HashSet<Guid> ids = [.. requestIds];
        return [.. (await _scheduler.GetDrivesAsync()).Where(d => d.RequestId is { } id && ids.Contains(id) && d.IsLeasedAt(_time.GetUtcNow()))
            .Select(d => new DriveGrant(d.RequestId!.Value, d.Library, d.Drive, d.Vsn, d.Mode!.Value, d.Holder!, d.LeaseUntil!.Value))];
    }

    private async Task ReleaseAsync(Guid requestId) => Assert.True(await _scheduler.ReleaseAsync((await GrantAsync(requestId))!, null));
}
