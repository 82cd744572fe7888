using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Tests.Catalog;

/// <summary>C1 refuses a cache path that could leave the disk library's area, before any row exists.</summary>
public sealed class WriteCacheCatalogPathTests
{
    [Theory]
    [InlineData("../escape")]
    [InlineData("grp/../../escape")]
    [InlineData("grp\\..\\..\\escape")]
    [InlineData("grp/a\nb")]
    [InlineData("grp/a\u0000b")]
    [InlineData("")]
    public async Task A_cache_path_that_breaks_the_name_rules_creates_no_row(string cachePath)
    {
        using var catalog = new InMemoryCatalog(TimeProvider.System);
        var selector = new PolicySelector(new PolicySet
        {
            Version = 1,
            Rules = [new PolicyRule { Name = "all", DiskLibrary = "dl1", TapePool = "p1" }],
        });
        var e = await Assert.ThrowsAsync<ArgumentException>(async () => await WriteCacheCatalog.CreateAsync(
            catalog, selector, new HsmFileAttributes { StorageGroup = "grp", Size = 1 }, "/x", cachePath, externalId: "/x"));
        Assert.Contains("cache path", e.Message, StringComparison.Ordinal);
        Assert.Null(await catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/x")));
    }
}
