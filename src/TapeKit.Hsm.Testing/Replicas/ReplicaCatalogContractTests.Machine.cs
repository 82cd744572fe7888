using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Testing;

public abstract partial class ReplicaCatalogContractTests
{
    /// <summary>The settings of the machine tests: short timeouts on the virtual clock.</summary>
    protected static ReplicaOptions TestOptions { get; } = new()
    {
        DefaultNeededReplicas = 2,
        HeartbeatTimeout = TimeSpan.FromSeconds(30),
        CreatingTimeout = TimeSpan.FromSeconds(60),
        StalledGrace = TimeSpan.FromSeconds(300),
        CheckInterval = TimeSpan.FromSeconds(5),
        OutageThreshold = TimeSpan.FromSeconds(20),
        MaxAttempts = 2,
    };

    /// <summary>A Librarian over the store.</summary>
    /// <param name="options">Its settings (<see cref="TestOptions"/> when not given).</param>
    /// <param name="tape">Which files have a tape copy.</param>
    protected ReplicaLibrarian NewLibrarian(ReplicaOptions? options = null, IReadOnlySet<long>? tape = null) =>
        new(Store, options ?? TestOptions, tape is null ? null : new FixedTapeCopies(tape));

    /// <summary>Registers nodes through the Librarian.</summary>
    /// <param name="librarian">The Librarian.</param>
    /// <param name="nodes">The nodes.</param>
    protected static async Task RegisterAsync(ReplicaLibrarian librarian, params string[] nodes)
    {
        ArgumentNullException.ThrowIfNull(librarian);
        foreach (string n in nodes)
        {
            _ = await librarian.RegisterNodeAsync(n);
        }
    }

    /// <summary>Writes a file row and replica rows in the given states straight into the store.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="needed">Its needed replicas.</param>
    /// <param name="copies">Node and state of each copy.</param>
    protected Task<IReadOnlyList<ReplicaRecord>> SeedAsync(long fileId, int needed, params (string Node, ReplicaState State)[] copies) => InTxn<IReadOnlyList<ReplicaRecord>>(async txn =>
    {
        await txn.InsertFileAsync(NewFile(fileId, needed));
        List<ReplicaRecord> rows = [.. copies.Select(c => NewReplica(fileId, c.Node, c.State))];
        await txn.InsertReplicasAsync(rows);
        return rows;
    });

    /// <summary>The live rows of a file.</summary>
    /// <param name="fileId">The file.</param>
    protected Task<IReadOnlyList<ReplicaRecord>> RowsAsync(long fileId) => InTxn(txn => txn.GetReplicasOfFileAsync(fileId));

    /// <summary>
    /// Lets <paramref name="span"/> pass in steps of the check interval: the <paramref name="beating"/> nodes heartbeat and
    /// the checker runs at each step. Returns the checker's summaries.
    /// </summary>
    /// <param name="librarian">The Librarian.</param>
    /// <param name="span">How long.</param>
    /// <param name="beating">The nodes that stay alive.</param>
    protected async Task<IReadOnlyList<CheckSummary>> TickAsync(ReplicaLibrarian librarian, TimeSpan span, params string[] beating)
    {
        ArgumentNullException.ThrowIfNull(librarian);
        var runs = new List<CheckSummary>();
        for (TimeSpan t = TimeSpan.Zero; t < span; t += librarian.Options.CheckInterval)
        {
            Time.Advance(librarian.Options.CheckInterval);
            foreach (string n in beating)
            {
                _ = await librarian.HeartbeatAsync(n);
            }

            runs.Add(await librarian.CheckAsync());
        }

        return runs;
    }

    /// <summary>The rules of a file's audit rows, oldest first.</summary>
    /// <param name="fileId">The file.</param>
    protected async Task<IReadOnlyList<string>> RulesAsync(long fileId) => [.. (await InTxn(txn => txn.GetTransitionsAsync(fileId))).Select(t => t.Rule)];

