using System.Buffers;
using System.Collections.Concurrent;
using TapeKit.Checksums;
using TapeKit.Hsm;
using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace SmallFilesCache;

/// <summary>
/// The disk mover of a cache server: writes clients' files into their disk library's write cache (C1), flushes them,
/// and records size and checksums with the <c>CacheWritten</c> event (C2). Files go in batches that share one durable
/// commit (group commit): one catalogue transaction creates the batch's rows, several writers copy the files side by
/// side and hand each, its write-back started, to flushers that wait for it to be durable (a writer never waits for the
/// disk), the directories naming them are synced, and one transaction completes every file that was flushed. A file
/// counts as ingested only once that commit is in: its bytes, its name and its row are then durable.
/// An aborted write leaves its row <c>CREATED</c> and no file (start-up recovery rolls it back).
/// </summary>
public static class DiskMover
{
    /// <summary>The size of one write (a multiple of 8, as the demo's payload wants).</summary>
    public const int ChunkSize = 1 << 20;

    /// <summary>Files written at the same time (processor work: the client's bytes, their checksums, the copy into the cache).</summary>
    public static int Writers { get; } = Math.Clamp(Environment.ProcessorCount * 2, 2, 8);

    /// <summary>Flushes waiting for the disk at the same time: together they share the file system's journal commits.</summary>
    public const int Flushers = 8;

    /// <summary>Files of a batch written but not yet flushed, at most (each holds a descriptor until its flush).</summary>
    public const int FlushWindow = 32;

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
    /// so the file is not ingested yet (progress only; called from the flushers' threads).</param>
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
        var created = new FileRecord?[files.Count];
        var written = new CompletedCacheWrite?[files.Count];
        var paths = new string?[files.Count];
        var unflushed = new FileStream?[files.Count];
        var checksums = new System.Collections.Immutable.ImmutableArray<Checksum>[files.Count];

