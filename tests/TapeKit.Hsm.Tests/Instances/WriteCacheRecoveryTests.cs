using TapeKit.Checksums;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using SmallFilesCache;
using TapeKit.Hsm.Tests.Samples;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Instances;

/// <summary>Ingests a crash interrupted between the CREATED row and its completion: resumed when whole, else rolled back for the re-send.</summary>
public sealed class WriteCacheRecoveryTests
{
    [Fact]
    public async Task A_whole_cache_file_is_completed_with_checksums_recomputed_and_a_partial_one_is_rolled_back_for_the_resend()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        byte[] whole = world.Content(1, 5000);
        FileRecord complete = await CreateAsync(world, "/in/whole", whole.Length);
        FileRecord partial = await CreateAsync(world, "/in/partial", 8000);
        await WriteAsync(world, complete, whole);
        await WriteAsync(world, partial, world.Content(2, 3000));
        DateTimeOffset restart = world.Time.GetUtcNow();
        world.Time.Advance(TimeSpan.FromSeconds(1));
        FileRecord later = await CreateAsync(world, "/in/later", 10); // Created after the restart: a write in progress, not ours to touch.

        WriteCacheRecoveryReport report = await WriteCacheRecovery.RecoverAsync(world.Catalog, f => Path.Combine(world.CacheRoot, f.CachePath), restart.AddTicks(1));

        Assert.Equal([complete.FileId], report.Completed);
        Assert.Equal([partial.FileId], report.RolledBack);
        FileRecord resumed = await world.FileAsync(complete.FileId);
        var hasher = new MemberHasher();
        hasher.AppendWhole(whole);
        Assert.Equal(CacheStatus.Cached, resumed.CacheStatus);
        Assert.True(HsmChecksums.Agree(resumed.Checksums, hasher.GetDigest()));
        Assert.False(File.Exists(Path.Combine(world.CacheRoot, partial.CachePath)));
        Assert.Equal((CacheStatus.Created, WriteCacheRecovery.WriteAborted), ((await world.FileAsync(partial.FileId)).CacheStatus, (await world.FileAsync(partial.FileId)).FailureReason));
        Assert.Equal((CacheStatus.Created, (string?)null), ((await world.FileAsync(later.FileId)).CacheStatus, (await world.FileAsync(later.FileId)).FailureReason));
        await world.PumpAsync(); // The resumed file's CacheWritten was queued with it: it joins a list like any other.
        Assert.NotNull(await world.Catalog.ReadAsync(txn => txn.FindLiveListOfFileAsync(complete.FileId, FileListKind.Archive)));

        // The client sends the rolled-back file again: the same row is opened, not a duplicate nor a collision.
        FileRecord again = await CreateAsync(world, "/in/partial", 8000);
        Assert.Equal(partial.FileId, again.FileId);
        await WriteAsync(world, again, world.Content(2, 8000));
        Assert.Equal(CacheStatus.Cached, (await WriteCacheCatalog.CompleteAsync(world.Catalog, again.FileId, 8000, Checksums(world.Content(2, 8000))))!.CacheStatus);
        WriteCacheRecoveryReport second = await WriteCacheRecovery.RecoverAsync(world.Catalog, f => Path.Combine(world.CacheRoot, f.CachePath), restart.AddTicks(1));
        Assert.Equal((0, 0), (second.Completed.Count, second.RolledBack.Count));
    }

    [Fact]
    public async Task A_row_whose_cache_directory_was_never_made_is_rolled_back()
    {
        await using TapeHsmWorld world = await TapeHsmWorld.CreateAsync();
        FileRecord unwritten = await CreateAsync(world, "/never/made/dirs/f", 100); // created, killed before its file's directories existed
        DateTimeOffset restart = world.Time.GetUtcNow().AddTicks(1);

        WriteCacheRecoveryReport report = await WriteCacheRecovery.RecoverAsync(world.Catalog, f => Path.Combine(world.CacheRoot, f.CachePath), restart);

        Assert.False(Directory.Exists(Path.Combine(world.CacheRoot, "never")));
        Assert.Equal([unwritten.FileId], report.RolledBack);
        Assert.Equal(WriteCacheRecovery.WriteAborted, (await world.FileAsync(unwritten.FileId)).FailureReason);
    }

    private static ValueTask<FileRecord> CreateAsync(TapeHsmWorld world, string externalId, long size) =>
        WriteCacheCatalog.CreateAsync(world.Catalog, world.Selector, new HsmFileAttributes { StorageGroup = "sg", Size = size }, externalId, externalId.TrimStart('/'), externalId);

    private static async Task WriteAsync(TapeHsmWorld world, FileRecord file, byte[] bytes)
    {
        string path = Path.Combine(world.CacheRoot, file.CachePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, bytes);
    }

    private static System.Collections.Immutable.ImmutableArray<Checksum> Checksums(byte[] bytes)
    {
        var hasher = new MemberHasher();
        hasher.AppendWhole(bytes);
        return HsmChecksums.From(hasher.GetDigest());
    }

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
