using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tapes;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// The drive scheduler's rows: drives with their cartridge and lease, written only at the version read, a cartridge in
/// one drive row at most; mount requests queued oldest first, renewed and removed. Several schedulers racing for one
/// drive: one wins.
/// </summary>
public abstract partial class CatalogContractTests
{
    /// <summary>A drive row round trips every field, and an update applies only to the version it read.</summary>
    [SkippableFact]
    public async Task A_drive_row_round_trips_and_updates_only_at_the_version_read()
    {
        DateTimeOffset now = Time.GetUtcNow();
        var drive = new DriveRecord
        {
            Library = "L1", Drive = 3, Vsn = "D00001", Pool = "p", Mode = MountMode.Read, Holder = "host-a", RequestId = Guid.NewGuid(),
            LeaseUntil = now.AddMinutes(10), GrantedAt = now, ReleasedAt = now.AddMinutes(-1),
        };
        await Catalog.RunAsync(txn => txn.InsertDriveAsync(drive));
        await Catalog.RunAsync(txn => txn.InsertDriveAsync(new DriveRecord { Library = "L1", Drive = 1 }));
        await Catalog.RunAsync(txn => txn.InsertDriveAsync(new DriveRecord { Library = "L2", Drive = 1 }));
        IReadOnlyList<DriveRecord> rows = await Catalog.ReadAsync(txn => txn.QueryDrivesAsync("L1"));
        Assert.Equal([1, 3], rows.Select(d => d.Drive));
        Assert.Equal(drive, rows[1]);

        DriveRecord released = await Catalog.RunAsync(txn => txn.UpdateDriveAsync(rows[1] with { Holder = null, RequestId = null, LeaseUntil = null, Mode = MountMode.Write }));
        Assert.Equal(1, released.RowVersion);
        Assert.Equal(released, (await Catalog.ReadAsync(txn => txn.QueryDrivesAsync("L1")))[1]);

        await using ICatalogTransaction stale = await Catalog.BeginAsync();
        _ = await Assert.ThrowsAsync<CatalogConflictException>(async () => await stale.UpdateDriveAsync(rows[1] with { Holder = "host-b" }));
    }

