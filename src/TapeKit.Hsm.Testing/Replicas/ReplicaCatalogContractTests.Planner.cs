using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Testing;

public abstract partial class ReplicaCatalogContractTests
{
    /// <summary>B3: a node goes offline; the planner copies its files from alive copies on online nodes to the least loaded nodes.</summary>
    [SkippableFact]
    public async Task The_planner_re_replicates_from_online_copies_to_the_least_loaded_nodes()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "a", "b", "c", "d");
        await SeedAsync(1, 2, ("a", ReplicaState.Alive), ("b", ReplicaState.Alive));
        await SeedAsync(2, 2, ("a", ReplicaState.Alive), ("b", ReplicaState.Alive));
        await SeedAsync(3, 1, ("c", ReplicaState.Alive));
        Assert.Equal(0, (await lib.PlanAsync()).TransfersCreated);
        _ = await lib.CheckAsync();
        _ = await TickAsync(lib, TimeSpan.FromSeconds(35), "a", "c", "d");

        PlanSummary plan = await lib.PlanAsync();
        Assert.Equal((3, 2, 0), (plan.FilesExamined, plan.TransfersCreated, plan.Retired));
        IReadOnlyList<ReplicaRecord> transfers = await InTxn(txn => txn.GetTransfersAsync(null, null, null, 10));
        Assert.All(transfers, t => Assert.Equal(("a", ReplicaSourceKind.Node, ReplicaState.Creating), (t.SourceNodeId, t.SourceKind, t.State)));
        // d held nothing and c one copy: the first goes to d, the second (loads now equal) to c — spread, never two on one node.
        Assert.Equal(["c", "d"], transfers.Select(t => t.NodeId).Order(StringComparer.Ordinal));
        Assert.Equal([1L, 2L], transfers.Select(t => t.FileId).Order());
        Assert.Equal(0, (await lib.PlanAsync()).TransfersCreated); // the transfers in progress count as pending
        Assert.Equal(transfers, await lib.GetOutgoingTransfersAsync("a"));
        Assert.Single(await lib.GetIncomingTransfersAsync("d", 1));
    }

    /// <summary>docs/hsm/replicas.md B3: a node back before its replacements started cancels them; started ones finish and the surplus is retired.</summary>
    [SkippableFact]
    public async Task A_returning_node_cancels_transfers_not_yet_started_and_its_copies_count_again()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "a", "b", "c");
        await SeedAsync(1, 2, ("a", ReplicaState.Alive), ("b", ReplicaState.Alive));
        await SeedAsync(2, 2, ("a", ReplicaState.Alive), ("b", ReplicaState.Alive));
        _ = await lib.CheckAsync();
        _ = await TickAsync(lib, TimeSpan.FromSeconds(35), "a", "c");
        Assert.Equal(2, (await lib.PlanAsync()).TransfersCreated);
        ReplicaRecord started = (await lib.GetIncomingTransfersAsync("c")).Single(t => t.FileId == 2);
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.StartTransferAsync(started.TransferId)).Outcome);

        Assert.True((await lib.HeartbeatAsync("b")).CameBack);
        PlanSummary plan = await lib.PlanAsync();
        Assert.Equal((1, 0), (plan.Cancelled, plan.Retired));
        Assert.Equal(["P1", "P5"], await RulesAsync(1));
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.RegisterAsync("c", started.TransferId, 100, Sum)).Outcome);
        plan = await lib.PlanAsync();
        Assert.Equal(1, plan.Retired);
        ReplicaRecord retiring = (await RowsAsync(2)).Single(r => r.State == ReplicaState.ThirdWheel);
        Assert.Equal("b", retiring.NodeId); // the copy of the node back most recently
        Assert.Equal([retiring], await lib.GetRetirementsAsync("b"));
    }

    /// <summary>P10, P11, P12: surplus is retired one copy at a time, never the last alive one, and taken back when the file falls short.</summary>
    [SkippableFact]
    public async Task Surplus_is_retired_one_copy_at_a_time_and_taken_back_when_short()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "a", "b", "c");
        await SeedAsync(1, 1, ("a", ReplicaState.Alive), ("b", ReplicaState.Alive), ("c", ReplicaState.Alive));
        Assert.Equal(1, (await lib.PlanAsync()).Retired);
        Assert.Equal(0, (await lib.PlanAsync()).Retired); // at most one THIRDWHEEL per file
        ReplicaRecord first = (await RowsAsync(1)).Single(r => r.State == ReplicaState.ThirdWheel);
        Assert.Equal(ReportOutcome.Applied, (await lib.ReportAsync(new NodeReport(first.NodeId, 1, [new(1, ReportedReplicaState.Removed)]))).Outcome);
        Assert.Equal(1, (await lib.PlanAsync()).Retired);
        ReplicaRecord second = (await RowsAsync(1)).Single(r => r.State == ReplicaState.ThirdWheel);
        Assert.Equal(0, (await lib.PlanAsync()).Retired);

        // The last alive copy breaks (P6): the retiring one is taken back (P12) instead of anything being copied.
        ReplicaRecord last = (await RowsAsync(1)).Single(r => r.State == ReplicaState.Alive);
        Assert.Equal(ReportOutcome.Applied, (await lib.ReportAsync(new NodeReport(last.NodeId, 1, [new(1, ReportedReplicaState.Corrupted)]))).Outcome);
        PlanSummary plan = await lib.PlanAsync(); // then covered again: the invalid copy is surplus and goes (P13)
        Assert.Equal((1, 0, 0, 1), (plan.Restored, plan.TransfersCreated, plan.Repairs, plan.InvalidDropped));
        Assert.Equal([(second.NodeId, ReplicaState.Alive)], (await RowsAsync(1)).Select(r => (r.NodeId, r.State)));
        Assert.Equal(["P10", "P11", "P10", "P6", "P12", "P13"], await RulesAsync(1));
    }

    /// <summary>P7 and P13: an invalid copy is repaired in place while the file is short, dropped when it is not, and never the last copy of any kind.</summary>
    [SkippableFact]
    public async Task Invalid_copies_are_repaired_in_place_or_dropped_but_never_the_last_copy()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "a", "b", "c");
        IReadOnlyList<ReplicaRecord> rows = await SeedAsync(1, 2, ("a", ReplicaState.Alive), ("b", ReplicaState.Invalid));
        PlanSummary plan = await lib.PlanAsync();
        Assert.Equal((1, 0), (plan.Repairs, plan.TransfersCreated));
        ReplicaRecord repair = (await RowsAsync(1)).Single(r => r.NodeId == "b");
        Assert.Equal((ReplicaState.Creating, "a", ReplicaSourceKind.Node), (repair.State, repair.SourceNodeId, repair.SourceKind));
        Assert.NotEqual(rows[1].TransferId, repair.TransferId);
        Assert.Equal(ReplicaCallOutcome.UnknownTransfer, (await lib.RegisterAsync("b", rows[1].TransferId, 100, Sum)).Outcome);
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.RegisterAsync("b", repair.TransferId, 100, Sum)).Outcome);

        await SeedAsync(2, 1, ("a", ReplicaState.Alive), ("b", ReplicaState.Invalid));
        await SeedAsync(3, 1, ("b", ReplicaState.Invalid));
        plan = await lib.PlanAsync();
        Assert.Equal(1, plan.InvalidDropped);
        Assert.Equal(["P13"], await RulesAsync(2));
        Assert.Empty(await RulesAsync(3)); // the only copy of any kind stays
        Assert.Equal([3L], plan.Lost);
    }

    /// <summary>A tape copy is the copy of last resort: a file with no alive disk copy on an online node is re-created from tape.</summary>
    [SkippableFact]
    public async Task A_file_whose_disk_copies_are_lost_is_re_created_from_tape()
    {
        ReplicaLibrarian lib = NewLibrarian(tape: new HashSet<long> { 1, 2 });
        await RegisterAsync(lib, "a", "b", "c");
        await SeedAsync(1, 2, ("a", ReplicaState.Invalid));
        await SeedAsync(2, 2, ("gone", ReplicaState.Alive)); // its node is unknown: effectively offline
        await SeedAsync(3, 1, ("gone", ReplicaState.Alive));
        PlanSummary plan = await lib.PlanAsync();
        Assert.Equal((4, 1, 0), (plan.FromTape, plan.InvalidDropped, plan.TransfersCreated));
        Assert.Equal([3L], plan.WaitingForNode);
        IReadOnlyList<ReplicaRecord> fromTape = await lib.GetTapeTransfersAsync();
        Assert.Equal(4, fromTape.Count);
        Assert.All(fromTape, t => Assert.Equal((ReplicaSourceKind.Tape, (string?)null), (t.SourceKind, t.SourceNodeId)));
        Assert.Equal(["P13", "P1", "P1"], await RulesAsync(1));
        Assert.Equal(2, fromTape.Where(t => t.FileId == 1).Select(t => t.NodeId).Distinct().Count());
        Assert.Equal(0, (await lib.PlanAsync()).FromTape);
    }

    /// <summary>A node with a stalled transfer of a file is no target for it: never two copies on one node.</summary>
    [SkippableFact]
    public async Task A_node_with_a_stalled_transfer_is_no_target()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "a", "b", "c");
        await SeedAsync(1, 2, ("a", ReplicaState.Alive), ("b", ReplicaState.Stalled));
        _ = await lib.PlanAsync();
        ReplicaRecord t = Assert.Single(await lib.GetIncomingTransfersAsync("c"));
        Assert.Equal(1, t.FileId);
        Assert.Empty(await lib.GetIncomingTransfersAsync("b"));
    }

    /// <summary>A deleted file's copies all go, the last alive one included (D1, D2, P5).</summary>
    [SkippableFact]
    public async Task A_deleted_file_loses_every_copy()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "a", "b", "c", "d");
        await SeedAsync(1, 3, ("a", ReplicaState.Alive), ("b", ReplicaState.Invalid), ("c", ReplicaState.Creating), ("d", ReplicaState.ThirdWheel));
        Assert.True(await lib.DeleteFileAsync(1));
        Assert.False(await lib.DeleteFileAsync(1));
        Assert.Equal(3, (await lib.PlanAsync()).DeletedFileCopies);
        Assert.Equal([("a", ReplicaState.ThirdWheel), ("d", ReplicaState.ThirdWheel)], (await RowsAsync(1)).Select(r => (r.NodeId, r.State)));
        Assert.Equal(UploadOutcome.FileDeleted, (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Outcome);
    }
}
