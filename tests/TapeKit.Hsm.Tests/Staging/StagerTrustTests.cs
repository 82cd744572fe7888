using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Staging;

/// <summary>The stager publishes only inside its cache area, never through a link, and never readable by other users.</summary>
public sealed class StagerTrustTests
{
    private const UnixFileMode PermissionBits = (UnixFileMode)0xFFF;

    [Fact]
    public async Task Recalled_copies_and_the_directories_made_for_them_are_private_to_the_daemon()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        await using TapeHsmWorld world = await ArchivedWorldAsync(3);
        Directory.Delete(Path.Combine(world.CacheRoot, "data"), recursive: true); // the recall makes the directories again
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[1].FileId);

        StageReport report = await world.NewStager().RunOnceAsync();

        Assert.Equal(1, report.FilesStaged);
        Assert.True(world.CachedIntact(1));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(world.CacheRoot, "data/run000/f000001")) & PermissionBits);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(world.CacheRoot, "data/run000")) & PermissionBits);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(world.CacheRoot, "data")) & PermissionBits);
    }

    [Fact]
    public async Task A_catalogue_row_whose_cache_path_leaves_the_area_fails_its_recall_and_writes_nothing_outside()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(3);
        long id = world.Files[2].FileId;
        await using (ICatalogTransaction txn = await world.Catalog.BeginAsync())
        {
            FileRecord row = (await txn.GetFileAsync(id))!;
            _ = await txn.UpdateFileAsync(row with { CachePath = "../escaped/f000002" }); // written around WriteCacheCatalog's check
            await txn.CommitAsync();
        }

        _ = await RecallCatalog.RequestAsync(world.Catalog, id);
        StageReport report = await world.NewStager().RunOnceAsync();

        Assert.Equal((0, 1), (report.FilesStaged, report.FilesFailed));
        Assert.False(Directory.Exists(Path.Combine(world.Root, "escaped")));
        FileRecord after = await world.FileAsync(id);
        Assert.Equal(CacheStatus.Failed, after.CacheStatus);
        Assert.StartsWith("UnsafeCachePath", after.FailureReason, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(world.StageRoot));
    }

    [Fact]
    public async Task A_symbolic_link_planted_in_the_cache_area_is_not_followed_by_a_recall()
    {
        await using TapeHsmWorld world = await ArchivedWorldAsync(3);
        string outside = Path.Combine(world.Root, "outside");
        Directory.CreateDirectory(outside);
        Directory.Delete(Path.Combine(world.CacheRoot, "data"), recursive: true);
        Directory.CreateSymbolicLink(Path.Combine(world.CacheRoot, "data"), outside);
        _ = await RecallCatalog.RequestAsync(world.Catalog, world.Files[0].FileId);

        StageReport report = await world.NewStager().RunOnceAsync();

        Assert.Equal((0, 1), (report.FilesStaged, report.FilesFailed));
        Assert.Empty(Directory.EnumerateFileSystemEntries(outside));
    }

    private static async Task<TapeHsmWorld> ArchivedWorldAsync(int files)
    {
        TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        await world.IngestAsync(files);
        await world.FlushAsync();
        await world.ArchiveAllAsync();
        Assert.Equal(files, (await world.NewPurger().RunOnceAsync()).FilesPurged);
        _ = await world.Drives.DismountIdleAsync();
        return world;
    }
}