    /// <summary>P1: an upload's CREATING row is written, with transfer id, size, checksum and deadline, on an online node without a copy.</summary>
    [SkippableFact]
    public async Task An_upload_is_allocated_on_an_online_node_without_a_copy()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n1", "n2");
        await SeedAsync(50, 1, ("n1", ReplicaState.Alive)); // n1 carries more load
        UploadTicket t = await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum });
        Assert.Equal(UploadOutcome.Allocated, t.Outcome);
        ReplicaRecord row = t.Replica!;
        Assert.Equal(("n2", ReplicaState.Creating, 100L, Sum, ReplicaSourceKind.Upload), (row.NodeId, row.State, row.Size, row.Checksum, row.SourceKind));
        Assert.Equal(Time.GetUtcNow() + TestOptions.CreatingTimeout, row.Deadline);
        Assert.Equal(row, await InTxn(txn => txn.GetReplicaAsync(row.TransferId)));
        Assert.Equal(2, (await InTxn(txn => txn.GetFileAsync(1)))!.NeededReplicas);

        UploadTicket again = await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum, PreferredNodeId = "n2" });
        Assert.Equal("n1", again.Replica!.NodeId); // n2 holds a row of the file: never two copies on one node
        Assert.NotEqual(row.TransferId, again.Replica.TransferId);
        Assert.Equal(UploadOutcome.NoNodeAvailable, (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Outcome);
        Assert.Equal(UploadOutcome.FileMismatch, (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 101, Checksum = Sum })).Outcome);
        Assert.Equal("n1", (await lib.BeginUploadAsync(new UploadRequest { FileId = 2, Size = 1, Checksum = Sum, PreferredNodeId = "n1" })).Replica!.NodeId);
        Assert.Equal(["P1", "P1"], await RulesAsync(1));
        Assert.Equal(ReplicaActor.Bartender, (await InTxn(txn => txn.GetTransitionsAsync(1)))[0].Actor);
    }

    /// <summary>P2 and P5: a registration is guarded by transfer id, node, size and checksum, and a replay or an unknown id changes nothing.</summary>
    [SkippableFact]
    public async Task A_registration_is_guarded_and_idempotent()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n1", "n2");
        ReplicaRecord row = (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Replica!;
        string other = row.NodeId == "n1" ? "n2" : "n1";

        ReplicaCallResult wrongNode = await lib.RegisterAsync(other, row.TransferId, 100, Sum);
        Assert.Equal((ReplicaCallOutcome.Refused, false), (wrongNode.Outcome, wrongNode.Changed));
        ReplicaCallResult unknown = await lib.RegisterAsync(row.NodeId, Guid.NewGuid(), 100, Sum);
        Assert.Equal((ReplicaCallOutcome.UnknownTransfer, false, true), (unknown.Outcome, unknown.Changed, unknown.DiscardData));

        ReplicaCallResult ok = await lib.RegisterAsync(row.NodeId, row.TransferId, 100, new Checksum("ADLER32", "0A0B0C0D"));
        Assert.Equal((ReplicaCallOutcome.Applied, ReplicaState.Alive, true), (ok.Outcome, ok.State, ok.Changed));
        ReplicaRecord alive = (await InTxn(txn => txn.GetReplicaAsync(row.TransferId)))!;
        ReplicaCallResult replay = await lib.RegisterAsync(row.NodeId, row.TransferId, 100, Sum);
        Assert.Equal((ReplicaCallOutcome.Replayed, false), (replay.Outcome, replay.Changed));
        Assert.Equal(alive, await InTxn(txn => txn.GetReplicaAsync(row.TransferId)));
        Assert.Equal(["P1", "P2"], await RulesAsync(1));

        // Partial or wrong data never registers: the transfer is deleted (P5) and the node told to discard.
        ReplicaRecord second = (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Replica!;
        ReplicaCallResult shortData = await lib.RegisterAsync(second.NodeId, second.TransferId, 60, Sum);
        Assert.Equal((ReplicaCallOutcome.Refused, ReplicaState.Deleted, true, true), (shortData.Outcome, shortData.State, shortData.Changed, shortData.DiscardData));
        ReplicaCallResult afterwards = await lib.RegisterAsync(second.NodeId, second.TransferId, 100, Sum);
        Assert.Equal((ReplicaCallOutcome.Cancelled, false), (afterwards.Outcome, afterwards.Changed));
        Assert.Equal(["P1", "P2", "P1", "P5"], await RulesAsync(1));
    }

    /// <summary>P3, P4, P5: deadlines stall a transfer, a late registration revives it, the grace deletes it.</summary>
    [SkippableFact]
    public async Task Deadlines_stall_late_registrations_revive_and_the_grace_deletes()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n1", "n2");
        ReplicaRecord late = (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Replica!;
        ReplicaRecord never = (await lib.BeginUploadAsync(new UploadRequest { FileId = 2, Size = 100, Checksum = Sum })).Replica!;
        _ = await lib.CheckAsync();
        IReadOnlyList<CheckSummary> runs = await TickAsync(lib, TimeSpan.FromSeconds(60), "n1", "n2");
        Assert.Equal((2, 0, 0), (runs.Sum(c => c.Stalled), runs.Sum(c => c.Deleted), runs.Sum(c => c.NodesOffline)));
        Assert.Equal(2, runs[^1].Stalled);
        ReplicaRecord stalled = (await InTxn(txn => txn.GetReplicaAsync(late.TransferId)))!;
        Assert.Equal((ReplicaState.Stalled, Time.GetUtcNow() + TestOptions.StalledGrace), (stalled.State, stalled.Deadline));

        Assert.Equal(ReplicaCallOutcome.AppliedLate, (await lib.RegisterAsync(late.NodeId, late.TransferId, 100, Sum)).Outcome);
        Assert.Equal(["P1", "P3", "P4"], await RulesAsync(1));

        Assert.Equal(1, (await TickAsync(lib, TestOptions.StalledGrace, "n1", "n2")).Sum(c => c.Deleted));

        Assert.Equal(ReplicaState.Deleted, (await InTxn(txn => txn.GetReplicaAsync(never.TransferId)))!.State);
        Assert.Equal(["P1", "P3", "P5"], await RulesAsync(2));
        Assert.Equal(ReplicaCallOutcome.Cancelled, (await lib.RegisterAsync(never.NodeId, never.TransferId, 100, Sum)).Outcome);
        Assert.Equal(ReplicaState.Alive, (await InTxn(txn => txn.GetReplicaAsync(late.TransferId)))!.State);
    }

    /// <summary>P8, P9: a late node turns offline in its node row only, and its replicas are offline by derivation.</summary>
    [SkippableFact]
    public async Task Offline_is_derived_from_the_node_row()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n1", "n2");
        IReadOnlyList<ReplicaRecord> rows = await SeedAsync(1, 2, ("n1", ReplicaState.Alive), ("n2", ReplicaState.Alive));
        _ = await lib.CheckAsync();
        Assert.Equal(1, (await TickAsync(lib, TimeSpan.FromSeconds(35), "n2")).Sum(c => c.NodesOffline));
        Assert.Equal(rows, await RowsAsync(1)); // not one replica row written
        (_, IReadOnlyList<ReplicaView> view) = await lib.GetFileAsync(1);
        Assert.Equal([ReplicaState.Offline, ReplicaState.Alive], view.Select(v => v.Effective));
        NodeRecord n1 = (await InTxn(txn => txn.GetNodeAsync("n1")))!;
        Assert.Equal((NodeState.Offline, true), (n1.State, n1.DigestWanted));

        HeartbeatAck back = await lib.HeartbeatAsync("n1");
        Assert.Equal((true, true, true), (back.Known, back.CameBack, back.DigestWanted));
        Assert.Equal(rows, await RowsAsync(1));
        Assert.Equal([ReplicaState.Alive, ReplicaState.Alive], (await lib.GetFileAsync(1)).Replicas.Select(v => v.Effective));
        Assert.False((await lib.HeartbeatAsync("nobody")).Known);
    }

    /// <summary>docs/hsm/replicas.md#deadlines-and-librarian-outages: after a Librarian outage, deadlines and heartbeat deadlines move on by the outage.</summary>
    [SkippableFact]
    public async Task An_outage_extends_transfer_and_heartbeat_deadlines()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n1");
        ReplicaRecord row = (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Replica!;
        _ = await lib.CheckAsync();
        Time.Advance(TimeSpan.FromMinutes(10)); // nothing ran: no check, no heartbeat got through
        CheckSummary c = await lib.CheckAsync();
        Assert.Equal((TimeSpan.FromMinutes(10), 1, 0, 0), (c.Outage, c.DeadlinesExtended, c.NodesOffline, c.Stalled));
        Assert.Equal(row.Deadline!.Value.AddMinutes(10), (await InTxn(txn => txn.GetReplicaAsync(row.TransferId)))!.Deadline);
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.RegisterAsync("n1", row.TransferId, 100, Sum)).Outcome);
        Assert.Equal(["P1", "P2"], await RulesAsync(1));
    }

    /// <summary>A transfer's start, failure and unconfirmed end are guarded and idempotent.</summary>
    [SkippableFact]
    public async Task Transfer_calls_are_guarded_and_idempotent()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n1", "n2");
        ReplicaRecord a = (await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 100, Checksum = Sum })).Replica!;
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.StartTransferAsync(a.TransferId)).Outcome);
        Assert.Equal(ReplicaCallOutcome.Replayed, (await lib.StartTransferAsync(a.TransferId)).Outcome);
        Assert.Equal(ReplicaCallOutcome.UnknownTransfer, (await lib.StartTransferAsync(Guid.NewGuid())).Outcome);
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.ReportUnconfirmedAsync(a.TransferId)).Outcome);
        Assert.Equal(ReplicaCallOutcome.Replayed, (await lib.ReportUnconfirmedAsync(a.TransferId)).Outcome);
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.ReportTransferFailedAsync(a.TransferId, "short stream")).Outcome);
        Assert.Equal(ReplicaCallOutcome.Replayed, (await lib.ReportTransferFailedAsync(a.TransferId, "short stream")).Outcome);
        Assert.Equal(ReplicaCallOutcome.Cancelled, (await lib.StartTransferAsync(a.TransferId)).Outcome);
        Assert.Equal(["P1", "P3", "P5"], await RulesAsync(1));

        ReplicaRecord b = (await lib.BeginUploadAsync(new UploadRequest { FileId = 2, Size = 100, Checksum = Sum })).Replica!;
        _ = await lib.RegisterAsync(b.NodeId, b.TransferId, 100, Sum);
        ReplicaCallResult failedLate = await lib.ReportTransferFailedAsync(b.TransferId, "source lost its connection after the last byte");
        Assert.Equal((ReplicaCallOutcome.Unchanged, ReplicaState.Alive, false), (failedLate.Outcome, failedLate.State, failedLate.Changed));
        Assert.Equal(ReplicaCallOutcome.UnknownTransfer, (await lib.ReportTransferFailedAsync(Guid.NewGuid(), "x")).Outcome);

        // A stalled transfer that never started is cancelled when its source finally tries to start it.
        ReplicaRecord c = (await lib.BeginUploadAsync(new UploadRequest { FileId = 3, Size = 100, Checksum = Sum })).Replica!;
        _ = await lib.ReportUnconfirmedAsync(c.TransferId);
        ReplicaCallResult start = await lib.StartTransferAsync(c.TransferId);
        Assert.Equal((ReplicaCallOutcome.Cancelled, ReplicaState.Deleted, true), (start.Outcome, start.State, start.Changed));
    }

    /// <summary>docs/hsm/replicas.md#reporting-without-overload: reports are numbered, bounded, applied set-wise, and a replay or a gap writes no replica.</summary>
    [SkippableFact]
    public async Task Reports_are_numbered_bounded_and_applied_set_wise()
    {
        ReplicaLibrarian lib = NewLibrarian(TestOptions with { MaxReportEntries = 4 });
        await RegisterAsync(lib, "n");
        for (long f = 1; f <= 4; f++)
        {
            await SeedAsync(f, 1, ("n", f == 4 ? ReplicaState.ThirdWheel : ReplicaState.Alive));
        }

        ReportAck ack = await lib.ReportAsync(new NodeReport("n", 1,
        [
            new(1, ReportedReplicaState.Corrupted), new(2, ReportedReplicaState.Missing), new(4, ReportedReplicaState.Removed),
            new(99, ReportedReplicaState.Good),
        ]));
        Assert.Equal((ReportOutcome.Applied, 1L), (ack.Outcome, ack.AcknowledgedSequence));
        Assert.Equal([ReplicaCallOutcome.Applied, ReplicaCallOutcome.Applied, ReplicaCallOutcome.Applied, ReplicaCallOutcome.Cancelled], ack.Results.Select(r => r.Outcome));
        Assert.True(ack.Results[3].DiscardData);
        Assert.Equal(["P6"], await RulesAsync(1));
        Assert.Equal(["P6"], await RulesAsync(2));
        Assert.Equal(["P11"], await RulesAsync(4));
        Assert.Equal(Time.GetUtcNow() + TestOptions.IdleReportInterval, ack.NextReportAfter);

        IReadOnlyList<ReplicaRecord> before = await InTxn(txn => txn.GetReplicasOfFilesAsync([1, 2, 3, 4]));
        ReportAck replay = await lib.ReportAsync(new NodeReport("n", 1, [new(3, ReportedReplicaState.Corrupted)]));
        Assert.Equal((ReportOutcome.Duplicate, 1L), (replay.Outcome, replay.AcknowledgedSequence));
        ReportAck gap = await lib.ReportAsync(new NodeReport("n", 3, [new(3, ReportedReplicaState.Corrupted)]));
        Assert.Equal((ReportOutcome.OutOfSequence, 1L, true), (gap.Outcome, gap.AcknowledgedSequence, gap.DigestWanted));
        ReportAck big = await lib.ReportAsync(new NodeReport("n", 2, [.. Enumerable.Range(10, 5).Select(i => new ReplicaReportEntry(i, ReportedReplicaState.Good))]));
        Assert.Equal(ReportOutcome.Invalid, big.Outcome);
        Assert.Equal(ReportOutcome.Invalid, (await lib.ReportAsync(new NodeReport("n", 2, [new(3, ReportedReplicaState.Good), new(3, ReportedReplicaState.Missing)]))).Outcome);
        Assert.Equal(ReportOutcome.UnknownNode, (await lib.ReportAsync(new NodeReport("x", 1, []))).Outcome);
        Assert.Equal(before, await InTxn(txn => txn.GetReplicasOfFilesAsync([1, 2, 3, 4])));

        // A registration travels in a report too; a replayed report of it stays one registration.
        ReplicaRecord up = (await lib.BeginUploadAsync(new UploadRequest { FileId = 20, Size = 100, Checksum = Sum })).Replica!;
        ReportAck reg = await lib.ReportAsync(new NodeReport("n", 2, [new(20, ReportedReplicaState.Registered, up.TransferId, 100, Sum)]));
        Assert.Equal(ReplicaCallOutcome.Applied, Assert.Single(reg.Results).Outcome);
        Assert.Equal(ReportOutcome.Duplicate, (await lib.ReportAsync(new NodeReport("n", 2, [new(20, ReportedReplicaState.Registered, up.TransferId, 100, Sum)]))).Outcome);
        Assert.Equal(["P1", "P2"], await RulesAsync(20));
    }

    /// <summary>docs/hsm/replicas.md#reporting-without-overload rule 4: the digest comparison reads, finds only the differing buckets, and the node reports only the differences.</summary>
    [SkippableFact]
    public async Task A_digest_comparison_finds_only_the_differing_buckets()
    {
        ReplicaLibrarian lib = NewLibrarian();
        await RegisterAsync(lib, "n");
        await InTxn(async txn =>
        {
            await txn.InsertFilesAsync([.. Enumerable.Range(1, 500).Select(i => NewFile(i, 1))]);
            await txn.InsertReplicasAsync([.. Enumerable.Range(1, 500).Select(i => NewReplica(i, "n", i == 7 ? ReplicaState.Invalid : ReplicaState.Alive))]);
        });
        List<ReplicaDigestEntry> node = [.. Enumerable.Range(1, 500).Select(i => new ReplicaDigestEntry(i, i == 7))];
        DigestComparison same = await lib.CompareDigestAsync("n", ReplicaDigest.Of(node));
        Assert.Empty(same.DifferingBuckets);
        Assert.Empty(same.LibrarianView);

        // The node lost file 10, found 20 bad, and holds 600 the Librarian does not know.
        node.RemoveAll(e => e.FileId == 10);
        node[node.FindIndex(e => e.FileId == 20)] = new ReplicaDigestEntry(20, true);
        node.Add(new ReplicaDigestEntry(600, false));
        DigestComparison diff = await lib.CompareDigestAsync("n", ReplicaDigest.Of(node));
        Assert.InRange(diff.DifferingBuckets.Count, 1, 3);
        Assert.All(diff.LibrarianView, e => Assert.Contains(ReplicaDigest.BucketOf(e.FileId), diff.DifferingBuckets));
        IReadOnlyList<ReplicaReportEntry> entries = ReplicaDigest.Reconcile(node, diff.DifferingBuckets, diff.LibrarianView);
        Assert.Equal([new(10, ReportedReplicaState.Missing), new(20, ReportedReplicaState.Corrupted), new(600, ReportedReplicaState.Good)], entries);
    }

    private sealed class FixedTapeCopies(IReadOnlySet<long> files) : ITapeCopyIndex
    {
        public ValueTask<IReadOnlySet<long>> FilesOnTapeAsync(IReadOnlyList<long> fileIds, CancellationToken ct = default) =>
            ValueTask.FromResult<IReadOnlySet<long>>(fileIds.Where(files.Contains).ToHashSet());
    }
}
