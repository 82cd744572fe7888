using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Replicas;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>
/// spec/hsm.md §7.3 case B — the Shepherd receiving an upload goes down (B1 before the replica arrived, B2 after arrival
/// before registering, B3 after registering, and B3's two return rows) — and case A — the metadata master is down during
/// upload or replication (new upload, transfer in flight, master back, master never back). Each row asserts its outcome
/// code and the invariants of the simulation (<see cref="ChelSim"/>) after every step.
/// </summary>
public sealed class CheloniaCaseABTests(ITestOutputHelper output)
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>B1: the node goes down before the replica arrived: the client retries elsewhere; the old row stalls and is deleted.</summary>
    [Fact]
    public async Task B1_receiver_down_before_the_replica_arrived()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        (ChelSim sim, UploadClient client) = await UploadWorldAsync(store, TransferPoint.During, TimeSpan.FromSeconds(300));
        await sim.RunUntilAsync(async () => client.Done && await sim.QuiescentAsync());

        Assert.Empty(sim.Violations);
        Assert.Equal(2, client.Attempts.Count);
        Assert.NotEqual("n", client.Attempts[1].NodeId);
        Assert.Equal(Outcome.Retry, await sim.OutcomeOfAsync(1, client.Attempts[0].TransferId));
        Assert.Equal(["P1", "P3", "P5"], await RulesOfAsync(sim, client.Attempts[0].TransferId));
        Assert.Equal(Outcome.Ok, await sim.OutcomeOfAsync(1, client.Attempts[1].TransferId));
        Assert.DoesNotContain(1L, sim.Nodes["n"].Disk.Keys); // the partial file was discarded at start-up
        await PrintAsync(sim, "B1");
    }

    /// <summary>B2: the node goes down after the whole file arrived, before registering: it registers late on return; the surplus is retired.</summary>
    [Fact]
    public async Task B2_receiver_down_after_arrival_before_registering()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        (ChelSim sim, UploadClient client) = await UploadWorldAsync(store, TransferPoint.After, TimeSpan.FromSeconds(200));
        await sim.RunUntilAsync(async () => client.Done && await sim.QuiescentAsync());

        Assert.Empty(sim.Violations);
        Assert.Equal(2, client.Attempts.Count);
        Assert.Equal(Outcome.Late, await sim.OutcomeOfAsync(1, client.Attempts[0].TransferId));
        IReadOnlyList<ReplicaTransitionRecord> audit = await sim.AuditAsync(1);
        ReplicaTransitionRecord retired = Assert.Single(audit, t => t.Rule == "P10");
        Assert.Equal("n", retired.NodeId); // the returning copy is the surplus one
        Assert.Single(audit, t => t.Rule == "P11");
        await PrintAsync(sim, "B2");
    }

    /// <summary>B3, and its two return rows: the node held registered copies and misses its heartbeat.</summary>
    [Theory]
    [InlineData(null, "B3: node never back")]
    [InlineData(50, "B3: back after re-replication started, before it finished")]
    [InlineData(300, "B3: back after all were re-replicated")]
    public async Task B3_receiver_down_after_registering(int? backAfterSeconds, string row)
    {
        using var store = new InMemoryReplicaCatalog(_time);
        var sim = new ChelSim(store, _time);
        await sim.AddNodesAsync("a", "b", "c", "d", "n");
        string[] others = ["a", "b", "c"];
        for (long f = 1; f <= 12; f++)
        {
            await sim.SeedFileAsync(f, 2, "n", others[f % 3]);
        }

        IReadOnlyList<ReplicaRecord> before = (await sim.ReadAllAsync()).Rows.Where(r => r.NodeId == "n").ToList();
        sim.Down("n");
        if (backAfterSeconds is { } s)
        {
            sim.ReturnAfter("n", TimeSpan.FromSeconds(s));
        }

        await sim.RunUntilOfflineAsync("n");
        await sim.RunUntilAsync(sim.QuiescentAsync);
        Assert.Empty(sim.Violations);
        var audits = new List<ReplicaTransitionRecord>();
        for (long f = 1; f <= 12; f++)
        {
            audits.AddRange(await sim.AuditAsync(f));
        }

        List<ReplicaTransitionRecord> created = [.. audits.Where(t => t.Rule == "P1")];
        int cancelled = audits.Count(t => t.Rule == "P5" && t.Reason!.StartsWith("no longer needed", StringComparison.Ordinal));
        int completed = audits.Count(t => t.Rule == "P2");
        List<ReplicaTransitionRecord> retired = [.. audits.Where(t => t.Rule == "P10")];
        output.WriteLine($"{row}: {created.Count} transfers planned, {completed} completed, {cancelled} cancelled before start, " +
            $"{retired.Count} surplus retired (on {string.Join(",", retired.Select(t => t.NodeId).Distinct())}); {sim.Steps * sim.Step.TotalSeconds:0} s");

        Assert.Equal(12, created.Count); // one per file, each from the file's other alive copy
        Assert.All(retired, t => Assert.Equal("n", t.NodeId)); // only the returning copies are surplus
        switch (backAfterSeconds)
        {
            case null:
                Assert.Equal((12, 0, 0), (completed, cancelled, retired.Count));
                // Offline is derived: not one of the lost node's replica rows was written.
                Assert.Equal(before, (await sim.ReadAllAsync()).Rows.Where(r => r.NodeId == "n"));
                break;
            case 50:
                Assert.True(cancelled > 0, "some transfers had not started and were cancelled");
                Assert.True(completed > 0, "some files were re-replicated before the node came back");
                Assert.Equal(completed, retired.Count); // each file re-replicated has exactly one surplus copy, the returning one
                Assert.Equal(12, completed + cancelled);
                break;
            default:
                Assert.Equal((12, 0, 12), (completed, cancelled, retired.Count));
                break;
        }
    }

    /// <summary>A1: a new upload while the master is down is refused fast with "retry": no transfer address without a CREATING row.</summary>
    [Fact]
    public async Task A1_new_upload_while_the_master_is_down()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        var sim = new ChelSim(store, _time);
        await sim.AddNodesAsync("s1", "s2");
        sim.DeclareFile(1);
        var client = new UploadClient(sim, 1);
        sim.Actors.Add(client.StepAsync);
        sim.Master.Down = true;
        var watch = Stopwatch.StartNew();
        bool allocated = await sim.CallAsync(async () => await sim.Librarian.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 1001, Checksum = sim.SumOf(1) }));
        watch.Stop();
        Assert.False(allocated);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"refused in {watch.Elapsed}");
        for (int i = 0; i < 6; i++)
        {
            await sim.StepAsync();
        }

        Assert.Equal(6, client.RefusedAllocations);
        Assert.Empty(client.Attempts);
        Assert.Equal("pending", client.Status);
        Assert.Null(await PeekAsync(store, txn => txn.GetFileAsync(1))); // nothing was written

        sim.Master.Down = false;
        await sim.RunUntilAsync(async () => client.Done && await sim.QuiescentAsync());
        Assert.Empty(sim.Violations);
        Assert.Single(client.Attempts); // RETRY: the client's next try is the first allocation
        output.WriteLine($"A1: refused in {watch.Elapsed.TotalMilliseconds:0.0} ms; {client.RefusedAllocations} refusals, then allocated and alive: RETRY");
    }

    /// <summary>A2: a transfer in flight when the master goes down: bytes keep flowing, the registration fails and is retried.</summary>
    [Fact]
    public async Task A2_transfer_in_flight_when_the_master_goes_down()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        (ChelSim sim, UploadClient client) = await MasterDownWorldAsync(store);
        int refusedBefore = sim.RefusedCalls;
        for (int i = 0; i < 120; i++) // ten minutes, far beyond CreatingTimeout
        {
            await sim.StepAsync();
        }

        ChelSim.Copy copy = sim.Nodes["s1"].Disk[1];
        Assert.True(copy.Complete && !copy.Registered); // the bytes arrived; the registration could not
        Assert.True(sim.RefusedCalls - refusedBefore > 120, "the node kept retrying its registration");
        Assert.Equal("pending", client.Status);
        ReplicaRecord row = (await PeekAsync(store, txn => txn.GetReplicaAsync(client.Attempts[0].TransferId)))!;
        Assert.Equal(ReplicaState.Creating, row.State);
        Assert.Equal(Outcome.Pending, await OutcomeFromStoreAsync(store, client.Attempts[0].TransferId));
        output.WriteLine($"A2: 10 min with the master down: {sim.RefusedCalls - refusedBefore} calls refused, copy whole on s1, row CREATING, client pending");
    }

    /// <summary>A3: the master comes back: the retried registration applies once, and deadlines were extended by the outage.</summary>
    [Fact]
    public async Task A3_master_back_registration_applies_once_and_deadlines_are_extended()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        (ChelSim sim, UploadClient client) = await MasterDownWorldAsync(store);
        for (int i = 0; i < 120; i++)
        {
            await sim.StepAsync();
        }

        sim.Master.Down = false;
        Guid transfer = client.Attempts[0].TransferId;
        CheckSummary check = await sim.Librarian.CheckAsync();
        Assert.True(check.Outage >= TimeSpan.FromMinutes(10), $"outage {check.Outage}");
        Assert.Equal((1, 0, 0), (check.DeadlinesExtended, check.Stalled, check.NodesOffline));

        // The node's first try after the return commits, but its answer is lost: the node tries again (a replay).
        sim.Master.LoseNextAnswer = true;
        Assert.False(await sim.CallAsync(async () => await sim.Librarian.RegisterAsync("s1", transfer, sim.SizeOf(1), sim.SumOf(1))));
        await sim.RunUntilAsync(async () => client.Done && await sim.QuiescentAsync());
        Assert.Empty(sim.Violations);
        Assert.Equal(Outcome.Ok, await sim.OutcomeOfAsync(1, transfer));
        Assert.Equal(["P1", "P2"], await RulesOfAsync(sim, transfer)); // applied once, never stalled
        Assert.All((await sim.ReadAllAsync()).Nodes.Values, nd => Assert.Equal(_time.GetUtcNow() - (sim.Steps * sim.Step), nd.StateSince));
        output.WriteLine($"A3: outage {check.Outage}, {check.DeadlinesExtended} deadline extended, no node offline; registration applied once: OK");
    }

    /// <summary>A4: the master never returns: no replica becomes alive; the client sees "pending", not "failed", until its own deadline.</summary>
    [Fact]
    public async Task A4_master_never_returns()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        (ChelSim sim, UploadClient client) = await MasterDownWorldAsync(store, giveUpAfter: TimeSpan.FromMinutes(30));
        for (int i = 0; i < 300; i++) // 25 minutes
        {
            await sim.StepAsync();
            Assert.Equal("pending", client.Status);
        }

        Assert.Equal(Outcome.Pending, await OutcomeFromStoreAsync(store, client.Attempts[0].TransferId));
        Assert.DoesNotContain(await PeekAsync(store, txn => txn.GetReplicasOfFileAsync(1)), r => r.State == ReplicaState.Alive);
        for (int i = 0; i < 72; i++)
        {
            await sim.StepAsync();
        }

        Assert.Equal("failed", client.Status); // only its own deadline fails it
        output.WriteLine("A4: 25 min without a master: no replica alive, client pending until its own deadline (30 min): PENDING");
    }

    /// <summary>Nodes n (the receiver), a, b; the client uploads file 1 (2 replicas) to n, which goes down at <paramref name="at"/> and returns after <paramref name="back"/>.</summary>
    private async Task<(ChelSim, UploadClient)> UploadWorldAsync(IReplicaCatalog store, TransferPoint at, TimeSpan back)
    {
        var sim = new ChelSim(store, _time);
        await sim.AddNodesAsync("a", "b", "n");
        sim.DeclareFile(1);
        var client = new UploadClient(sim, 1, firstNode: "n");
        sim.Actors.Add(client.StepAsync);
        sim.OnPoint = (j, p) =>
        {
            if (j.TransferId == client.Attempts[0].TransferId && p == at)
            {
                sim.Down("n");
                sim.ReturnAfter("n", back);
            }

            return Task.CompletedTask;
        };
        return (sim, client);
    }

    /// <summary>Nodes s1, s2; the client uploads file 1 to s1 and the master goes down as the last byte arrives.</summary>
    private async Task<(ChelSim, UploadClient)> MasterDownWorldAsync(IReplicaCatalog store, TimeSpan? giveUpAfter = null)
    {
        var sim = new ChelSim(store, _time);
        await sim.AddNodesAsync("s1", "s2");
        sim.DeclareFile(1);
        var client = new UploadClient(sim, 1, firstNode: "s1") { Timeout = TimeSpan.FromHours(1), GiveUpAfter = giveUpAfter ?? TimeSpan.FromHours(2) };
        sim.Actors.Add(client.StepAsync);
        sim.OnPoint = (j, p) =>
        {
            if (p == TransferPoint.After && j.TransferId == client.Attempts[0].TransferId)
            {
                sim.Master.Down = true;
            }

            return Task.CompletedTask;
        };
        while (!sim.Master.Down)
        {
            await sim.StepAsync();
        }

        return (sim, client);
    }

    private static async Task<T> PeekAsync<T>(IReplicaCatalog store, Func<IReplicaTransaction, ValueTask<T>> read)
    {
        await using IReplicaTransaction txn = await store.BeginAsync();
        return await read(txn);
    }

    private static async Task<Outcome> OutcomeFromStoreAsync(IReplicaCatalog store, Guid transferId) =>
        await PeekAsync(store, txn => txn.GetReplicaAsync(transferId)) is { State: ReplicaState.Creating or ReplicaState.Stalled } ? Outcome.Pending : Outcome.Ok;

    private static async Task<IReadOnlyList<string>> RulesOfAsync(ChelSim sim, Guid transferId) =>
        [.. (await sim.AuditAsync(1)).Where(t => t.TransferId == transferId).Select(t => t.Rule)];

    private async Task PrintAsync(ChelSim sim, string row) =>
        output.WriteLine($"{row}: {string.Join(" ", (await sim.AuditAsync(1)).Select(t => $"{t.Rule}@{t.NodeId}"))}; {sim.Steps * sim.Step.TotalSeconds:0} s");
}
