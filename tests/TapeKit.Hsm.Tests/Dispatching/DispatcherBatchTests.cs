using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Dispatching;

/// <summary>
/// The dispatcher's round as a batch: the events a round receives are applied in one transaction and acknowledged
/// together (inside it when the bus is in the catalogue's store, else after it), and a list an append fills leaves in
/// that same transaction.
/// </summary>
public sealed class DispatcherBatchTests
{
    /// <summary>Every list as (state, close reason, attempt, members in order), ordered by its first member.</summary>
    private static async ValueTask<List<(FileListState State, CloseReason? Reason, int Attempt, string Members)>> ListsAsync(HsmWorld w)
    {
        await using ICatalogTransaction txn = await w.Catalog.BeginAsync();
        var lists = new List<(long First, (FileListState, CloseReason?, int, string) List)>();
        foreach (FileListRecord l in await txn.QueryListsAsync(new ListQuery()))
        {
            IReadOnlyList<long> members = await txn.GetListMembersAsync(l.ListId);
            lists.Add((members.Count > 0 ? members[0] : long.MaxValue, (l.State, l.CloseReason, l.Attempt, Members(members))));
        }

        return [.. lists.OrderBy(l => l.First).Select(l => l.List)];
    }

    private static string Members(IEnumerable<long> ids) => string.Join(',', ids);

    private static async ValueTask<List<long>> IngestAsync(HsmWorld w, int files)
    {
        var ids = new List<long>();
        for (int i = 0; i < files; i++)
        {
            ids.Add((await w.IngestAsync("sgB", 100)).FileId);
        }

        await new OutboxRelay(w.Catalog, w.Bus).RelayAsync();
        return ids;
    }

    [Fact]
    public async Task Ten_events_in_one_batch_make_the_lists_one_by_one_makes_and_a_filled_list_leaves_in_the_same_transaction()
    {
        using var dir = new TempDirectory();
        await using HsmWorld batched = await SqliteWorld.CreateAsync(dir.File("batched.db"), 1);
        await using HsmWorld single = await SqliteWorld.CreateAsync(dir.File("single.db"), 1);
        List<long> files = await IngestAsync(batched, 10);
        Assert.Equal(files, await IngestAsync(single, 10));

        // One batch of ten (DL-B closes a list at 4 files), handled without a tick: the two full lists are sent by the
        // transaction that filled them.
        IReadOnlyList<IDelivery> all = await batched.Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions("d", 100));
        Assert.Equal(10, all.Count);
        await batched.Dispatcher.HandleManyAsync(all, batched.Bus);
        await new OutboxRelay(batched.Catalog, batched.Bus).RelayAsync();
        Assert.Equal(2, (await batched.Bus.GetStatsAsync(HsmTopology.CommandQueue("DL-B"))).Ready);
        Assert.Equal(0, (await batched.Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Leased);

        // The same events one at a time, each its own transaction and acknowledgement.
        while ((await single.Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions("d", 1))) is [IDelivery one])
        {
            await single.Dispatcher.HandleAsync(one);
        }

        await new OutboxRelay(single.Catalog, single.Bus).RelayAsync();
        Assert.Equal(2, (await single.Bus.GetStatsAsync(HsmTopology.CommandQueue("DL-B"))).Ready);

        var expected = new List<(FileListState, CloseReason?, int, string)>
        {
            (FileListState.Active, CloseReason.Count, 1, Members(files[..4])),
            (FileListState.Active, CloseReason.Count, 1, Members(files[4..8])),
            (FileListState.Filling, null, 0, Members(files[8..])),
        };
        Assert.Equal(expected, await ListsAsync(single));
        Assert.Equal(expected, await ListsAsync(batched));
    }

    [Fact]
    public async Task A_round_handles_the_events_and_the_replies_it_received_and_leaves_both_queues_empty()
    {
        using var dir = new TempDirectory();
        await using HsmWorld w = await SqliteWorld.CreateAsync(dir.File("hsm.db"), 1);
        List<long> first = await IngestAsync(w, 4);
        Assert.Equal(4, (await w.PumpAsync()).Handled);
        Assert.True(await w.MigrateOneAsync("DL-B", MigratorBehavior.Commit));
        List<long> second = await IngestAsync(w, 4);
        await new OutboxRelay(w.Catalog, w.Bus).RelayAsync();
        int replies = (await w.Bus.GetStatsAsync(HsmTopology.ReplyQueue(w.Options.DispatcherId))).Ready;
        Assert.True(replies > 0);

        Assert.Equal(4 + replies, (await w.PumpAsync()).Handled);
        Assert.Equal(0, (await w.Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Ready + (await w.Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Leased);
        QueueStats left = await w.Bus.GetStatsAsync(HsmTopology.ReplyQueue(w.Options.DispatcherId));
        Assert.Equal(0, left.Ready + left.Leased);
        Assert.Equal(
            [(FileListState.Done, CloseReason.Count, 1, Members(first)), (FileListState.Active, CloseReason.Count, 1, Members(second))],
            await ListsAsync(w));
    }

    [Fact]
    public async Task A_crash_between_the_batch_commit_and_its_acknowledgement_redelivers_without_listing_a_file_twice()
    {
        using var dir = new TempDirectory();
        string path = dir.File("hsm.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        List<long> files;
        await using (HsmWorld first = await SqliteWorld.CreateAsync(path, 1, time))
        {
            files = await IngestAsync(first, 6);
        }

        SqliteHsmStore store = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = path, MaxDeliveries = 50 }, time);
        var crashing = new AckCrashingBus(store.Bus);
        await using (HsmWorld w = await HsmWorld.OverAsync(time, store.Catalog, crashing, 1, store.DisposeAsync))
        {
            // The batch's transaction commits (a list filled and sent, two files in the next); the acknowledgement never happens.
            await Assert.ThrowsAsync<SimulatedCrashException>(async () => await w.PumpAsync());
            Assert.Equal(1, crashing.RefusedAcks);
            List<(FileListState, CloseReason?, int, string)> committed = await ListsAsync(w);
            Assert.Equal([(FileListState.Active, CloseReason.Count, 1, Members(files[..4])), (FileListState.Filling, null, 0, Members(files[4..]))], committed);
            Assert.Equal(6, (await w.Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue)).Leased);

            // A new dispatcher after the lease: the six events come again, the inbox knows them, nothing is listed twice.
            crashing.Crash = false;
            time.Advance(w.Options.MessageLease + TimeSpan.FromSeconds(1));
            await w.RestartDispatcherAsync();
            Assert.Equal(6, (await w.PumpAsync()).Handled);
            Assert.Equal(committed, await ListsAsync(w));
            QueueStats events = await w.Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue);
            Assert.Equal(0, events.Ready + events.Leased);
            Assert.Equal(1, (await w.Bus.GetStatsAsync(HsmTopology.CommandQueue("DL-B"))).Ready);
        }
    }
}
