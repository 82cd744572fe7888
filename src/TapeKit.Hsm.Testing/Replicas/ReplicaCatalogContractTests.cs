using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// The replica store contract every <see cref="IReplicaCatalog"/> implementation must meet (docs/hsm/replicas.md): node, file and replica rows round-trip; every update is conditional on the row version; a node holds one
/// live replica of a file at most and a transfer id names one row; the set reads the planner and the reports use; batch
/// writes are all or nothing; and the replica machine as the <see cref="ReplicaLibrarian"/> drives it over the store —
/// guarded, idempotent transitions, offline derived from the node row, deadlines and outages, numbered reports, digests,
/// and the planner's rules. A provider derives one class, overrides <see cref="CreateStoreAsync"/>, and runs it with its
/// own runner; each test gets a fresh, empty store.
/// </summary>
public abstract partial class ReplicaCatalogContractTests : IAsyncLifetime
{
    /// <summary>A checksum every test file carries.</summary>
    protected static readonly Checksum Sum = new("adler32", "0a0b0c0d");

    /// <summary>The virtual clock the store must be created with; the tests advance it.</summary>
    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The store under test.</summary>
    protected IReplicaCatalog Store { get; private set; } = null!;

    /// <summary>
    /// Creates an empty store on <see cref="Time"/>. Throw <see cref="SkipException"/> when the provider's server is not
    /// configured, so that the tests are skipped with the reason.
    /// </summary>
    protected abstract ValueTask<IReplicaCatalog> CreateStoreAsync();

    /// <summary>Creates the store.</summary>
    public virtual async Task InitializeAsync() => Store = await CreateStoreAsync();

    /// <summary>Disposes the store where it is disposable; override when something else owns it.</summary>
    public virtual async Task DisposeAsync() => await Disposal.DisposeAsync(Store);

    /// <summary>A replica row in <paramref name="state"/> for the tests (version 0, times now).</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="nodeId">The node.</param>
    /// <param name="state">The stored state.</param>
    protected ReplicaRecord NewReplica(long fileId, string nodeId, ReplicaState state = ReplicaState.Alive)
    {
        Guid id = Guid.NewGuid();
        return new ReplicaRecord
        {
            FileId = fileId,
            NodeId = nodeId,
            ReferenceId = id.ToString("N"),
            State = state,
            TransferId = id,
            Size = 100,
            Checksum = Sum,
            SourceKind = ReplicaSourceKind.Upload,
            CreatedAt = Time.GetUtcNow(),
            UpdatedAt = Time.GetUtcNow(),
            Deadline = state is ReplicaState.Creating or ReplicaState.Stalled ? Time.GetUtcNow().AddMinutes(5) : null,
        };
    }

    /// <summary>A node row, online, heartbeat due in 30 s.</summary>
    /// <param name="nodeId">The node.</param>
    protected NodeRecord NewNode(string nodeId) => new()
    {
        NodeId = nodeId,
        StateSince = Time.GetUtcNow(),
        NextHeartbeatDue = Time.GetUtcNow().AddSeconds(30),
        RegisteredAt = Time.GetUtcNow(),
    };

    /// <summary>A replicated file row of 100 bytes with <see cref="Sum"/>.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="needed">Its needed replicas.</param>
    protected ReplicaFileRecord NewFile(long fileId, int needed = 2) =>
        new() { FileId = fileId, NeededReplicas = needed, Size = 100, Checksum = Sum, CreatedAt = Time.GetUtcNow() };

    /// <summary>Runs <paramref name="work"/> in one committed transaction.</summary>
    /// <typeparam name="T">Its result.</typeparam>
    /// <param name="work">The work.</param>
    protected async Task<T> InTxn<T>(Func<IReplicaTransaction, ValueTask<T>> work)
    {
        await using IReplicaTransaction txn = await Store.BeginAsync();
        T result = await work(txn);
        await txn.CommitAsync();
        return result;
    }

    /// <summary>Runs <paramref name="work"/> in one committed transaction.</summary>
    /// <param name="work">The work.</param>
    protected Task InTxn(Func<IReplicaTransaction, ValueTask> work) => InTxn(async txn =>
    {
        await work(txn);
        return true;
    });

