using System.Buffers;
using TapeKit.Checksums;
using TapeKit.Hsm;
using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace SmallFilesCache;

/// <summary>
/// The disk mover of a cache server: writes clients' files into their disk library's write cache (C1), flushes them,
/// and records size and checksums with the <c>CacheWritten</c> event (C2). Files go in batches that share one durable
/// commit (group commit): one catalogue transaction creates the batch's rows, several writers copy and flush the files
/// side by side (one file's flush waits while the next file is written), and one transaction completes every file
/// that was flushed. A file counts as ingested only once that commit is in: its bytes and its row are then durable.
/// An aborted write leaves its row <c>CREATED</c> and no file (start-up recovery rolls it back).
/// </summary>
public static class DiskMover
{
    /// <summary>The size of one write (a multiple of 8, as the demo's payload wants).</summary>
    public const int ChunkSize = 1 << 20;

    /// <summary>Files written and flushed at the same time: enough to keep the disk's queue full while one file's flush waits.</summary>
    public static int Writers { get; } = Math.Clamp(Environment.ProcessorCount * 2, 2, 8);

    /// <summary>Writes one file (a batch of one).</summary>
    /// <param name="site">The site.</param>
    /// <param name="attributes">The file's attributes (size included).</param>
    /// <param name="namespacePath">The file's path in the namespace (also its external id); its cache path is the same, relative.</param>
    /// <param name="fill">Produces the bytes at an offset (the client's data).</param>
    /// <param name="sourceMode">The client's file's permissions (see <see cref="DiskMoverFile.SourceMode"/>).</param>
    /// <param name="ct">Cancels the write.</param>
    /// <returns>The committed row.</returns>
    public static async Task<FileRecord> WriteAsync(
        CacheSite site, HsmFileAttributes attributes, string namespacePath, Action<long, Memory<byte>> fill, UnixFileMode? sourceMode = null,
        CancellationToken ct = default)
    {
        DiskMoverResult result = (await WriteManyAsync(site, [new DiskMoverFile(attributes, namespacePath, fill, sourceMode)], ct: ct))[0];
        return result.Record ?? throw result.Error!;
    }

