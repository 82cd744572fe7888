using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Instances;

/// <summary>
/// A restarted instance takes its predecessor's work back by epoch, not by lease: the clock never moves in these tests,
/// so every lease (10 min) and the dispatcher's start-up grace are still running when the work resumes.
/// </summary>
public sealed class RestartRecoveryTests
{
    private const string Instance = "node1/sfa";

    [Fact]
    public async Task A_restarted_instance_resumes_the_archive_its_killed_migrator_left_mid_write_without_waiting_for_a_lease()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        InstanceIncarnation first = await InstanceStartup.BeginAsync(world.Catalog, Instance);
        world.NewMigrator(o => o.MigratorId = first.WorkerId("migrator"));
        await world.IngestAsync(20);
        await world.FlushAsync();
        world.Migrator.StepObserver = (step, _) =>
        {
            if (step == ArchiveStep.Written)
            {
                throw new ProcessKilled();
            }
        };
        await Assert.ThrowsAsync<ProcessKilled>(async () => await world.Migrator.RunOnceAsync());
        Assert.Equal(first.WorkerId("migrator"), (await world.TapeAsync("T00001")).MountedBy);
        DateTimeOffset killedAt = world.Time.GetUtcNow();

        InstanceIncarnation second = await InstanceStartup.BeginAsync(world.Catalog, Instance);
        InstanceRecoveryReport recovery = await InstanceStartup.RecoverAsync(world.Catalog, world.Store.Bus, second);
        world.NewDispatcher();
        world.NewMigrator(o => o.MigratorId = second.WorkerId("migrator"));
        for (int round = 0; round < 5 && await world.CountAsync(ArchiveStatus.Archived) < world.Files.Count; round++)
        {
            await world.PumpAsync();
            _ = await world.Migrator.RunOnceAsync();
            await world.PumpAsync();
        }

        Assert.Equal(killedAt, world.Time.GetUtcNow());
        Assert.Equal(["T00001"], recovery.TapesReleased);
        // The command was acknowledged once its claim committed: the claim in the catalogue, not a leased message, carries the work.
        Assert.Equal(0, recovery.MessagesReleased);
        await world.AssertArchivedExactlyOnceAsync();
        var aggregations = await world.AggregationsAsync();
        Assert.Contains(aggregations, a => a.Aggregation.Attempt == 1 && a.Aggregation.State == AggregationState.Failed);
        // The process died, not the list's work: the re-queue is not charged against MaxAttempts.
        IReadOnlyList<FileListRecord> lists = await world.Catalog.ReadAsync(txn => txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive }));
        Assert.All(lists, l => Assert.Equal(0, l.FailureCount));
        Assert.Contains(lists, l => l.Attempt > 1);
    }

    [Fact]
    public async Task A_worker_of_a_replaced_incarnation_can_renew_build_fail_or_commit_nothing()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        InstanceIncarnation first = await InstanceStartup.BeginAsync(world.Catalog, Instance);
        await world.IngestAsync(5);
        await world.FlushAsync();
        IDelivery command = Assert.Single(await world.Store.Bus.ReceiveAsync(world.Migrator.CommandQueue, new ReceiveOptions("test", 10)));
        ArchiveCommand body = HsmMessages.Read<ArchiveCommand>(command.Message);
        var zombie = new ArchiveListWork(world.Catalog, first.WorkerId("migrator"));
        Assert.Equal(ArchiveClaimOutcome.Claimed, (await zombie.ClaimAsync(command.Message, body.ListId, body.Attempt, TimeSpan.FromMinutes(10))).Outcome);
        AggregationRecord building = (await zombie.BeginAggregationAsync(body.ListId, body.Attempt, 1))!;

        _ = await InstanceStartup.BeginAsync(world.Catalog, Instance); // The instance restarted; the zombie does not know.

        Assert.False(await zombie.RenewAsync(body.ListId, body.Attempt, TimeSpan.FromMinutes(10)));
        Assert.Null(await zombie.BeginAggregationAsync(body.ListId, body.Attempt, 2));
        Assert.False(await zombie.RecordWriteStartAsync(building.AggregationId, new TapeFileLocator("T00001", 1, 5)));
        Assert.False(await zombie.FailAsync(command.Message, new FailedReply(body.ListId, body.Attempt, FailureReason.TapeWriteError, true, "late", [])));
        Assert.False(await zombie.CommitAsync(command.Message, body.ListId, body.Attempt, [building.AggregationId]));
        Assert.Equal(ArchiveClaimOutcome.Stale, (await zombie.ClaimAsync(command.Message, body.ListId, body.Attempt, TimeSpan.FromMinutes(10))).Outcome);
        Assert.Equal(5, await world.CountAsync(ArchiveStatus.Archiving)); // Still its claim, until the dispatcher takes the list back.

        await world.PumpAsync();

        Assert.Equal(0, await world.CountAsync(ArchiveStatus.Archiving));
        Assert.Equal(5, await world.CountAsync(ArchiveStatus.None));
    }

    private sealed class ProcessKilled : Exception
    {
    }
}