    /// <summary>Node rows round-trip and their updates are conditional on the version read.</summary>
    [SkippableFact]
    public async Task Node_rows_round_trip_and_updates_are_conditional()
    {
        NodeRecord n = NewNode("n1") with { Address = "http://127.0.0.1:5001", ReportSeq = 7, DigestWanted = true };
        await InTxn(txn => txn.InsertNodeAsync(n));
        await InTxn(async txn =>
        {
            Assert.Equal(n, await txn.GetNodeAsync("n1"));
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertNodeAsync(n));
            NodeRecord moved = await txn.UpdateNodeAsync(n with { State = NodeState.Offline });
            Assert.Equal(1, moved.RowVersion);
            await Assert.ThrowsAsync<CatalogConflictException>(async () => await txn.UpdateNodeAsync(n with { ReportSeq = 8 }));
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.UpdateNodeAsync(NewNode("nobody")));
            Assert.Equal(moved, await txn.GetNodeAsync("n1"));
        });
        await InTxn(txn => txn.InsertNodeAsync(NewNode("n0")));
        Assert.Equal(["n0", "n1"], (await InTxn(txn => txn.GetNodesAsync())).Select(x => x.NodeId));
    }

    /// <summary>File rows round-trip, page by id and update conditionally.</summary>
    [SkippableFact]
    public async Task File_rows_round_trip_page_and_update_conditionally()
    {
        await InTxn(txn => txn.InsertFilesAsync([NewFile(3), NewFile(1, 3), NewFile(2) with { DeletedAt = Time.GetUtcNow() }]));
        await InTxn(async txn =>
        {
            Assert.Equal(NewFile(1, 3), await txn.GetFileAsync(1));
            Assert.Equal([1L, 2L], (await txn.GetFilesAsync(long.MinValue, 2)).Select(f => f.FileId));
            Assert.Equal([3L], (await txn.GetFilesAsync(2, 10)).Select(f => f.FileId));
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertFileAsync(NewFile(1)));
            ReplicaFileRecord f = await txn.UpdateFileAsync(NewFile(1, 3) with { NeededReplicas = 4 });
            await Assert.ThrowsAsync<CatalogConflictException>(async () => await txn.UpdateFileAsync(NewFile(1, 5)));
            Assert.Equal(f, await txn.GetFileAsync(1));
        });
        await InTxn(async txn => await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertFilesAsync([NewFile(9), NewFile(1)])));
        Assert.Null(await InTxn(txn => txn.GetFileAsync(9)));
    }

    /// <summary>A replica row round-trips every field, and OFFLINE is never stored.</summary>
    [SkippableFact]
    public async Task A_replica_row_round_trips_every_field_and_offline_is_never_stored()
    {
        ReplicaRecord r = NewReplica(5, "n1", ReplicaState.Creating) with
        {
            SourceKind = ReplicaSourceKind.Node,
            SourceNodeId = "n2",
            StartedAt = Time.GetUtcNow().AddSeconds(1),
            LastCheckedAt = Time.GetUtcNow().AddSeconds(2),
            Size = 123_456_789_012,
            Checksum = new Checksum("xxh3", "ffeeddccbbaa9988"),
        };
        await InTxn(txn => txn.InsertReplicaAsync(r));
        Assert.Equal(r, await InTxn(txn => txn.GetReplicaAsync(r.TransferId)));
        await InTxn(async txn =>
        {
            await Assert.ThrowsAsync<ArgumentException>(async () => await txn.InsertReplicaAsync(NewReplica(6, "n1", ReplicaState.Offline)));
            await Assert.ThrowsAsync<ArgumentException>(async () => await txn.UpdateReplicaAsync(r with { State = ReplicaState.Offline }));
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertReplicaAsync(r));
        });
        Assert.Null(await InTxn(txn => txn.GetReplicaAsync(Guid.NewGuid())));
    }

    /// <summary>A node holds at most one live replica of a file, and a transfer id names one row.</summary>
    [SkippableFact]
    public async Task A_node_holds_one_live_replica_of_a_file_and_a_transfer_id_names_one_row()
    {
        ReplicaRecord first = NewReplica(1, "n1", ReplicaState.Creating);
        await InTxn(txn => txn.InsertReplicaAsync(first));
        await InTxn(async txn =>
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertReplicaAsync(NewReplica(1, "n1", ReplicaState.Alive))));
        await InTxn(async txn =>
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.InsertReplicaAsync(NewReplica(2, "n1") with { TransferId = first.TransferId })));

        // A tombstone does not hold the node: a new live row may follow it, and a tombstone cannot come back beside it.
        ReplicaRecord deleted = await InTxn(txn => txn.UpdateReplicaAsync(first with { State = ReplicaState.Deleted }));
        ReplicaRecord second = NewReplica(1, "n1", ReplicaState.Creating);
        await InTxn(txn => txn.InsertReplicaAsync(second));
        await InTxn(async txn =>
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.UpdateReplicaAsync(deleted with { State = ReplicaState.Alive })));
        ReplicaRecord other = NewReplica(2, "n1");
        await InTxn(txn => txn.InsertReplicaAsync(other));
        await InTxn(async txn =>
            await Assert.ThrowsAsync<CatalogConstraintException>(async () => await txn.UpdateReplicaAsync(other with { TransferId = second.TransferId })));
        Assert.Equal([second], await InTxn(txn => txn.GetReplicasOfFileAsync(1)));
        Assert.Equal(2, (await InTxn(txn => txn.GetReplicasOfFileAsync(1, includeDeleted: true))).Count);
    }

    /// <summary>The set reads: by files, by node (paged, by state, as state pairs) and a node's rows of a set of files.</summary>
    [SkippableFact]
    public async Task The_set_reads_return_live_rows_in_order()
    {
        var rows = new List<ReplicaRecord>();
        for (long f = 1; f <= 30; f++)
        {
            rows.Add(NewReplica(f, "a", f % 3 == 0 ? ReplicaState.Invalid : ReplicaState.Alive));
            rows.Add(NewReplica(f, "b", f % 5 == 0 ? ReplicaState.Deleted : ReplicaState.ThirdWheel));
        }

        await InTxn(txn => txn.InsertReplicasAsync(rows));
        await InTxn(async txn =>
        {
            IReadOnlyList<ReplicaRecord> some = await txn.GetReplicasOfFilesAsync([7, 5, 5, 999]);
            Assert.Equal([(5L, "a"), (7L, "a"), (7L, "b")], some.Select(r => (r.FileId, r.NodeId)));

            IReadOnlyList<ReplicaRecord> page1 = await txn.GetReplicasOfNodeAsync("b", long.MinValue, 10);
            IReadOnlyList<ReplicaRecord> page2 = await txn.GetReplicasOfNodeAsync("b", page1[^1].FileId, 100);
            Assert.Equal(24, page1.Count + page2.Count);
            Assert.Equal(Enumerable.Range(1, 30).Where(f => f % 5 != 0).Select(f => (long)f), page1.Concat(page2).Select(r => r.FileId));
            Assert.Equal([3L, 6L, 9L], (await txn.GetReplicasOfNodeAsync("a", 0, 3, ReplicaState.Invalid)).Select(r => r.FileId));
            Assert.Empty(await txn.GetReplicasOfNodeAsync("nobody", 0, 3));

            IReadOnlyList<(long FileId, ReplicaState State)> pairs = await txn.GetReplicaStatesOfNodeAsync("a", 27, 10);
            Assert.Equal([(28L, ReplicaState.Alive), (29L, ReplicaState.Alive), (30L, ReplicaState.Invalid)], pairs);

            Assert.Equal([4L, 6L], (await txn.GetReplicasOnNodeAsync("b", [4, 5, 6, 99])).Select(r => r.FileId));
            Assert.Equal(new Dictionary<string, long> { ["a"] = 30, ["b"] = 24 }, await txn.CountReplicasByNodeAsync());
        });
    }

    /// <summary>Transfers in progress are found by source, target and kind; due rows by deadline.</summary>
    [SkippableFact]
    public async Task Transfers_and_due_rows_are_found()
    {
        DateTimeOffset t0 = Time.GetUtcNow();
        ReplicaRecord fromA = NewReplica(1, "n", ReplicaState.Creating) with { SourceKind = ReplicaSourceKind.Node, SourceNodeId = "a", Deadline = t0.AddSeconds(30) };
        ReplicaRecord fromTape = NewReplica(2, "n", ReplicaState.Creating) with { SourceKind = ReplicaSourceKind.Tape, CreatedAt = t0.AddSeconds(1), Deadline = t0.AddSeconds(10) };
        ReplicaRecord upload = NewReplica(3, "m", ReplicaState.Creating) with { CreatedAt = t0.AddSeconds(2), Deadline = t0.AddSeconds(20) };
        ReplicaRecord stalled = NewReplica(4, "m", ReplicaState.Stalled) with { SourceKind = ReplicaSourceKind.Node, SourceNodeId = "a", Deadline = t0.AddSeconds(5) };
        ReplicaRecord alive = NewReplica(5, "m") with { Deadline = t0 };
        await InTxn(txn => txn.InsertReplicasAsync([fromA, fromTape, upload, stalled, alive]));
        await InTxn(async txn =>
        {
            Assert.Equal([fromA], await txn.GetTransfersAsync("a", null, null, 10));
            Assert.Equal([fromA, fromTape], await txn.GetTransfersAsync(null, "n", null, 10));
            Assert.Equal([fromTape], await txn.GetTransfersAsync(null, null, ReplicaSourceKind.Tape, 10));
            Assert.Equal([fromA, fromTape, upload], await txn.GetTransfersAsync(null, null, null, 10));
            Assert.Equal([fromA], await txn.GetTransfersAsync(null, null, null, 1));
            Assert.Equal([stalled, fromTape, upload], await txn.GetReplicasDueAsync(t0.AddSeconds(20), 10));
            Assert.Equal([stalled], await txn.GetReplicasDueAsync(t0.AddSeconds(20), 1));
        });
    }

    /// <summary>A stale replica write conflicts, and a batch with one refused row writes none.</summary>
    [SkippableFact]
    public async Task A_stale_write_conflicts_and_a_refused_batch_writes_nothing()
    {
        ReplicaRecord a = NewReplica(1, "n"), b = NewReplica(2, "n"), c = NewReplica(3, "n");
        await InTxn(txn => txn.InsertReplicasAsync([a, b, c]));
        ReplicaRecord a1 = await InTxn(txn => txn.UpdateReplicaAsync(a with { State = ReplicaState.Invalid }));
        Assert.Equal(1, a1.RowVersion);
        await InTxn(async txn =>
        {
            await Assert.ThrowsAsync<CatalogConflictException>(async () => await txn.UpdateReplicaAsync(a with { State = ReplicaState.ThirdWheel }));
            await Assert.ThrowsAsync<CatalogConflictException>(async () =>
                await txn.UpdateReplicasAsync([b with { State = ReplicaState.ThirdWheel }, a with { State = ReplicaState.ThirdWheel }]));
            await Assert.ThrowsAsync<CatalogConstraintException>(async () =>
                await txn.UpdateReplicasAsync([c with { State = ReplicaState.Invalid }, NewReplica(9, "n")]));
            await Assert.ThrowsAsync<CatalogConstraintException>(async () =>
                await txn.InsertReplicasAsync([NewReplica(4, "n"), NewReplica(5, "n") with { TransferId = a.TransferId }]));
            IReadOnlyList<ReplicaRecord> written = await txn.UpdateReplicasAsync([b with { State = ReplicaState.ThirdWheel }, a1 with { State = ReplicaState.Deleted }]);
            Assert.Equal([1L, 2L], written.Select(r => r.RowVersion));
        });
        Assert.Equal(a1 with { State = ReplicaState.Deleted, RowVersion = 2 }, await InTxn(txn => txn.GetReplicaAsync(a.TransferId)));
        Assert.Equal(b with { State = ReplicaState.ThirdWheel, RowVersion = 1 }, await InTxn(txn => txn.GetReplicaAsync(b.TransferId)));
        Assert.Equal(c, await InTxn(txn => txn.GetReplicaAsync(c.TransferId)));
        Assert.Empty(await InTxn(txn => txn.GetReplicasOfFilesAsync([4, 5])));
    }

    /// <summary>Nothing of a transaction disposed without a commit is visible.</summary>
    [SkippableFact]
    public async Task Nothing_is_visible_after_a_rollback()
    {
        await using (IReplicaTransaction txn = await Store.BeginAsync())
        {
            await txn.InsertNodeAsync(NewNode("n"));
            await txn.InsertFileAsync(NewFile(1));
            await txn.InsertReplicaAsync(NewReplica(1, "n"));
            await txn.SetCheckpointAsync("x", Time.GetUtcNow());
            await txn.AddTransitionsAsync([new ReplicaTransitionRecord(1, "n", Guid.NewGuid(), null, ReplicaState.Creating, "P1", ReplicaActor.Librarian, null, Time.GetUtcNow())]);
        }

        await InTxn(async txn =>
        {
            Assert.Empty(await txn.GetNodesAsync());
            Assert.Null(await txn.GetFileAsync(1));
            Assert.Empty(await txn.GetReplicasOfFileAsync(1, true));
            Assert.Null(await txn.GetCheckpointAsync("x"));
            Assert.Empty(await txn.GetTransitionsAsync(1));
            Assert.Empty(await txn.CountReplicasByNodeAsync());
        });
    }

    /// <summary>Deadlines of transfers move on set-wise; old tombstones are pruned; live counts follow the rows.</summary>
    [SkippableFact]
    public async Task Deadlines_extend_tombstones_prune_and_counts_follow()
    {
        ReplicaRecord creating = NewReplica(1, "n", ReplicaState.Creating), stalled = NewReplica(2, "n", ReplicaState.Stalled);
        ReplicaRecord alive = NewReplica(3, "n"), gone = NewReplica(4, "n", ReplicaState.Deleted);
        await InTxn(txn => txn.InsertReplicasAsync([creating, stalled, alive, gone]));
        Assert.Equal(new Dictionary<string, long> { ["n"] = 3 }, await InTxn(txn => txn.CountReplicasByNodeAsync()));
        Assert.Equal(2, await InTxn(txn => txn.ExtendDeadlinesAsync(TimeSpan.FromMinutes(7))));
        await InTxn(async txn =>
        {
            Assert.Equal(creating.Deadline!.Value.AddMinutes(7), (await txn.GetReplicaAsync(creating.TransferId))!.Deadline);
            Assert.Equal(1, (await txn.GetReplicaAsync(stalled.TransferId))!.RowVersion);
            Assert.Null((await txn.GetReplicaAsync(alive.TransferId))!.Deadline);
            _ = await txn.UpdateReplicaAsync(alive with { State = ReplicaState.Deleted, UpdatedAt = Time.GetUtcNow().AddHours(1) });
        });
        Assert.Equal(new Dictionary<string, long> { ["n"] = 2 }, await InTxn(txn => txn.CountReplicasByNodeAsync()));
        Assert.Equal(1, await InTxn(txn => txn.PruneDeletedAsync(Time.GetUtcNow().AddMinutes(1), 10)));
        Assert.Null(await InTxn(txn => txn.GetReplicaAsync(gone.TransferId)));
        Assert.NotNull(await InTxn(txn => txn.GetReplicaAsync(alive.TransferId)));
        Assert.Equal(new Dictionary<string, long> { ["n"] = 2 }, await InTxn(txn => txn.CountReplicasByNodeAsync()));
    }

    /// <summary>Checkpoints and audit rows round-trip.</summary>
    [SkippableFact]
    public async Task Checkpoints_and_audit_rows_round_trip()
    {
        DateTimeOffset at = Time.GetUtcNow().AddSeconds(3);
        var t1 = new ReplicaTransitionRecord(7, "n", Guid.NewGuid(), null, ReplicaState.Creating, "P1", ReplicaActor.Bartender, "upload", at);
        var t2 = new ReplicaTransitionRecord(7, "n", t1.TransferId, ReplicaState.Creating, ReplicaState.Alive, "P2", ReplicaActor.Shepherd, null, at);
        await InTxn(async txn =>
        {
            await txn.SetCheckpointAsync("c", at);
            await txn.SetCheckpointAsync("c", at.AddSeconds(1));
            await txn.AddTransitionsAsync([t1, t2]);
            await txn.AddTransitionsAsync([t1 with { FileId = 8 }]);
        });
        Assert.Equal(at.AddSeconds(1), await InTxn(txn => txn.GetCheckpointAsync("c")));
        Assert.Equal([t1, t2], await InTxn(txn => txn.GetTransitionsAsync(7)));
    }
}