    /// <summary>
    /// Writes a batch of files with one durable commit. A file that cannot be written (its source fails, its name is
    /// taken) fails alone, with its error in its result; cancellation aborts the whole batch before its commit (every
    /// cache copy of the batch is removed, nothing is acknowledged).
    /// </summary>
    /// <param name="site">The site.</param>
    /// <param name="files">The files, in the order their rows and <c>CacheWritten</c> events are made.</param>
    /// <param name="flushed">Called with a file's index once its bytes are flushed to disk — before the batch's commit,
    /// so the file is not ingested yet (progress only; called from the writers' threads).</param>
    /// <param name="ct">Cancels the batch.</param>
    /// <returns>What became of each file, in the order of <paramref name="files"/>.</returns>
    public static async Task<DiskMoverResult[]> WriteManyAsync(CacheSite site, IReadOnlyList<DiskMoverFile> files, Action<int>? flushed = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(files);
        foreach (DiskMoverFile f in files)
        {
            ArgumentNullException.ThrowIfNull(f);
            ArgumentNullException.ThrowIfNull(f.Attributes);
            ArgumentNullException.ThrowIfNull(f.Fill);
        }

        var results = new DiskMoverResult[files.Count];
        FileRecord?[] created = await CreateRowsAsync(site, files, results, ct);
        var written = new CompletedCacheWrite?[files.Count];
        var paths = new string?[files.Count];
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, files.Count).Where(i => created[i] is not null),
                new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, (i, token) =>
                {
                    DiskMoverFile f = files[i];
                    DiskLibrary library = site.LibraryFor(f.Attributes);
                    string path = CacheArea.Resolve(library.CacheRoot, created[i]!.CachePath);
                    paths[i] = path;
                    try
                    {
                        written[i] = new CompletedCacheWrite(created[i]!.FileId, f.Attributes.Size, WriteAndFlush(site, library, path, f, token));
                        flushed?.Invoke(i);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        // C3: an aborted write removes its row's file; its row is rolled back below.
                        DeleteLeftover(path);
                        results[i] = new DiskMoverResult(null, e);
                    }

                    return ValueTask.CompletedTask;
                });
        }
        catch (OperationCanceledException)
        {
            foreach (string? path in paths)
            {
                if (path is not null)
                {
                    File.Delete(path);
                }
            }

            throw;
        }

        // C3 for the files whose write failed (a full cache area, an I/O error): their rows are rolled back, so that the same
        // file sent again (the inbox retries a file the full cache area refused) reopens its row. Should a rollback fail
        // too, the row stays CREATED and the next start's recovery rolls it back.
        for (int i = 0; i < files.Count; i++)
        {
            if (created[i] is { } row && written[i] is null && results[i]?.Error is { } error)
            {
                try
                {
                    _ = await WriteCacheRecovery.RollBackAsync(site.Catalog, row.FileId, paths[i]!, $"{error.GetType().Name}: {error.Message}", CancellationToken.None);
                }
                catch (Exception rollback) when (rollback is not OutOfMemoryException)
                {
                    // The write's own error is the one to report.
                }
            }
        }

        // Group commit: every flushed file of the batch is acknowledged by one catalogue transaction, and only then.
        int[] done = [.. Enumerable.Range(0, files.Count).Where(i => written[i] is not null)];
        FileRecord?[] rows = done.Length == 0 ? [] : await WriteCacheCatalog.CompleteManyAsync(site.Catalog, [.. done.Select(i => written[i]!)], ct);
        for (int k = 0; k < done.Length; k++)
        {
            int i = done[k];
            results[i] = rows[k] is { } row
                ? new DiskMoverResult(row, null)
                : new DiskMoverResult(null, new InvalidOperationException($"File {written[i]!.FileId} was not CREATED when its write finished."));
        }

        return results;
    }

    /// <summary>
    /// C1 for the batch in one transaction. When one name cannot be created (already in the namespace), none is: the
    /// rows are then created one by one, so that only that file fails. A store that fails (its disk full, locked, an I/O
    /// error: <see cref="CatalogStoreException"/>) is no file's fault: the whole batch fails with it, and no file of it is
    /// refused.
    /// </summary>
    private static async Task<FileRecord?[]> CreateRowsAsync(CacheSite site, IReadOnlyList<DiskMoverFile> files, DiskMoverResult[] results, CancellationToken ct)
    {
        NewCacheFile Row(DiskMoverFile f) => new(f.Attributes, f.NamespacePath, f.NamespacePath.TrimStart('/'), ExternalId: f.NamespacePath);
        try
        {
            return await WriteCacheCatalog.CreateManyAsync(site.Catalog, site.Selector, [.. files.Select(Row)], ct);
        }
        catch (Exception e) when (files.Count > 1 && e is HsmException and not CatalogStoreException or ArgumentException)
        {
            var rows = new FileRecord?[files.Count];
            for (int i = 0; i < files.Count; i++)
            {
                try
                {
                    rows[i] = (await WriteCacheCatalog.CreateManyAsync(site.Catalog, site.Selector, [Row(files[i])], ct))[0];
                }
                catch (Exception one) when (one is HsmException and not CatalogStoreException or ArgumentException)
                {
                    results[i] = new DiskMoverResult(null, one);
                }
            }

            return rows;
        }
    }

    /// <summary>Copies one file into the write cache, checksummed as it passes, and flushes it to disk.</summary>
    private static System.Collections.Immutable.ImmutableArray<Checksum> WriteAndFlush(CacheSite site, DiskLibrary library, string path, DiskMoverFile f, CancellationToken ct)
    {
        // The daemon keeps read and write for itself; everything else is what the site allows and the source allowed.
        UnixFileMode mode = site.Options.FileMode & ((f.SourceMode ?? site.Options.FileMode) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var hasher = new MemberHasher();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            DeleteLeftover(path);
            using FileStream output = CacheArea.CreateFile(library.CacheRoot, path, mode, site.Options.DirectoryMode);
            long size = f.Attributes.Size;
            for (long offset = 0; offset < size; offset += ChunkSize)
            {
                ct.ThrowIfCancellationRequested();
                Memory<byte> chunk = buffer.AsMemory(0, (int)Math.Min(ChunkSize, size - offset));
                f.Fill(offset, chunk);
                hasher.Append(chunk.Span);
                output.Write(chunk.Span);
            }

            output.Flush(flushToDisk: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return HsmChecksums.From(hasher.GetDigest());
    }

    /// <summary>Removes what an interrupted earlier write left at the path (the entry itself, never a link's target).</summary>
    private static void DeleteLeftover(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // Nothing there yet: the directories are made with the file.
        }
    }
}
