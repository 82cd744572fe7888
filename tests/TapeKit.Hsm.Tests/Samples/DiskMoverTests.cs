using System.Collections.Concurrent;
using SmallFilesCache;
using TapeKit.Checksums;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// The disk mover's batch: writers copy the files and hand them, open, to flushers that make them durable. A batch of
/// several flush windows commits every file it could write (and only those, once each, with the checksums of its
/// bytes), holds no more files open than its writers, window and flushers allow, and leaves none open or behind when
/// it ends or is cancelled.
/// </summary>
public sealed class DiskMoverTests
{
    private static readonly int MostOpen = DiskMover.Writers + DiskMover.FlushWindow + DiskMover.Flushers;

    [Fact]
    public async Task A_batch_of_several_flush_windows_commits_each_file_it_wrote_once_fails_the_others_alone_and_bounds_its_open_files()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
        string cache = Path.Combine(root, "cache");
        int count = (3 * DiskMover.FlushWindow) + 7;
        var failing = new HashSet<int> { 1, DiskMover.FlushWindow + 1, count - 2 }; // none of them empty
        int mostOpen = 0, started = 0;
        int filled = Enumerable.Range(0, count).Count(i => SizeOf(i) > 0); // an empty file is never filled
        long lastStart = Environment.TickCount64;
        var flushed = new ConcurrentBag<int>();
        var gate = new object();
        bool held = false;
        DiskMoverFile[] files = [.. Enumerable.Range(0, count).Select(i => new DiskMoverFile(
            new HsmFileAttributes { StorageGroup = "grp", Size = SizeOf(i) },
            $"/grp/f{i:D3}.dat",
            (offset, chunk) =>
            {
                if (offset == 0)
                {
                    Interlocked.Increment(ref started);
                    Volatile.Write(ref lastStart, Environment.TickCount64);
                }

                InterlockedMax(ref mostOpen, OpenFilesBelow(cache));
                if (failing.Contains(i))
                {
                    throw new IOException($"source {i} failed");
                }

                Fill(i, offset, chunk.Span);
            }))];

        // The first progress callback holds every flusher back until the writers have started every file or have stopped
        // starting new ones (at the window's edge); the files open then are what the window lets them hold.
        DiskMoverResult[] results = await DiskMover.WriteManyAsync(site, files, i =>
        {
            flushed.Add(i);
            lock (gate)
            {
                while (!held && Volatile.Read(ref started) < filled && Environment.TickCount64 - Volatile.Read(ref lastStart) < 500)
                {
                    Thread.Sleep(10);
                }

                if (!held)
                {
                    InterlockedMax(ref mostOpen, OpenFilesBelow(cache));
                    held = true;
                }
            }
        });

        Assert.InRange(mostOpen, DiskMover.FlushWindow, MostOpen); // the window was filled, and not overrun
        Assert.Equal(0, OpenFilesBelow(cache));
        Assert.Equal(Enumerable.Range(0, count).Where(i => !failing.Contains(i)), flushed.Order());
        for (int i = 0; i < count; i++)
        {
            string path = Path.Combine(cache, "dl1", "grp", $"f{i:D3}.dat");
            if (failing.Contains(i))
            {
                Assert.Equal($"source {i} failed", Assert.IsType<IOException>(results[i].Error).Message);
                Assert.False(File.Exists(path), $"file {i}: the failed write left its cache file");
                FileRecord? row = await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync($"/grp/f{i:D3}.dat"));
                Assert.Equal(CacheStatus.Created, row?.CacheStatus);
                continue;
            }

