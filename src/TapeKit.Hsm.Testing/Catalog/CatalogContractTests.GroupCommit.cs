using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Testing;

/// <summary>Ingest by group commit: many files created and acknowledged per transaction, all or nothing.</summary>
public abstract partial class CatalogContractTests
{
    /// <summary>Many files are created and completed in one transaction each.</summary>
    [SkippableFact]
    public async Task Many_files_are_created_and_completed_in_one_transaction_each()
    {
        var selector = new PolicySelector(ContractPolicies.Create());
        NewCacheFile[] batch = [.. Enumerable.Range(0, 50).Select(i =>
            new NewCacheFile(new HsmFileAttributes { StorageGroup = "sgA", Size = 10 + i }, $"/ns/g{i}", $"g/{i}", $"group-{i}"))];
        FileRecord[] created = await WriteCacheCatalog.CreateManyAsync(Catalog, selector, batch);
        Assert.Equal(50, created.Select(f => f.FileId).Distinct().Count());
        Assert.All(created, f => Assert.Equal(CacheStatus.Created, f.CacheStatus));

        FileRecord?[] done = await WriteCacheCatalog.CompleteManyAsync(Catalog,
            [.. created.Select(f => new CompletedCacheWrite(f.FileId, f.Size, [new Checksum("adler32", "00000001")]))]);
        Assert.All(done, f => Assert.Equal(CacheStatus.Cached, f!.CacheStatus));

        // A repeated acknowledgement changes nothing.
        FileRecord?[] again = await WriteCacheCatalog.CompleteManyAsync(Catalog, [new CompletedCacheWrite(created[0].FileId, created[0].Size, [new Checksum("adler32", "00000001")])]);
        Assert.Null(again[0]);
        string id = created[0].FileId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(["C1", "C2"], (await Catalog.ReadAsync(txn => txn.GetTransitionsAsync(CatalogTransitions.FileCacheEntity, id))).Select(t => t.Rule));
    }

    /// <summary>A batch with one bad file creates none.</summary>
    [SkippableFact]
    public async Task A_batch_with_one_bad_file_creates_none()
    {
        var selector = new PolicySelector(ContractPolicies.Create());
        _ = await NewFileAsync("taken");
        NewCacheFile[] batch =
        [
            new(new HsmFileAttributes { StorageGroup = "sgA", Size = 1 }, "/ns/x1", "x/1", "fresh-1"),
            new(new HsmFileAttributes { StorageGroup = "sgA", Size = 1 }, "/ns/x2", "x/2", "taken"),
        ];
        await Assert.ThrowsAsync<CatalogConstraintException>(async () => await WriteCacheCatalog.CreateManyAsync(Catalog, selector, batch));
        Assert.Null(await Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("fresh-1")));
    }
}
