using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Replicas;
using TapeKit.Hsm.Testing;

namespace TapeKit.Hsm.Tests.Replicas;

/// <summary>A tape copy (an archived segment of the catalogue) is a replicated file's copy of last resort.</summary>
public sealed class TapeLastResortTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_file_whose_disk_replicas_are_all_lost_is_re_created_from_its_tape_copy()
    {
        using var catalog = new InMemoryCatalog(_time);
        var selector = new PolicySelector(ContractPolicies.Create());
        FileRecord archived = await NewFileAsync(catalog, selector, "a");
        FileRecord never = await NewFileAsync(catalog, selector, "b");
        FileRecord failed = await NewFileAsync(catalog, selector, "c");
        await catalog.RunAsync(async txn =>
        {
            await AddCopyAsync(txn, archived.FileId, AggregationState.OnTape, 1);
            await AddCopyAsync(txn, failed.FileId, AggregationState.Failed, 2);
        });
        var index = new CatalogTapeCopyIndex(catalog);
        Assert.Equal([archived.FileId], await index.FilesOnTapeAsync([archived.FileId, never.FileId, failed.FileId]));

        using var store = new InMemoryReplicaCatalog(_time);
        var sim = new ChelSim(store, _time, tape: index);
        sim.OnTape.Add(archived.FileId);
        await sim.AddNodesAsync("a", "b", "x", "y");
        foreach (FileRecord f in new[] { archived, never, failed })
        {
            await sim.SeedFileAsync(f.FileId, 2, "x", "y");
        }

        sim.Down("x");
        sim.Down("y");
        await sim.RunUntilOfflineAsync("y");
        await sim.RunUntilAsync(async () =>
        {
            (_, IReadOnlyList<ReplicaRecord> rows, Dictionary<string, NodeRecord> nodes) = await sim.ReadAllAsync();
            return rows.Count(r => r.FileId == archived.FileId && r.State == ReplicaState.Alive && nodes[r.NodeId].IsOnline) == 2;
        });

        Assert.Empty(sim.Violations);
        IReadOnlyList<ReplicaTransitionRecord> audit = await sim.AuditAsync(archived.FileId);
        Assert.Equal(2, audit.Count(t => t.Rule == "P1" && t.Reason!.StartsWith("re-create from tape", StringComparison.Ordinal)));
        Assert.Equal(["a", "b"], audit.Where(t => t.Rule == "P2").Select(t => t.NodeId).Order(StringComparer.Ordinal));
        PlanSummary plan = await sim.Librarian.PlanAsync();
        Assert.Equal([never.FileId, failed.FileId], plan.WaitingForNode); // their only copies are on offline nodes and not on tape
        Assert.Equal(0, plan.FromTape);
    }

    private static ValueTask<FileRecord> NewFileAsync(ICatalog catalog, PolicySelector selector, string name) =>
        WriteCacheCatalog.CreateAsync(catalog, selector, new HsmFileAttributes { StorageGroup = "sgA", Size = 100 }, $"/ns/{name}", $"a/{name}");

    private static async ValueTask AddCopyAsync(ICatalogTransaction txn, long fileId, AggregationState state, int fseq)
    {
        long id = await txn.AllocateAggregationIdAsync();
        await txn.InsertAggregationAsync(new AggregationRecord
        {
            AggregationId = id, ListId = Guid.NewGuid(), Attempt = 1, State = state, MemberCount = 1, ActiveMemberCount = 1, PayloadBytes = 100,
            TapeFile = new TapeFileLocator("V00001", fseq, 10 * fseq), CreatedAt = txn.Now,
        });
        await txn.AddAggregationMembersAsync([new AggregationMemberRecord(id, 0, fileId, 0, 1, 0, 1)]);
    }
}
