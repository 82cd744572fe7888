using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>The heartbeat alone, on the catalogue's fake clock: when it renews, what it renews, and what it leaves alone.</summary>
public sealed class WorkLeaseHeartbeatTests
{
    private const string Owner = "worker-1";
    private static readonly TimeSpan WorkLease = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan MountLease = TimeSpan.FromMinutes(30);

    [Fact]
    public async Task Nothing_is_renewed_before_a_third_of_the_lease_then_every_held_list_and_the_tape_are()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        (WorkLeaseHeartbeat heartbeat, List<Guid> lists) = await ClaimAsync(world, 2);

        world.Time.Advance(TimeSpan.FromMinutes(3));
        Assert.False(await heartbeat.BeatAsync());
        world.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await heartbeat.BeatAsync());
        Assert.False(await heartbeat.BeatAsync()); // Just renewed: nothing due.

        DateTimeOffset now = world.Time.GetUtcNow();
        Assert.Equal(1, heartbeat.Renewals);
        Assert.All(await ListsAsync(world, lists), l => Assert.Equal((Owner, now + WorkLease), (l.Owner, l.LeaseUntil)));
        Assert.Equal(now + MountLease, (await world.TapeAsync("T00001")).MountLeaseUntil);
        Assert.False(heartbeat.TapeLost);
        Assert.All(lists, id => Assert.False(heartbeat.IsLost(id)));
    }

    [Fact]
    public async Task A_list_and_a_tape_taken_by_others_are_lost_and_left_as_their_new_owners_made_them()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        (WorkLeaseHeartbeat heartbeat, List<Guid> lists) = await ClaimAsync(world, 2);
        DateTimeOffset theirs = world.Time.GetUtcNow() + TimeSpan.FromHours(5);
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            FileListRecord taken = (await txn.GetListAsync(lists[0]))!;
            await txn.UpdateListAsync(taken with { Owner = "worker-2", LeaseUntil = theirs });
            await txn.CommitAsync();
        }

        await world.Catalog.UpdateTapeAsync("T00001", t => t with { MountedBy = "worker-2", MountLeaseUntil = theirs });
        world.Time.Advance(TimeSpan.FromMinutes(4));
        Assert.True(await heartbeat.BeatAsync());

        Assert.True(heartbeat.IsLost(lists[0]));
        Assert.False(heartbeat.IsLost(lists[1]));
        Assert.True(heartbeat.TapeLost);
        IReadOnlyList<FileListRecord> rows = await ListsAsync(world, lists);
        Assert.Equal(("worker-2", theirs), (rows[0].Owner, rows[0].LeaseUntil));
        Assert.Equal((Owner, world.Time.GetUtcNow() + WorkLease), (rows[1].Owner, rows[1].LeaseUntil));
        TapeRecord tape = await world.TapeAsync("T00001");
        Assert.Equal(("worker-2", theirs), (tape.MountedBy, tape.MountLeaseUntil));
    }

    /// <summary>Sends <paramref name="count"/> archive lists and claims them as <see cref="Owner"/>, with tape T00001 reserved.</summary>
    private static async Task<(WorkLeaseHeartbeat Heartbeat, List<Guid> Lists)> ClaimAsync(TapeHsmWorld world, int count)
    {
        await world.IngestAsync(count * TapeHsmWorld.FilesPerList);
        await world.FlushAsync();
        var heartbeat = new WorkLeaseHeartbeat(world.Catalog, Owner, WorkLease, MountLease);
        var lists = new List<Guid>();
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            foreach (FileListRecord sent in await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive, States = [FileListState.Active] }))
            {
                FileListRecord claimed = (await txn.TryClaimListAsync(sent.ListId, FileListKind.Archive, sent.Attempt, Owner, WorkLease))!;
                heartbeat.Hold(claimed.ListId, claimed.Attempt, claimed.LeaseUntil!.Value);
                lists.Add(claimed.ListId);
            }

            TapeRecord tape = (await txn.GetTapeAsync("T00001"))!;
            _ = await txn.UpdateTapeAsync(tape with { MountedBy = Owner, MountLeaseUntil = txn.Now + MountLease });
            heartbeat.HoldTape(tape.Vsn, txn.Now + MountLease);
            await txn.CommitAsync();
        }

        Assert.Equal(count, lists.Count);
        return (heartbeat, lists);
    }

    private static async Task<IReadOnlyList<FileListRecord>> ListsAsync(TapeHsmWorld world, List<Guid> ids)
    {
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        var rows = new List<FileListRecord>();
        foreach (Guid id in ids)
        {
            rows.Add((await txn.GetListAsync(id))!);
        }

        return rows;
    }
}
