using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>A site's file rows, as the tests of a whole SmallFilesCache site read them.</summary>
internal static class SiteFiles
{
    /// <summary>The row of <paramref name="fileId"/>; a test fails when it is gone.</summary>
    public static async Task<FileRecord> GetAsync(CacheSite site, long fileId)
    {
        await using ICatalogTransaction txn = await site.Catalog.BeginAsync();
        return await txn.GetFileAsync(fileId) ?? throw new InvalidOperationException($"file {fileId} is gone");
    }
}
