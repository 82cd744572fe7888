using System.Diagnostics;
using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Postgres;
using TapeKit.Hsm.Replicas;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>
/// spec/hsm.md §7.4 and scenario S12's storm: a Shepherd holding 100 000 replicas goes offline and comes back. Liveness
/// costs O(1) writes (the node row, never a replica row); after the gap the node sends a digest, the Librarian compares
/// it (reads only) and answers with the differing buckets, and the node reports only the differences, at most
/// ⌈differences / 1 000⌉ reports, paced by the budget and applied set-wise. Writes are counted by a wrapper around the
/// store (<see cref="CountingReplicaCatalog"/>); the figures are printed.
/// </summary>
public sealed class ReportStormTests(ITestOutputHelper output)
{
    private const int Replicas = 100_000;
    private const int Corrupted = 2_345;
    private const int Lost = 57;

    [Theory]
    [InlineData("in-memory")]
    [InlineData("sqlite")]
    [InlineData("postgres")]
    public async Task A_node_with_100_000_replicas_goes_offline_and_comes_back(string provider)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        switch (provider)
        {
            case "sqlite":
                using (var dir = new TempDirectory())
                {
                    await using SqliteHsmStore sqlite = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = dir.File("storm.db") }, time);
                    await StormAsync(provider, sqlite.Replicas, time);
                }

                break;
            case "postgres":
                var database = new PostgresDatabase();
                await database.InitializeAsync();
                try
                {
                    await using PostgresCatalog postgres = await database.OpenCatalogAsync(time);
                    await StormAsync(provider, postgres.Replicas, time);
                }
                finally
                {
                    await database.DisposeAsync();
                }

                break;
            default:
                using (var memory = new InMemoryReplicaCatalog(time))
                {
                    await StormAsync(provider, memory, time);
                }

                break;
        }
    }

    private async Task StormAsync(string provider, IReplicaCatalog store, FakeTimeProvider time)
    {
        var counting = new CountingReplicaCatalog(store);
        var lib = new ReplicaLibrarian(counting, new ReplicaOptions { DefaultNeededReplicas = 1 });
        _ = await lib.RegisterNodeAsync("s");

        var watch = Stopwatch.StartNew();
        await SeedAsync(store, time);
        TimeSpan seeding = watch.Elapsed;

        // Going offline: the checker runs every CheckInterval; the node stops heartbeating and is away for ten minutes.
        _ = await lib.CheckAsync();
        var before = counting.Snapshot();
        int offline = 0;
        for (int i = 0; i < 120; i++)
        {
            time.Advance(lib.Options.CheckInterval);
            offline += (await lib.CheckAsync()).NodesOffline;
        }

        var away = Delta(counting.Snapshot(), before);
        Assert.Equal(1, offline);
        Assert.Equal((1L, 0L), (away.NodeWrites, away.ReplicaWrites)); // one node row; no replica row

        // Meanwhile the node's checksum scan found copies bad, and a disk lost some: the differences.
        var rng = new Random(12);
        int[] shuffled = [.. Enumerable.Range(1, Replicas)];
        rng.Shuffle(shuffled);
        var bad = shuffled.Take(Corrupted).Select(i => (long)i).ToHashSet();
        var gone = shuffled.Skip(Corrupted).Take(Lost).Select(i => (long)i).ToHashSet();
        List<ReplicaDigestEntry> mine = [.. Enumerable.Range(1, Replicas).Where(i => !gone.Contains(i)).Select(i => new ReplicaDigestEntry(i, bad.Contains(i)))];
        int differences = Corrupted + Lost;

        // Coming back: one heartbeat, one digest, then only the differences in paced batches.
        before = counting.Snapshot();
        watch.Restart();
        DateTimeOffset backAt = time.GetUtcNow();
        HeartbeatAck beat = await lib.HeartbeatAsync("s");
        Assert.True(beat.CameBack && beat.DigestWanted);
        var liveness = Delta(counting.Snapshot(), before);

        DigestComparison cmp = await lib.CompareDigestAsync("s", ReplicaDigest.Of(mine));
        IReadOnlyList<ReplicaReportEntry> entries = ReplicaDigest.Reconcile(mine, cmp.DifferingBuckets, cmp.LibrarianView);
        Assert.Equal(differences, entries.Count);
        TimeSpan digestTime = watch.Elapsed;

        IReadOnlyList<NodeReport> reports = ReplicaReporting.Batch("s", beat.AcknowledgedSequence, entries, lib.Options.MaxReportEntries);
        int batches = 0;
        var sentAt = new List<DateTimeOffset>();
        DateTimeOffset next = cmp.NextReportAfter;
        foreach (NodeReport report in reports)
        {
            if (time.GetUtcNow() < next)
            {
                time.SetUtcNow(next);
            }

            ReportAck ack = await lib.ReportAsync(report);
            Assert.Equal(ReportOutcome.Applied, ack.Outcome);
            Assert.All(ack.Results, r => Assert.Equal(ReplicaCallOutcome.Applied, r.Outcome));
            sentAt.Add(time.GetUtcNow());
            next = ack.NextReportAfter;
            batches++;
        }

        TimeSpan wall = watch.Elapsed;
        var back = Delta(counting.Snapshot(), before);
        int maxBatches = (differences + lib.Options.MaxReportEntries - 1) / lib.Options.MaxReportEntries;

        output.WriteLine($"provider {provider}: {Replicas:N0} replicas on one node (seeded in {seeding.TotalSeconds:0.0} s)");
        output.WriteLine($"offline for 10 min: {away.NodeWrites} node-row write, {away.ReplicaWrites} replica-row writes");
        output.WriteLine($"back: heartbeat {liveness.NodeWrites} node-row write; digest: {cmp.DifferingBuckets.Count} of {ReplicaDigest.BucketCount} buckets differ, " +
            $"{cmp.LibrarianView.Count:N0} entries of the Librarian's view returned (read only), in {digestTime.TotalMilliseconds:0} ms");
        output.WriteLine($"differences {differences:N0} → {batches} report batches (bound ⌈{differences}/{lib.Options.MaxReportEntries}⌉ = {maxBatches}), " +
            $"{back.ReplicaWriteCalls} set-wise replica writes of {back.ReplicaWrites:N0} rows, {back.NodeWrites} node-row writes in all " +
            $"(1 heartbeat, 1 digest flag, {batches} report sequences), {back.Commits} transactions; {wall.TotalMilliseconds:0} ms wall");
        output.WriteLine($"report times after the return (virtual): {string.Join(", ", sentAt.Select(t => $"{(t - backAt).TotalMilliseconds:0} ms"))}");
        output.WriteLine($"Chelonia's checker and 'send everything' would have written {2 * Replicas:N0} replica rows for the same gap.");

        Assert.Equal(1, liveness.NodeWrites); // O(1) liveness: the node row, once each way
        Assert.Equal(0, liveness.ReplicaWrites);
        Assert.True(batches <= maxBatches, $"{batches} batches > {maxBatches}");
        Assert.Equal(differences, back.ReplicaWrites);
        Assert.Equal(batches, back.ReplicaWriteCalls); // each batch applied set-wise: one batch write
        Assert.Equal(1 + 1 + batches, back.NodeWrites);

        await using IReplicaTransaction txn = await store.BeginAsync();
        Assert.Equal(Replicas, (await txn.CountReplicasByNodeAsync())["s"]);
        IReadOnlyList<ReplicaRecord> invalid = await txn.GetReplicasOfNodeAsync("s", long.MinValue, 10_000, ReplicaState.Invalid);
        Assert.Equal(bad.Concat(gone).Order(), invalid.Select(r => r.FileId));
    }

    private static async Task SeedAsync(IReplicaCatalog store, TimeProvider time)
    {
        DateTimeOffset now = time.GetUtcNow();
        var sum = new Checksum("adler32", "01020304");
        await using IReplicaTransaction txn = await store.BeginAsync();
        await txn.InsertFilesAsync([.. Enumerable.Range(1, Replicas).Select(i => new ReplicaFileRecord { FileId = i, NeededReplicas = 1, Size = 10, Checksum = sum, CreatedAt = now })]);
        await txn.InsertReplicasAsync([.. Enumerable.Range(1, Replicas).Select(i =>
        {
            Guid id = Guid.NewGuid();
            return new ReplicaRecord
            {
                FileId = i, NodeId = "s", ReferenceId = id.ToString("N"), State = ReplicaState.Alive, TransferId = id, Size = 10, Checksum = sum,
                CreatedAt = now, UpdatedAt = now,
            };
        })]);
        await txn.CommitAsync();
    }

    private static (long NodeWrites, long ReplicaWrites, long ReplicaWriteCalls, long AuditRows, long Commits) Delta(
        (long NodeWrites, long ReplicaWrites, long ReplicaWriteCalls, long AuditRows, long Commits) a,
        (long NodeWrites, long ReplicaWrites, long ReplicaWriteCalls, long AuditRows, long Commits) b) =>
        (a.NodeWrites - b.NodeWrites, a.ReplicaWrites - b.ReplicaWrites, a.ReplicaWriteCalls - b.ReplicaWriteCalls, a.AuditRows - b.AuditRows, a.Commits - b.Commits);
}
