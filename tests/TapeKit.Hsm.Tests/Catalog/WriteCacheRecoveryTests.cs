using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Samples;

namespace TapeKit.Hsm.Tests.Catalog;

/// <summary>Start-up recovery of interrupted cache writes (C3).</summary>
public sealed class WriteCacheRecoveryTests
{
    [Fact]
    public async Task A_write_killed_before_it_made_its_directory_is_rolled_back_at_the_next_start()
    {
        // Found by the fault campaign: a SIGKILL between the CREATED row and the file's directory made every later start
        // stop on DirectoryNotFoundException.
        string root = Path.Combine(Path.GetTempPath(), "tapekit-c3-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
            var attributes = new HsmFileAttributes { StorageGroup = "grp", Size = 10 };
            FileRecord created = await WriteCacheCatalog.CreateAsync(site.Catalog, site.Selector, attributes, "/grp/never/made/f", "grp/never/made/f", externalId: "/grp/never/made/f");
            string missing = Path.Combine(root, "cache", "dl1", "grp", "never", "made", "f");
            Assert.False(Directory.Exists(Path.GetDirectoryName(missing)));

            WriteCacheRecoveryReport report = await WriteCacheRecovery.RecoverAsync(site.Catalog, _ => missing, DateTimeOffset.MaxValue);

            Assert.Equal([created.FileId], report.RolledBack);
            FileRecord? row = await site.Catalog.ReadAsync(txn => txn.GetFileAsync(created.FileId));
            Assert.Equal(WriteCacheRecovery.WriteAborted, row?.FailureReason);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
