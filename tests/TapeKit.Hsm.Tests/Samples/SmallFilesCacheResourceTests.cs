using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// Resource exhaustion at the cache boundary (issue 13, point 4), in process: a write the disk refuses half-way leaves no
/// file and a rolled-back row, and the same file written again when space is back reopens that row; a full disk and an
/// exhausted descriptor table are told from other I/O errors. The real full areas (tmpfs) run in the campaign's tests.
/// </summary>
public sealed class SmallFilesCacheResourceTests
{
    [Fact]
    public async Task A_write_the_full_disk_refuses_half_way_leaves_no_file_rolls_its_row_back_and_succeeds_when_space_returns()
    {
        string root = Path.Combine(Path.GetTempPath(), "tapekit-full-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
            var attributes = new HsmFileAttributes { StorageGroup = "grp", Size = 3 * DiskMover.ChunkSize };
            var full = new IOException($"No space left on device : '{root}/cache/dl1/grp/f'", 28);
            IOException refused = await Assert.ThrowsAsync<IOException>(() => DiskMover.WriteAsync(site, attributes, "/grp/f",
                (offset, chunk) => { if (offset > 0) { throw full; } chunk.Span.Fill(7); }));

            Assert.Same(full, refused);
            Assert.False(File.Exists(Path.Combine(root, "cache", "dl1", "grp", "f")), "the partial cache file stayed");
            FileRecord? row = await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/grp/f"));
            Assert.NotNull(row);
            Assert.Equal((CacheStatus.Created, WriteCacheRecovery.WriteAborted), (row.CacheStatus, row.FailureReason));

            FileRecord written = await DiskMover.WriteAsync(site, attributes, "/grp/f", (_, chunk) => chunk.Span.Fill(7));

            Assert.Equal(row.FileId, written.FileId);
            Assert.Equal(CacheStatus.Cached, written.CacheStatus);
            Assert.Equal(3 * DiskMover.ChunkSize, new FileInfo(Path.Combine(root, "cache", "dl1", "grp", "f")).Length);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Ingests_a_full_catalogue_cut_after_their_rows_are_completed_or_rolled_back_and_their_inbox_files_then_go_in_once()
    {
        string root = Path.Combine(Path.GetTempPath(), "tapekit-cut-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
            string grp = Path.Combine(root, "inbox", "grp");
            Directory.CreateDirectory(grp);
            byte[] whole = [.. Enumerable.Range(0, 5000).Select(i => (byte)i)];
            byte[] cut = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];
            foreach ((string name, byte[] bytes) in new[] { ("whole.dat", whole), ("cut.dat", cut) })
            {
                File.WriteAllBytes(Path.Combine(grp, name), bytes);
                File.SetLastWriteTimeUtc(Path.Combine(grp, name), DateTime.UtcNow.AddHours(-1));
            }

            // What a full catalogue disk leaves when the batch's commit (C2) fails after its rows (C1): rows CREATED, one cache
            // copy whole (written and flushed before the commit), one not there (the write had not started).
            FileRecord[] rows = await WriteCacheCatalog.CreateManyAsync(site.Catalog, site.Selector,
            [
                new NewCacheFile(new HsmFileAttributes { StorageGroup = "grp", Size = whole.Length }, "/grp/whole.dat", "grp/whole.dat", "/grp/whole.dat"),
                new NewCacheFile(new HsmFileAttributes { StorageGroup = "grp", Size = cut.Length }, "/grp/cut.dat", "grp/cut.dat", "/grp/cut.dat"),
            ]);
            Directory.CreateDirectory(Path.Combine(root, "cache", "dl1", "grp"));
            File.WriteAllBytes(Path.Combine(root, "cache", "dl1", "grp", "whole.dat"), whole);

            // The daemon's first round once the disk has room again.
            WriteCacheRecoveryReport report = await site.RecoverIngestsAsync(site.Catalog.Time.GetUtcNow().AddMilliseconds(1));
            IReadOnlyList<InboxEntry> entries = await InboxIngest.RunAsync(site, Path.Combine(root, "inbox"), DateTimeOffset.UtcNow, NullLogger.Instance);

            Assert.Equal([rows[0].FileId], report.Completed);
            Assert.Equal([rows[1].FileId], report.RolledBack);
            Assert.Equal(
                [("cut.dat", InboxVerdict.Ingested), ("whole.dat", InboxVerdict.AlreadyIngested)],
                entries.Select(e => (Path.GetFileName(e.RelativePath), e.Verdict)).Order());
            Assert.Empty(Directory.EnumerateFileSystemEntries(grp));
            foreach ((FileRecord row, byte[] bytes) in new[] { (rows[0], whole), (rows[1], cut) })
            {
                FileRecord? now = await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync(row.ExternalId!));
                Assert.Equal((row.FileId, CacheStatus.Cached), (now!.FileId, now.CacheStatus)); // the same row, no second one
                Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(root, "cache", "dl1", row.CachePath)));
            }
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_full_disk_and_an_exhausted_descriptor_table_are_told_from_other_errors()
    {
        Assert.Equal("the cache area is full", DiskSpace.Exhausted(new IOException("No space left on device : '/x'", 28)));
        Assert.Equal("the cache area is full", DiskSpace.Exhausted(new IOException("Disk quota exceeded", 122)));
        Assert.Equal("the daemon has no file descriptor left", DiskSpace.Exhausted(new IOException("Too many open files : '/x'", 24)));
        Assert.Null(DiskSpace.Exhausted(new IOException("Input/output error", 5)));
        Assert.Null(DiskSpace.Exhausted(new UnauthorizedAccessException("No space left on device")));
    }
}