        // Writers copy the files (processor work) and hand each, open and its write-back started, to the flushers, which
        // wait for it to be durable: a writer never waits for the disk, and the flushes in flight share the file system's
        // journal commits. The window bounds the files written but not flushed, and so the descriptors a batch holds.
        // The flushers start before the rows are created: a thread that cannot be started (a process out of resources) fails
        // the batch while no row exists, so its files stay where they were, not behind CREATED rows of their names.
        using var toFlush = new BlockingCollection<int>(FlushWindow);
        Task[] flushers = StartFlushers(toFlush, () => Task.Factory.StartNew(
            () => Flush(files, created, toFlush, unflushed, paths, checksums, written, results, flushed),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        try
        {
            try
            {
                (await CreateRowsAsync(site, files, results, ct)).CopyTo(created, 0);
                await Parallel.ForEachAsync(Enumerable.Range(0, files.Count).Where(i => created[i] is not null),
                    new ParallelOptions { MaxDegreeOfParallelism = Writers, CancellationToken = ct }, (i, token) =>
                    {
                        DiskMoverFile f = files[i];
                        DiskLibrary library = site.LibraryFor(f.Attributes);
                        string path = CacheArea.Resolve(library.CacheRoot, created[i]!.CachePath);
                        paths[i] = path;
                        try
                        {
                            checksums[i] = Write(site, library, path, f, out unflushed[i], token);
                        }
                        catch (Exception e) when (e is not OperationCanceledException)
                        {
                            // C3: an aborted write removes its row's file; its row is rolled back below.
                            DeleteLeftover(path);
                            results[i] = new DiskMoverResult(null, e);
                            return ValueTask.CompletedTask;
                        }

                        toFlush.Add(i, token);
                        return ValueTask.CompletedTask;
                    });
            }
            finally
            {
                await StopFlushersAsync(toFlush, flushers, unflushed);
            }

            ct.ThrowIfCancellationRequested(); // also when it came while the flushers finished: still before the commit
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

        // Group commit: every flushed file of the batch is acknowledged by one catalogue transaction, and only then — after
        // the names too are durable.
        int[] done = [.. Enumerable.Range(0, files.Count).Where(i => written[i] is not null)];
        // The names too: a file's own sync does not promise that its name survives a crash, and the catalogue must not call
        // a file cached that a crash could leave nameless. An error fails the batch before its commit (its rows stay
        // CREATED for the recovery between rounds).
        foreach (IGrouping<string, int> area in done.GroupBy(i => site.LibraryFor(files[i].Attributes).CacheRoot, StringComparer.Ordinal))
        {
            TapeKit.IO.DirectorySync.FlushAncestors(area.Key, area.Select(i => paths[i]!));
        }

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

    /// <summary>
    /// Copies one file into the write cache, checksummed as it passes, and starts its write-back; the file is left open
    /// for its flush (a flush through another descriptor would miss a write-back error that came before it was opened).
    /// </summary>
    private static System.Collections.Immutable.ImmutableArray<Checksum> Write(CacheSite site, DiskLibrary library, string path, DiskMoverFile f, out FileStream? written, CancellationToken ct)
    {
        // The daemon keeps read and write for itself; everything else is what the site allows and the source allowed.
        UnixFileMode mode = site.Options.FileMode & ((f.SourceMode ?? site.Options.FileMode) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var hasher = new MemberHasher();
        written = null;
        DeleteLeftover(path);
        FileStream output = CacheArea.CreateFile(library.CacheRoot, path, mode, site.Options.DirectoryMode);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            long size = f.Attributes.Size;
            for (long offset = 0; offset < size; offset += ChunkSize)
            {
                ct.ThrowIfCancellationRequested();
                Memory<byte> chunk = buffer.AsMemory(0, (int)Math.Min(ChunkSize, size - offset));
                f.Fill(offset, chunk);
                hasher.Append(chunk.Span);
                output.Write(chunk.Span);
            }

            _ = TapeKit.IO.FileWriteback.Start(output.SafeFileHandle, 0, size);
            written = output;
        }
        catch
        {
            output.Dispose();
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return HsmChecksums.From(hasher.GetDigest());
    }

    /// <summary>
    /// Starts the flushers. When one cannot be started (no thread left: the runtime reports it as an
    /// <see cref="OutOfMemoryException"/>), those already started are stopped and the error goes up.
    /// </summary>
    private static Task[] StartFlushers(BlockingCollection<int> toFlush, Func<Task> start)
    {
        var started = new List<Task>(Flushers);
        try
        {
            for (int k = 0; k < Flushers; k++)
            {
                started.Add(start());
            }

            return [.. started];
        }
        catch
        {
            toFlush.CompleteAdding();
            Task.WaitAll([.. started]);
            throw;
        }
    }

    /// <summary>Lets the flushers finish what was handed over, then closes what was written but never handed over.</summary>
    private static async Task StopFlushersAsync(BlockingCollection<int> toFlush, Task[] flushers, FileStream?[] unflushed)
    {
        toFlush.CompleteAdding();
        await Task.WhenAll(flushers);
        foreach (FileStream? file in unflushed)
        {
            file?.Dispose();
        }
    }

    /// <summary>
    /// A flusher: makes each file handed over durable (<c>fsync</c>) and closes it; a file whose flush fails is removed
    /// and fails alone, as a failed write does.
    /// </summary>
    private static void Flush(
        IReadOnlyList<DiskMoverFile> files, FileRecord?[] created, BlockingCollection<int> toFlush, FileStream?[] unflushed, string?[] paths,
        System.Collections.Immutable.ImmutableArray<Checksum>[] checksums, CompletedCacheWrite?[] written, DiskMoverResult[] results, Action<int>? flushed)
    {
        foreach (int i in toFlush.GetConsumingEnumerable())
        {
            FileStream file = unflushed[i]!;
            unflushed[i] = null;
            try
            {
                using (file)
                {
                    file.Flush(flushToDisk: true);
                }

                flushed?.Invoke(i);
                written[i] = new CompletedCacheWrite(created[i]!.FileId, files[i].Attributes.Size, checksums[i]); // last: only now is it committed
            }
            catch (Exception e)
            {
                // As a failed write (C3), the progress callback's failure included: the file is removed, so it must not be
                // committed. And a flusher must outlive any error, or the writers would wait on a full window for ever.
                DeleteLeftover(paths[i]!);
                results[i] = new DiskMoverResult(null, e);
            }
        }
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