            byte[] expected = new byte[SizeOf(i)];
            Fill(i, 0, expected);
            FileRecord record = Assert.IsType<FileRecord>(results[i].Record);
            Assert.Equal(CacheStatus.Cached, record.CacheStatus);
            Assert.Equal([.. HsmChecksums.From(MemberDigest.Compute(expected))], record.Checksums.ToArray());
            byte[] copy = await File.ReadAllBytesAsync(path);
            Assert.True(expected.AsSpan().SequenceEqual(copy), $"file {i}: the cache copy differs");
        }
    }

    [Fact]
    public async Task A_batch_cancelled_half_way_leaves_no_cache_file_and_no_file_open_and_acknowledges_nothing()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
        string cache = Path.Combine(root, "cache");
        using var cancel = new CancellationTokenSource();
        int started = 0;
        DiskMoverFile[] files = [.. Enumerable.Range(0, 4 * DiskMover.FlushWindow).Select(i => new DiskMoverFile(
            new HsmFileAttributes { StorageGroup = "grp", Size = SizeOf(i) },
            $"/grp/c{i:D3}.dat",
            (offset, chunk) =>
            {
                if (offset == 0 && Interlocked.Increment(ref started) == (2 * DiskMover.FlushWindow) + 1)
                {
                    cancel.Cancel();
                }

                Fill(i, offset, chunk.Span);
            }))];

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DiskMover.WriteManyAsync(site, files, ct: cancel.Token));

        Assert.Equal(0, OpenFilesBelow(cache));
        Assert.Empty(Directory.EnumerateFiles(cache, "*", SearchOption.AllDirectories));
        IReadOnlyList<FileRecord> cached = await site.Catalog.ReadAsync(txn => txn.QueryFilesAsync(new FileQuery { CacheStatus = CacheStatus.Cached }));
        Assert.Empty(cached);
    }

    [Fact]
    public async Task A_batch_cancelled_after_its_last_flush_still_commits_nothing_and_leaves_no_cache_file()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
        using var cancel = new CancellationTokenSource();
        int count = 12, flushed = 0;
        DiskMoverFile[] files = [.. Enumerable.Range(1, count).Select(i => new DiskMoverFile(
            new HsmFileAttributes { StorageGroup = "grp", Size = SizeOf(i) }, $"/grp/l{i}.dat", (offset, chunk) => Fill(i, offset, chunk.Span)))];

        // Every writer is done by the last flush: the cancellation can only be seen between the flushes and the commit.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DiskMover.WriteManyAsync(site, files, _ =>
        {
            if (Interlocked.Increment(ref flushed) == count)
            {
                cancel.Cancel();
            }
        }, cancel.Token));

        Assert.Equal(count, flushed);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(root, "cache"), "*", SearchOption.AllDirectories));
        Assert.Empty(await site.Catalog.ReadAsync(txn => txn.QueryFilesAsync(new FileQuery { CacheStatus = CacheStatus.Cached })));
    }

    [Fact]
    public async Task A_file_whose_progress_callback_fails_is_removed_and_not_committed_and_the_rest_are()
    {
        using var dir = new TempDirectory();
        string root = Path.Combine(dir.Path, "site");
        await using CacheSite site = await SmallFilesCacheTrustTests.OpenSiteAsync(root);
        DiskMoverFile[] files = [.. Enumerable.Range(1, 5).Select(i => new DiskMoverFile(
            new HsmFileAttributes { StorageGroup = "grp", Size = SizeOf(i) }, $"/grp/p{i}.dat", (offset, chunk) => Fill(i, offset, chunk.Span)))];
        var refused = new InvalidOperationException("progress refused");

        DiskMoverResult[] results = await DiskMover.WriteManyAsync(site, files, i =>
        {
            if (i == 2)
            {
                throw refused;
            }
        });

        Assert.Same(refused, results[2].Error);
        Assert.False(File.Exists(Path.Combine(root, "cache", "dl1", "grp", "p3.dat")), "the file whose callback failed stayed");
        Assert.Equal(CacheStatus.Created, (await site.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync("/grp/p3.dat")))?.CacheStatus);
        foreach (int i in (int[])[0, 1, 3, 4])
        {
            Assert.Equal(CacheStatus.Cached, results[i].Record?.CacheStatus);
        }
    }

    /// <summary>Sizes from empty to a few chunks, so that some files take several writes.</summary>
    private static long SizeOf(int i) => i % 5 == 4 ? (2 * DiskMover.ChunkSize) + 24 : (i * 1000L) % 70000;

    private static void Fill(int file, long offset, Span<byte> chunk)
    {
        for (int k = 0; k < chunk.Length; k++)
        {
            chunk[k] = (byte)((offset + k) * 31 + file);
        }
    }

    /// <summary>The descriptors of this process open on files below <paramref name="directory"/>.</summary>
    private static int OpenFilesBelow(string directory)
    {
        int open = 0;
        foreach (string fd in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(directory + "/", StringComparison.Ordinal))
                {
                    open++;
                }
            }
            catch (IOException)
            {
                // Closed while listed.
            }
        }

        return open;
    }

    private static void InterlockedMax(ref int location, int value)
    {
        int seen;
        while (value > (seen = Volatile.Read(ref location)) && Interlocked.CompareExchange(ref location, value, seen) != seen)
        {
        }
    }
}
