using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The README's main job, small: every file archived, every recalled byte verified, one mount per tape.</summary>
public sealed class SmallFilesCacheDemoTests
{
    [Theory]
    [InlineData(777, 60, 2)] // Not a multiple of the ingest pump interval: files whose events are still queued at the flush.
    [InlineData(2400, 200, 4)] // Two lists (of at most 1000) per disk library, both written in one session per tape.
    public async Task The_demo_archives_every_file_and_recalls_with_one_mount_per_tape(int files, int recalls, int aggregations)
    {
        DemoReport report = await Demo.RunAsync(new DemoArguments(files, recalls, Seed: 7), NullLoggerFactory.Instance, progress: false, CancellationToken.None);

        Assert.Equal(files, report.FilesIngested);
        Assert.Equal(files, report.FilesArchived);
        Assert.Equal((recalls, recalls, recalls, 0), (report.FilesRequested, report.FilesRecalled, report.FilesVerified, report.FilesLost));
        Assert.Equal((2, 2, 2), (report.TapesUsed, report.ArchiveMounts, report.RecallMounts));
        Assert.Equal(recalls / 2.0, report.FilesPerMount);
        Assert.Equal(aggregations, report.Aggregations);
        Assert.InRange(report.DriveEfficiency, 0.01, 1);
    }

    /// <summary>The same job with each disk library on its own drive (no drive scheduler, <c>--own-drives</c>): the same outcome and mounts.</summary>
    [Fact]
    public async Task The_demo_with_each_disk_library_on_its_own_drive_gives_the_same_outcome()
    {
        DemoReport report = await Demo.RunAsync(new DemoArguments(777, 60, Seed: 7) { ScheduleDrives = false }, NullLoggerFactory.Instance, progress: false, CancellationToken.None);

        Assert.False(report.ScheduleDrives);

        Assert.Equal((777, 777), (report.FilesIngested, report.FilesArchived));
        Assert.Equal((60, 60, 60, 0), (report.FilesRequested, report.FilesRecalled, report.FilesVerified, report.FilesLost));
        Assert.Equal((2, 2, 2), (report.TapesUsed, report.ArchiveMounts, report.RecallMounts));
    }
    /// <summary>
    /// Set-up labels the tapes and puts them back in their slots: with shared drives the scheduler picks the drive that
    /// labels a tape, and a tape left in it would make the first session's mount depend on that choice.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Setting_up_the_site_labels_the_tapes_and_leaves_every_drive_empty(bool scheduleDrives)
    {
        using var root = new TempDirectory();
        SiteOptions options = Demo.DemoSite(System.IO.Path.Combine(root.Path, "site"));
        options.ScheduleDrives = scheduleDrives;
        await using CacheSite site = await CacheSite.OpenAsync(options, TimeProvider.System, NullLoggerFactory.Instance);

        var inventory = site.TapeLibrary.Inventory();
        Assert.Equal(4, inventory.Cartridges.Count);
        Assert.All(inventory.Drives, d => Assert.Null(d.Vsn));
        await using TapeKit.Hsm.Catalog.ICatalogTransaction txn = await site.Catalog.BeginAsync();
        Assert.All(await txn.QueryTapesAsync(), t => Assert.Equal(0, t.MountCount)); // Labelling is not a robot mount of a catalogued tape.
    }
}
