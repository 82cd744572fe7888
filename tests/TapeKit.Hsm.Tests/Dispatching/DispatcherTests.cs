using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Dispatching;

public sealed class DispatcherTests
{
    private static async ValueTask<IReadOnlyList<FileListRecord>> ListsAsync(HsmWorld w)
    {
        await using ICatalogTransaction txn = await w.Catalog.BeginAsync();
        return await txn.QueryListsAsync(new ListQuery());
    }

    private static async ValueTask<FileRecord> FileAsync(HsmWorld w, long id)
    {
        await using ICatalogTransaction txn = await w.Catalog.BeginAsync();
        return (await txn.GetFileAsync(id))!;
    }

    [Fact]
    public async Task A_full_list_is_sent_to_its_disk_library_committed_and_acknowledged_to_the_host_only_after_commit()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        await using (ICatalogTransaction txn = await w.Catalog.BeginAsync())
        {
            await txn.InsertTapeAsync(new TapeRecord { Vsn = "V00001", Pool = "DL-B", CapacityEstimate = 1_000_000 });
            await txn.CommitAsync();
        }

        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgB", 100);
        }

        await w.PumpAsync();
        FileListRecord list = Assert.Single(await ListsAsync(w));
        Assert.Equal((FileListState.Active, CloseReason.Count, 1, "DL-B"), (list.State, list.CloseReason!.Value, list.Attempt, list.DiskLibrary));
        Assert.Equal(1, (await w.Bus.GetStatsAsync(HsmTopology.CommandQueue("DL-B"))).Ready);
        Assert.Equal(0, (await w.Bus.GetStatsAsync(HsmTopology.CommandQueue("DL-A"))).Ready);
        Assert.Equal(0, (await w.Bus.GetStatsAsync("host.notify")).Ready);

        Assert.True(await w.MigrateOneAsync("DL-B", MigratorBehavior.Commit));
        await new OutboxRelay(w.Catalog, w.Bus).RelayAsync();
        Assert.Equal(4, (await w.Bus.GetStatsAsync("host.notify")).Ready);
        await w.PumpAsync();
        Assert.Equal(FileListState.Done, Assert.Single(await ListsAsync(w)).State);
        foreach (long id in w.Files)
        {
            FileRecord f = await FileAsync(w, id);
            Assert.Equal(ArchiveStatus.Archived, f.ArchiveStatus);
            Assert.Null(f.ArchiveClaim);
        }

        Assert.True(await w.IsQuietAsync());
        await using ICatalogTransaction check = await w.Catalog.BeginAsync();
        TapeRecord tape = (await check.GetTapeAsync("V00001"))!;
        Assert.Equal((TapeState.Filling, 1_000_001, 400L), (tape.State, tape.LastFseq, tape.BytesUsed));
    }

    [Fact]
    public async Task A_list_closes_by_age_exactly_at_first_member_plus_max_waiting_time()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        DateTimeOffset start = w.Time.GetUtcNow();
        await w.IngestAsync("sgA", 10);
        (_, DateTimeOffset? due) = await w.PumpAsync();
        Assert.Equal(start + TimeSpan.FromMinutes(2), due);
        w.Time.Advance(TimeSpan.FromMinutes(2) - TimeSpan.FromMilliseconds(1));
        await w.PumpAsync();
        Assert.Equal(FileListState.Filling, Assert.Single(await ListsAsync(w)).State);
        w.Time.Advance(TimeSpan.FromMilliseconds(1));
        await w.PumpAsync();
        FileListRecord l = Assert.Single(await ListsAsync(w));
        Assert.Equal((FileListState.Active, CloseReason.Age), (l.State, l.CloseReason!.Value));
    }

    [Fact]
    public async Task A_member_that_would_exceed_the_byte_limit_opens_the_next_list()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        await w.IngestAsync("sgA", 1400);
        await w.IngestAsync("sgA", 1400);
        await w.IngestAsync("sgA", 1400);
        await w.PumpAsync();
        IReadOnlyList<FileListRecord> lists = await ListsAsync(w);
        Assert.Equal(2, lists.Count);
        FileListRecord closed = Assert.Single(lists, l => l.State == FileListState.Active);
        Assert.Equal((2800L, CloseReason.Bytes), (closed.MemberBytes, closed.CloseReason!.Value));
        Assert.Equal(1400L, Assert.Single(lists, l => l.State == FileListState.Filling).MemberBytes);
        Assert.All(lists, l => Assert.True(l.MemberBytes <= l.Limits.MaxBytes));
    }

    [Fact]
    public async Task Busy_is_not_charged_and_the_list_is_resent_after_the_hint()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.Busy);
        await w.PumpAsync();
        FileListRecord l = Assert.Single(await ListsAsync(w));
        Assert.Equal((FileListState.Filled, 0, 1, 1), (l.State, l.FailureCount, l.BusyCount, l.Attempt));
        Assert.Equal(w.Time.GetUtcNow() + TimeSpan.FromSeconds(20), l.NotBefore);
        w.Time.Advance(TimeSpan.FromSeconds(20));
        await w.PumpAsync();
        Assert.Equal((FileListState.Active, 2), ((await ListsAsync(w))[0].State, (await ListsAsync(w))[0].Attempt));
    }

    [Fact]
    public async Task A_dead_migrator_s_list_is_requeued_after_its_lease_and_the_zombie_cannot_commit()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.CrashAfterClaim);
        Assert.All(w.Files, id => Assert.Equal(ArchiveStatus.Archiving, FileAsync(w, id).AsTask().Result.ArchiveStatus));
        w.Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromSeconds(1));
        await w.PumpAsync();
        Assert.Equal(FileListState.Active, (await ListsAsync(w))[0].State);
        w.Time.Advance(TimeSpan.FromSeconds(1));
        await w.PumpAsync();
        FileListRecord l = (await ListsAsync(w))[0];
        Assert.Equal((FileListState.Filled, 1, "LeaseExpired"), (l.State, l.FailureCount, l.FailureReason));
        Assert.All(w.Files, id => Assert.Equal(ArchiveStatus.None, FileAsync(w, id).AsTask().Result.ArchiveStatus));
        Assert.False(await w.ZombieCommitAsync());
        await w.DrainAsync();
        Assert.All(w.Files, id => Assert.Equal(1, w.Commits[id]));
    }

    [Fact]
    public async Task Power_loss_before_sync_fails_the_written_aggregation_and_its_members_are_written_again_elsewhere()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.CrashAfterWrite);
        w.Time.Advance(TimeSpan.FromMinutes(10));
        await w.PumpAsync();
        await w.DrainAsync();
        await using ICatalogTransaction txn = await w.Catalog.BeginAsync();
        FileListRecord list = Assert.Single(await txn.QueryListsAsync(new ListQuery()));
        IReadOnlyList<AggregationRecord> aggregations = await txn.GetAggregationsOfListAsync(list.ListId);
        Assert.Equal([(1, AggregationState.Failed), (2, AggregationState.OnTape)], aggregations.Select(a => (a.Attempt, a.State)));
        Assert.Equal("LeaseExpired", aggregations[0].FailureReason);
        foreach (long id in w.Files)
        {
            IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)> copies = await txn.GetCopiesOfFileAsync(id);
            Assert.Equal(2, copies.Count);
            Assert.Single(copies, c => c.Aggregation.State == AggregationState.OnTape);
            Assert.Equal(1, w.Commits[id]);
        }
    }

    [Fact]
    public async Task A_restarted_dispatcher_waits_one_work_lease_before_sweeping()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.CrashAfterClaim);
        w.Time.Advance(TimeSpan.FromMinutes(9));
        await w.RestartDispatcherAsync();
        w.Time.Advance(TimeSpan.FromMinutes(5));
        await w.PumpAsync();
        Assert.Equal(FileListState.Active, (await ListsAsync(w))[0].State);
        w.Time.Advance(TimeSpan.FromMinutes(5));
        await w.PumpAsync();
        Assert.Equal(FileListState.Filled, (await ListsAsync(w))[0].State);
    }

    [Fact]
    public async Task Exhausted_attempts_kill_the_list_and_fail_its_files_with_an_alarm()
    {
        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var metrics = new HsmMetrics(meters.GetRequiredService<IMeterFactory>());
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1, metrics: metrics);
        long dead = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) => { if (i.Meter.Name == HsmMetrics.MeterName && i.Name == "tapekit.hsm.dead_letters") { l.EnableMeasurementEvents(i); } };
        listener.SetMeasurementEventCallback<long>((_, v, _, _) => Interlocked.Add(ref dead, v));
        listener.Start();
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        for (int attempt = 1; attempt <= 5; attempt++)
        {
            await w.PumpAsync();
            Assert.True(await w.MigrateOneAsync("DL-A", MigratorBehavior.TapeWriteError), $"attempt {attempt} was not sent");
            await w.PumpAsync();
            w.Time.Advance(TimeSpan.FromHours(1));
        }

        FileListRecord l = Assert.Single(await ListsAsync(w));
        Assert.Equal((FileListState.Dead, 5), (l.State, l.FailureCount));
        Assert.All(w.Files, id =>
        {
            FileRecord f = FileAsync(w, id).AsTask().Result;
            Assert.Equal((ArchiveStatus.Failed, "TapeWriteError"), (f.ArchiveStatus, f.FailureReason));
        });
        Assert.Equal(1, dead);
        Assert.Empty(await HsmInvariants.CheckAsync(w.Catalog, TimeSpan.Zero));
    }

    [Fact]
    public async Task End_of_medium_requeues_at_once_without_charge()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.EndOfMedium);
        await w.PumpAsync();
        FileListRecord l = Assert.Single(await ListsAsync(w));
        Assert.Equal((FileListState.Active, 0, 2), (l.State, l.FailureCount, l.Attempt));
    }

    [Fact]
    public async Task Deleting_a_member_of_a_filling_list_removes_it_and_an_emptied_list_is_done()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        FileRecord f = await w.IngestAsync("sgA", 10);
        await w.PumpAsync();
        await WriteCacheCatalog.AnnounceDeletedAsync(w.Catalog, f.FileId);
        await w.PumpAsync();
        FileListRecord l = Assert.Single(await ListsAsync(w));
        Assert.Equal((FileListState.Done, 0), (l.State, l.MemberCount));
        Assert.True((await FileAsync(w, f.FileId)).IsDeleted);
    }

    [Fact]
    public async Task Deleting_a_member_of_an_active_list_makes_the_migrator_ask_for_a_rebuild_without_it()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await WriteCacheCatalog.AnnounceDeletedAsync(w.Catalog, w.Files[1]);
        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.Commit); // re-check fails: RebuildPackage
        await w.PumpAsync();
        IReadOnlyList<FileListRecord> lists = await ListsAsync(w);
        Assert.Single(lists, l => l.State == FileListState.Superseded);
        Assert.Equal(3, Assert.Single(lists, l => l.IsLive).MemberCount);
        await w.DrainAsync();
        Assert.False(w.Commits.ContainsKey(w.Files[1]));
        Assert.All(w.Files.Where(id => id != w.Files[1]), id => Assert.Equal(1, w.Commits[id]));
    }

    [Fact]
    public async Task A_lost_source_fails_only_that_file_and_the_rest_is_rebuilt()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        for (int i = 0; i < 4; i++)
        {
            await w.IngestAsync("sgA", 10);
        }

        await w.PumpAsync();
        await w.MigrateOneAsync("DL-A", MigratorBehavior.SourceMissing);
        await w.DrainAsync();
        FileRecord lost = await FileAsync(w, w.Files[0]);
        Assert.Equal((CacheStatus.Failed, ArchiveStatus.Failed), (lost.CacheStatus, lost.ArchiveStatus));
        Assert.StartsWith("lost before archive", lost.FailureReason, StringComparison.Ordinal);
        Assert.All(w.Files.Skip(1), id => Assert.Equal(1, w.Commits[id]));
    }

    [Fact]
    public async Task Duplicates_are_absorbed_stale_replies_ignored_and_poison_dead_lettered()
    {
        await using HsmWorld w = await HsmWorld.InMemoryAsync(1);
        FileRecord f = await w.IngestAsync("sgA", 10);
        Envelope written = HsmMessages.Create(HsmMessageTypes.CacheWritten, new CacheWrittenEvent(MemberDescriptor.Of(f), f.Decision.PolicyKey, "DL-A"), w.Time);
        Assert.True(await w.Dispatcher.ApplyAsync(written));
        Assert.False(await w.Dispatcher.ApplyAsync(written));
        FileListRecord l = Assert.Single(await ListsAsync(w));
        Assert.True(await w.Dispatcher.ApplyAsync(HsmMessages.Create(HsmMessageTypes.Busy, new BusyReply(l.ListId, 7, null, 0), w.Time)));
        Assert.Equal(FileListState.Filling, Assert.Single(await ListsAsync(w)).State);
        await Assert.ThrowsAsync<PoisonMessageException>(async () => await w.Dispatcher.ApplyAsync(written with { MessageId = Guid.CreateVersion7(), SchemaVersion = 99 }));
        await Assert.ThrowsAsync<PoisonMessageException>(async () => await w.Dispatcher.ApplyAsync(written with { MessageId = Guid.CreateVersion7(), Type = "hsm.evt.unknown" }));

        await w.Bus.PublishAsync(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, written with { MessageId = Guid.CreateVersion7(), Body = "{" });
        await w.PumpAsync();
        DeadLetter dead = Assert.Single(await w.Bus.GetDeadLettersAsync(HsmTopology.DispatcherEventsQueue));
        Assert.Contains("does not deserialise", dead.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dispatcher_restarted_over_the_same_SQLite_file_loses_and_duplicates_nothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("hsm.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        var files = new List<long>();
        var commits = new Dictionary<long, int>();
        await using (HsmWorld first = await SqliteWorld.CreateAsync(path, 1, time))
        {
            for (int i = 0; i < 10; i++)
            {
                files.Add((await first.IngestAsync(i % 2 == 0 ? "sgA" : "sgB", 100)).FileId);
            }

            await first.PumpAsync();
            await first.MigrateOneAsync("DL-A", MigratorBehavior.Commit);
            await first.MigrateOneAsync("DL-B", MigratorBehavior.CrashAfterClaim);
            for (int i = 0; i < 3; i++)
            {
                files.Add((await first.IngestAsync("sgA", 100)).FileId);
            }

            foreach ((long id, int n) in first.Commits)
            {
                commits[id] = n;
            }
        }

        await using HsmWorld second = await SqliteWorld.CreateAsync(path, 2, time);
        await second.RestartDispatcherAsync();
        await second.DrainAsync();
        foreach ((long id, int n) in second.Commits)
        {
            commits[id] = commits.GetValueOrDefault(id) + n;
        }

        foreach (FileRecord f in await second.AllFilesAsync())
        {
            Assert.Equal(ArchiveStatus.Archived, f.ArchiveStatus);
            Assert.Equal(1, commits[f.FileId]);
        }

        Assert.Equal(files.Count, (await second.AllFilesAsync()).Count);
        Assert.Empty(await HsmInvariants.CheckAsync(second.Catalog, TimeSpan.Zero));
    }
}
