using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Migration;

/// <summary>
/// Work leases under long tape work (spec/hsm.md §3.0 R6, §6.1): a session keeps the lease of every list it holds and
/// its tape reservation, on the one clock the tape and the catalogue share; a list another attempt took is never committed.
/// </summary>
public sealed class WorkLeaseTests
{
    private static readonly TimeSpan WorkLease = TimeSpan.FromMinutes(10);

    /// <summary>
    /// LTO-9 slowed to 10 kB/s (a name of its own, so the drives keep it): every tape file of a 256 KiB block costs about
    /// 26 simulated seconds, and 64 of them outlast the work lease several times over.
    /// </summary>
    private static readonly MediaProfile Slow = MediaProfile.Lto9 with { Name = "LTO-9-slow", NativeRate = 10_000, DriveBuffer = 64 * 1024 };

    [Fact]
    public async Task A_session_of_64_lists_longer_than_the_work_lease_keeps_every_lease_and_commits_every_list_once()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync(oneClock: true, profile: Slow);
        world.NewMigrator(o => o.MountLease = WorkLease);
        await world.IngestAsync(64 * TapeHsmWorld.FilesPerList, minSize: 1024, maxSize: 2048);
        await world.FlushAsync();
        DateTimeOffset start = world.Time.GetUtcNow();
        int requeuedBySweep = -1;
        TapeRecord? tapeAtSync = null;
        DateTimeOffset syncedAt = default;
        world.Migrator.StepObserver = (step, list) =>
        {
            if (step == ArchiveStep.Synced && requeuedBySweep < 0)
            {
                // Every tape file is written and synced, nothing committed yet: the dispatcher's sweep runs now.
                syncedAt = world.Time.GetUtcNow();
                _ = Task.Run(async () => await world.Dispatcher.TickAsync()).GetAwaiter().GetResult();
                requeuedBySweep = CountAudit(world, FileListEvent.Requeued);
                tapeAtSync = Task.Run(async () => await world.Catalog.ReadAsync(txn => txn.GetTapeAsync("T00001"))).GetAwaiter().GetResult();
            }
        };

        Assert.Equal(64, await Task.Run(async () => await world.Migrator.RunOnceAsync()));

        Assert.True(syncedAt - start > 2 * WorkLease, $"The session's tape work took {syncedAt - start}; it must outlast the work lease. Drive: {world.Library.Drive(0).Statistics}");
        Assert.Equal(0, requeuedBySweep);
        Assert.True(tapeAtSync!.MountLeaseUntil > syncedAt, "The tape reservation ran out during the session.");
        ArchiveSessionReport session = Assert.Single(world.Migrator.Sessions);
        Assert.Equal((64, 640), (session.TapeFiles, session.Files));
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            IReadOnlyList<FileListRecord> lists = await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive });
            Assert.Equal(64, lists.Count);
            Assert.All(lists, l => Assert.Equal((FileListState.Done, 1, 0), (l.State, l.Attempt, l.FailureCount)));
        }

        await world.AssertArchivedExactlyOnceAsync();
    }

    [Fact]
    public async Task A_list_another_attempt_took_mid_session_is_not_written_further_nor_committed_and_its_lease_is_not_renewed()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(30);
        await world.FlushAsync();
        world.Time.Advance(WorkLease); // Past the dispatcher's start-up grace: its sweep may re-queue.
        Guid? fenced = null;
        int written = 0;
        world.Migrator.StepObserver = (step, list) =>
        {
            if (step != ArchiveStep.Written || ++written != 2)
            {
                return;
            }

            // The lease of the list not yet written ends (a partition, a long pause) and the sweeper re-queues it.
            fenced = Task.Run(async () =>
            {
                await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
                foreach (FileListRecord l in await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive, States = [FileListState.Active] }))
                {
                    if ((await txn.GetAggregationsOfListAsync(l.ListId)).Count == 0)
                    {
                        await txn.UpdateListAsync(l with { LeaseUntil = txn.Now - TimeSpan.FromSeconds(1) });
                        await txn.CommitAsync();
                        return l.ListId;
                    }
                }

                throw new InvalidOperationException("Every list was written already.");
            }).GetAwaiter().GetResult();
            _ = Task.Run(async () => await world.Dispatcher.TickAsync()).GetAwaiter().GetResult();
            world.Time.Advance(WorkLease / 2); // The next checkpoint's renewal is due, and finds the list taken.
        };

        Assert.Equal(3, await Task.Run(async () => await world.Migrator.RunOnceAsync()));

        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            FileListRecord list = (await txn.GetListAsync(fenced!.Value))!;
            Assert.Equal((FileListState.Filled, null, null), (list.State, list.Owner, list.LeaseUntil)); // As the sweeper left it.
            Assert.Empty(await txn.GetAggregationsOfListAsync(fenced.Value)); // Its work stopped before its tape file.
            IReadOnlyList<TransitionRecord> audit = await txn.GetTransitionsAsync(CatalogTransitions.ListEntity, fenced.Value.ToString("N"));
            DateTimeOffset requeuedAt = audit.Last(t => t.Rule == "L7").At;
            Assert.DoesNotContain(audit, t => t.Rule == "L6" || (t.Rule == "L5" && t.At >= requeuedAt)); // Never renewed after, never completed.
            IReadOnlyList<FileListRecord> others = [.. (await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive })).Where(l => l.ListId != fenced)];
            Assert.All(others, l => Assert.Equal(FileListState.Done, l.State));
        }

        Assert.Equal(20, await world.CountAsync(ArchiveStatus.Archived));
        await world.ArchiveAllAsync(); // The re-sent attempt archives it.
        await world.AssertArchivedExactlyOnceAsync();
    }

    private static int CountAudit(TapeHsmWorld world, FileListEvent @event) => Task.Run(async () =>
    {
        string rule = HsmStateMachines.FileList.Rules.Single(r => r.Event == @event).Id;
        await using ICatalogTransaction txn = await world.Catalog.BeginAsync();
        int count = 0;
        foreach (FileListRecord l in await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive }))
        {
            count += (await txn.GetTransitionsAsync(CatalogTransitions.ListEntity, l.ListId.ToString("N"))).Count(t => t.Rule == rule);
        }

        return count;
    }).GetAwaiter().GetResult();
}