    /// <summary>A cartridge is in one drive row at most: neither an insert nor an update may place it in a second drive.</summary>
    [SkippableFact]
    public async Task A_cartridge_is_in_one_drive_row_at_most()
    {
        await Catalog.RunAsync(txn => txn.InsertDriveAsync(new DriveRecord { Library = "L1", Drive = 0, Vsn = "D00002" }));
        await Catalog.RunAsync(txn => txn.InsertDriveAsync(new DriveRecord { Library = "L1", Drive = 1 }));
        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            _ = await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertDriveAsync(new DriveRecord { Library = "L1", Drive = 2, Vsn = "D00002" }));
        }

        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            DriveRecord empty = (await txn.QueryDrivesAsync("L1"))[1];
            _ = await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.UpdateDriveAsync(empty with { Vsn = "D00002" }));
        }

        await using (ICatalogTransaction txn = await Catalog.BeginAsync())
        {
            _ = await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertDriveAsync(new DriveRecord { Library = "L1", Drive = 0 }));
        }

        Assert.Equal(["D00002", null], (await Catalog.ReadAsync(txn => txn.QueryDrivesAsync("L1"))).Select(d => d.Vsn));
    }

    /// <summary>Mount requests are listed per library oldest first, renewed while they exist and removed once.</summary>
    [SkippableFact]
    public async Task Mount_requests_queue_oldest_first_and_are_renewed_and_removed()
    {
        DateTimeOffset now = Time.GetUtcNow();
        MountRequestRecord Request(string vsn, int ageSeconds, string library = "L1") => new()
        {
            RequestId = Guid.NewGuid(), Library = library, Vsn = vsn, Pool = "p-" + vsn, Mode = MountMode.Read, Priority = RequestPriority.High,
            Requester = "w-" + vsn, CreatedAt = now.AddSeconds(-ageSeconds), LeaseUntil = now.AddMinutes(1), BypassRemountGuard = vsn == "R00002",
        };
        MountRequestRecord young = Request("R00001", 1), old = Request("R00002", 60), other = Request("R00003", 90, "L2");
        await Catalog.RunAsync(async txn =>
        {
            await txn.InsertMountRequestAsync(young);
            await txn.InsertMountRequestAsync(old);
            await txn.InsertMountRequestAsync(other);
        });
        Assert.Equal([old, young], await Catalog.ReadAsync(txn => txn.QueryMountRequestsAsync("L1")));

        Assert.True(await Catalog.RunAsync(txn => txn.RenewMountRequestAsync(young.RequestId, now.AddMinutes(5))));
        Assert.True(await Catalog.RunAsync(txn => txn.DeleteMountRequestAsync(old.RequestId)));
        Assert.False(await Catalog.RunAsync(txn => txn.DeleteMountRequestAsync(old.RequestId)));
        Assert.False(await Catalog.RunAsync(txn => txn.RenewMountRequestAsync(old.RequestId, now.AddMinutes(5))));
        Assert.Equal([young with { LeaseUntil = now.AddMinutes(5) }], await Catalog.ReadAsync(txn => txn.QueryMountRequestsAsync("L1")));
    }

    /// <summary>Schedulers racing to grant one free drive to different requests: exactly one grant lands.</summary>
    [SkippableFact]
    public async Task Racing_schedulers_grant_one_drive_once()
    {
        await Catalog.RunAsync(txn => txn.InsertDriveAsync(new DriveRecord { Library = "L1", Drive = 0 }));
        DriveRecord free = (await Catalog.ReadAsync(txn => txn.QueryDrivesAsync("L1")))[0];
        bool[] won = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
        {
            try
            {
                await using ICatalogTransaction txn = await Catalog.BeginAsync();
                _ = await txn.UpdateDriveAsync(free with { Vsn = $"G{i:D5}", Holder = $"host-{i}", RequestId = Guid.NewGuid(), LeaseUntil = txn.Now.AddMinutes(1) });
                await txn.CommitAsync();
                return true;
            }
            catch (HsmException e) when (e.IsTransient)
            {
                return false;
            }
        })));
        Assert.Single(won, w => w);
        DriveRecord granted = (await Catalog.ReadAsync(txn => txn.QueryDrivesAsync("L1")))[0];
        Assert.Equal($"host-{Array.IndexOf(won, true)}", granted.Holder);
    }

    /// <summary>Two schedulers over one catalogue: one tape's requests are never granted on two drives at once.</summary>
    [SkippableFact]
    public async Task Two_schedulers_never_grant_one_tape_twice()
    {
        var a = new DriveScheduler(Catalog, new DriveSchedulerOptions { Library = "L1" });
        var b = new DriveScheduler(Catalog, new DriveSchedulerOptions { Library = "L1" });
        await a.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = null, [1] = null, [2] = null });
        await b.RegisterDrivesAsync(new Dictionary<int, string?> { [0] = null, [1] = null, [2] = null });
        var ids = new List<Guid>();
        foreach (string vsn in new[] { "T00001", "T00001", "T00002", "T00001", "T00002" })
        {
            ids.Add(await (ids.Count % 2 == 0 ? a : b).EnqueueAsync(new MountRequest { Vsn = vsn, Pool = "p", Requester = "r" + ids.Count }));
        }

        _ = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () => await (i % 2 == 0 ? a : b).ScheduleAsync())));
        IReadOnlyList<DriveRecord> drives = await a.GetDrivesAsync();
        Assert.Equal(["T00001", "T00002"], drives.Where(d => d.Holder is not null).Select(d => d.Vsn!).Order(StringComparer.Ordinal));
        Assert.Equal(3, (await Catalog.ReadAsync(txn => txn.QueryMountRequestsAsync("L1"))).Count);
    }
}
