using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Replicas;
using TapeKit.Hsm.Sqlite;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;
using static TapeKit.Hsm.Tests.Replicas.TransferPoint;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>
/// spec/hsm.md §7.3 case C, all 16 cells (and the C.3 cell with a target that never returns): Shepherd O sends a file to
/// Shepherd N and O, N, both or neither go down at (i) before the transfer, (ii) during, (iii) after the last byte but
/// before N's registration, (iv) never. The world: five nodes, a file needing 3 replicas alive on s1, s2, s3; s3 is lost
/// for good, so the planner sends a copy from O (s1) to N (s4); s2 is the other alive copy and s5 the spare target. A
/// node that goes down comes back 200 s later (after the transfer stalled, before the stall grace ends). Each cell
/// asserts the outcome code of the transfer and the invariants after every step: no replica alive without a whole,
/// verified copy; no partial data registered; no file without an alive copy; never two copies on one node; at most one
/// THIRDWHEEL per file; and at the end, 3 alive copies on online nodes and no transfer left in any node's list.
/// </summary>
public sealed class CheloniaCaseCTests(ITestOutputHelper output)
{
    public static TheoryData<TransferPoint, TransferPoint, bool, Outcome, string> Table => new()
    {
        { Before, Before, true, Outcome.Retry, "transfer never starts; N's row stalls and is deleted" },
        { Before, During, true, Outcome.Retry, "as (i,i)" },
        { Before, After, true, Outcome.Retry, "as (i,i)" },
        { Before, Never, true, Outcome.Retry, "N waits in vain; its row stalls and is deleted; O, back, finds it not started" },
        { During, Before, true, Outcome.Retry, "as (iv,i): O cannot reach N, reports failure, goes down" },
        { During, During, true, Outcome.Retry, "N discards its partial file on restart; O, back, reports the transfer" },
        { During, After, true, Outcome.Retry, "as (ii,ii)" },
        { During, Never, true, Outcome.Retry, "N sees a short stream, discards, reports failure" },
        { After, Before, true, Outcome.Retry, "as (iv,i)" },
        { After, During, true, Outcome.Retry, "as (iv,ii)" },
        { After, After, true, Outcome.Late, "C.3: N, back, registers the whole file" },
        { After, After, false, Outcome.Retry, "C.3 with N never back: the stalled row is deleted" },
        { After, Never, true, Outcome.Ok, "N registers; O, back, finds it alive and clears its entry" },
        { Never, Before, true, Outcome.Retry, "O cannot connect, reports failure at once" },
        { Never, During, true, Outcome.Retry, "C.1: O notices the broken connection, reports failure" },
        { Never, After, true, Outcome.Late, "C.2: O reports unconfirmed after RegistrationTimeout; N, back, registers" },
        { Never, Never, true, Outcome.Ok, "C.4: N registers, O sees it and wraps up" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public async Task Case_C_in_memory(TransferPoint o, TransferPoint n, bool nReturns, Outcome expected, string row)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var store = new InMemoryReplicaCatalog(time);
        await RunAsync(store, time, o, n, nReturns, expected, row);
    }

    /// <summary>The same cells on the SQLite store: the outcome does not depend on the provider.</summary>
    [Theory]
    [MemberData(nameof(Table))]
    public async Task Case_C_on_sqlite(TransferPoint o, TransferPoint n, bool nReturns, Outcome expected, string row)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        using var dir = new TempDirectory();
        await using SqliteHsmStore sqlite = await SqliteHsmStore.OpenAsync(new SqliteHsmOptions { Path = dir.File("c.db") }, time);
        await RunAsync(sqlite.Replicas, time, o, n, nReturns, expected, row);
    }

    private async Task RunAsync(IReplicaCatalog store, FakeTimeProvider time, TransferPoint o, TransferPoint n, bool nReturns, Outcome expected, string row)
    {
        var sim = new ChelSim(store, time);
        await sim.AddNodesAsync("s1", "s2", "s3", "s4", "s5");
        await sim.SeedFileAsync(1, 3, "s1", "s2", "s3");
        sim.Down("s3"); // lost for good: the re-replication that case C is about

        ChelSim.Job? designated = null;
        bool oDown = false, nDown = false;
        void FailO()
        {
            oDown = true;
            sim.Down(designated!.Source);
            sim.ReturnAfter(designated.Source, TimeSpan.FromSeconds(200));
        }

        void FailN()
        {
            nDown = true;
            sim.Down(designated!.Target);
            if (nReturns)
            {
                sim.ReturnAfter(designated.Target, TimeSpan.FromSeconds(200));
            }
        }

        sim.OnPoint = (j, p) =>
        {
            designated ??= j;
            if (j != designated)
            {
                return Task.CompletedTask;
            }

            if (p == o && !oDown)
            {
                FailO();
            }

            if (p == n && !nDown)
            {
                FailN();
            }

            // With O gone the transfer cannot reach N's phase: N fails now, the nearest possible combination.
            if (oDown && !nDown && n != Never)
            {
                FailN();
            }

            return Task.CompletedTask;
        };
        sim.OnJobEnded = j =>
        {
            // The transfer ended before a failure's phase came: the node fails now (as the nearest possible cell).
            if (j == designated)
            {
                if (o != Never && !oDown)
                {
                    FailO();
                }

                if (n != Never && !nDown)
                {
                    FailN();
                }
            }

            return Task.CompletedTask;
        };

        await sim.RunUntilAsync(() => Task.FromResult(designated is not null), 100, evenWithReturnsPending: true);
        await sim.RunUntilAsync(sim.QuiescentAsync);
        Assert.NotNull(designated);
        Assert.Equal(("s1", "s4"), (designated.Source, designated.Target));
        Outcome actual = await sim.OutcomeOfAsync(1, designated.TransferId);
        IReadOnlyList<ReplicaTransitionRecord> audit = await sim.AuditAsync(1);
        string trail = string.Join(" ", audit.Where(t => t.TransferId == designated.TransferId).Select(t => t.Rule));
        output.WriteLine($"O {o}, N {n}{(nReturns ? "" : " (N never back)")}: {actual} (expected {expected}: {row}); transfer {trail}; " +
            $"{sim.Steps} steps, {sim.Steps * sim.Step.TotalSeconds:0} s; all rules {string.Join(" ", audit.Select(t => t.Rule))}");
        Assert.Empty(sim.Violations);
        Assert.Equal(expected, actual);

        (_, IReadOnlyList<ReplicaRecord> rows, Dictionary<string, NodeRecord> nodes) = await sim.ReadAllAsync();
        Assert.Equal(3, rows.Count(r => r.State == ReplicaState.Alive && nodes[r.NodeId].IsOnline));
        Assert.All(sim.Nodes.Values.Where(x => x.Up), x => Assert.Empty(x.Jobs)); // O cleared its in-progress entry
        switch (expected)
        {
            case Outcome.Retry:
                // Re-planned with a new transfer id from an alive copy on an online node.
                Assert.Contains(audit, t => t.TransferId != designated.TransferId && t.Rule is "P2" or "P4");
                Assert.DoesNotContain(audit, t => t.TransferId == designated.TransferId && t.To == ReplicaState.Alive);
                break;
            case Outcome.Late:
                // A replacement was made while N was away: the surplus was retired, one copy.
                Assert.Equal(1, audit.Count(t => t.Rule == "P10"));
                Assert.Equal(1, audit.Count(t => t.Rule == "P11"));
                break;
            case Outcome.Ok:
                Assert.DoesNotContain(audit, t => t.Rule is "P3" or "P5");
                break;
        }
    }
}
