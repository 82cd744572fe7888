using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Replicas;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>The census (what a host waits on) and the batched start of transfers.</summary>
public sealed class ReplicaCensusTests
{
    private static readonly Checksum Sum = new("xxh3", "0123456789abcdef");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task The_census_counts_files_by_replication_and_rows_by_effective_state()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        var lib = new ReplicaLibrarian(store, new ReplicaOptions { PlanPageSize = 2 });
        foreach (string n in new[] { "a", "b", "c" })
        {
            _ = await lib.RegisterNodeAsync(n);
        }

        DateTimeOffset start = _time.GetUtcNow();
        // File 1: two alive copies (needs 2) → complete; file 2: one alive (needs 2) → short; file 3: three alive
        // (needs 2) → surplus; file 4: a copy still being created → short and without an alive copy.
        await AliveAsync(lib, 1, 2, "a", "b");
        await AliveAsync(lib, 2, 2, "a");
        await AliveAsync(lib, 3, 2, "a", "b", "c");
        _ = await lib.BeginUploadAsync(new UploadRequest { FileId = 4, Size = 1, Checksum = Sum, NeededReplicas = 2 });

        ReplicaCensus census = await lib.GetCensusAsync(start);
        Assert.Equal(4, census.Files);
        Assert.Equal(1, census.Complete);
        Assert.Equal(2, census.Underreplicated);
        Assert.Equal(1, census.Surplus);
        Assert.Equal(1, census.WithoutAliveCopy);
        Assert.Equal(6, census.Count(ReplicaState.Alive));
        Assert.Equal(1, census.Count(ReplicaState.Creating));
        Assert.Equal(7, census.Transitions("P1"));
        Assert.Equal(6, census.Transitions("P2"));

        // Node a goes offline: its three rows count as OFFLINE, and files 1 and 3 lose a copy.
        _time.Advance(lib.Options.HeartbeatTimeout + TimeSpan.FromSeconds(1));
        _ = await lib.HeartbeatAsync("b");
        _ = await lib.HeartbeatAsync("c");
        _ = await lib.CheckAsync();
        census = await lib.GetCensusAsync();
        Assert.Equal(3, census.Count(ReplicaState.Offline));
        Assert.Equal(3, census.Count(ReplicaState.Alive));
        Assert.Equal(1, census.Complete); // file 3: b and c
        Assert.Empty(census.TransitionsSince);

        Assert.True(await lib.DeleteFileAsync(1));
        census = await lib.GetCensusAsync();
        Assert.Equal(3, census.Files);
        Assert.Equal(1, census.DeletedFiles);
    }

    [Fact]
    public async Task A_batch_start_marks_each_transfer_once_and_answers_unknown_and_repeated_ids()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        var lib = new ReplicaLibrarian(store, new ReplicaOptions { MaxReportEntries = 4 });
        _ = await lib.RegisterNodeAsync("a");
        UploadTicket one = await lib.BeginUploadAsync(new UploadRequest { FileId = 1, Size = 1, Checksum = Sum, NeededReplicas = 1 });
        UploadTicket two = await lib.BeginUploadAsync(new UploadRequest { FileId = 2, Size = 1, Checksum = Sum, NeededReplicas = 1 });
        Guid a = one.Replica!.TransferId, b = two.Replica!.TransferId, unknown = Guid.NewGuid();

        IReadOnlyList<ReplicaCallResult> results = await lib.StartTransfersAsync([a, unknown, b, a]);
        Assert.Equal([ReplicaCallOutcome.Applied, ReplicaCallOutcome.UnknownTransfer, ReplicaCallOutcome.Applied, ReplicaCallOutcome.Replayed],
            results.Select(r => r.Outcome));
        Assert.NotNull((await lib.GetTransferAsync(a))!.Value.Replica.StartedAt);
        Assert.NotNull((await lib.GetTransferAsync(b))!.Value.Replica.StartedAt);

        // A second batch changes nothing.
        results = await lib.StartTransfersAsync([a, b]);
        Assert.All(results, r => Assert.Equal(ReplicaCallOutcome.Replayed, r.Outcome));
        _ = await Assert.ThrowsAsync<ArgumentException>(async () => await lib.StartTransfersAsync([a, b, a, b, a]));
    }

    [Fact]
    public async Task A_batch_of_uploads_spreads_over_nodes_as_it_goes_and_never_puts_two_copies_on_one_node()
    {
        using var store = new InMemoryReplicaCatalog(_time);
        var lib = new ReplicaLibrarian(store);
        _ = await lib.RegisterNodeAsync("a");
        _ = await lib.RegisterNodeAsync("b");
        UploadRequest Up(long id) => new() { FileId = id, Size = 1, Checksum = Sum, NeededReplicas = 2 };

        IReadOnlyList<UploadTicket> t = await lib.BeginUploadsAsync([Up(1), Up(1), Up(2), Up(1), Up(3) with { Size = 2 }, Up(3)]);

        Assert.Equal(
            [UploadOutcome.Allocated, UploadOutcome.Allocated, UploadOutcome.Allocated, UploadOutcome.NoNodeAvailable, UploadOutcome.Allocated, UploadOutcome.FileMismatch],
            t.Select(x => x.Outcome));
        Assert.Equal(["a", "b", "a"], t.Take(3).Select(x => x.Replica!.NodeId));
        Assert.Equal("b", t[4].Replica!.NodeId); // a has 2 rows by now, b 1
        Assert.Equal(4, (await lib.GetCensusAsync()).Count(ReplicaState.Creating));
        Assert.Equal(ReplicaCallOutcome.Applied, (await lib.RegisterAsync("b", t[1].Replica!.TransferId, 1, Sum)).Outcome);
        _ = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await lib.BeginUploadsAsync([Up(4) with { Size = -1 }]));
    }

    private static async Task AliveAsync(ReplicaLibrarian lib, long fileId, int needed, params string[] nodes)
    {
        foreach (string node in nodes)
        {
            UploadTicket t = await lib.BeginUploadAsync(new UploadRequest { FileId = fileId, Size = 1, Checksum = Sum, NeededReplicas = needed, PreferredNodeId = node });
            Assert.Equal(node, t.Replica!.NodeId);
            ReplicaCallResult r = await lib.RegisterAsync(node, t.Replica.TransferId, 1, Sum);
            Assert.Equal(ReplicaCallOutcome.Applied, r.Outcome);
        }
    }
}
