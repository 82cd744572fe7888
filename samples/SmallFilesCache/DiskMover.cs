using TapeKit.Checksums;
using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace SmallFilesCache;

/// <summary>
/// The disk mover of a cache server: writes a client's file into its disk library's write cache (C1), flushes it,
/// and records size and checksums with the <c>CacheWritten</c> event (C2). An aborted write leaves no row and no file.
/// </summary>
public static class DiskMover
{
    /// <summary>Writes one file.</summary>
    /// <param name="site">The site.</param>
    /// <param name="attributes">The file's attributes (size included).</param>
    /// <param name="namespacePath">The file's path in the namespace (also its external id); its cache path is the same, relative.</param>
    /// <param name="fill">Produces the bytes at an offset (the client's data).</param>
    /// <param name="buffer">A scratch buffer (its length is the write size, a multiple of 8).</param>
    /// <param name="sourceMode">The client's file's permissions: the cache copy never gets more than these (nor more than
    /// the site's <see cref="SiteOptions.FileMode"/>); <see langword="null"/>: the site's mode.</param>
    /// <param name="ct">Cancels the write.</param>
    public static async Task<FileRecord> WriteAsync(
        CacheSite site, HsmFileAttributes attributes, string namespacePath, Action<long, Memory<byte>> fill, byte[] buffer, UnixFileMode? sourceMode = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentNullException.ThrowIfNull(buffer);
        string cachePath = namespacePath.TrimStart('/');
        DiskLibrary library = site.LibraryFor(attributes);
        FileRecord created = await WriteCacheCatalog.CreateAsync(site.Catalog, site.Selector, attributes, namespacePath, cachePath, externalId: namespacePath, ct: ct);
        string path = CacheArea.Resolve(library.CacheRoot, cachePath);
        // The daemon keeps read and write for itself; everything else is what the site allows and the source allowed.
        UnixFileMode mode = site.Options.FileMode & ((sourceMode ?? site.Options.FileMode) | UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var hasher = new MemberHasher();
        try
        {
            DeleteLeftover(path);
            await using (FileStream output = CacheArea.CreateFile(library.CacheRoot, path, mode, site.Options.DirectoryMode, FileOptions.Asynchronous))
            {
                for (long offset = 0; offset < attributes.Size; offset += buffer.Length)
                {
                    Memory<byte> chunk = buffer.AsMemory(0, (int)Math.Min(buffer.Length, attributes.Size - offset));
                    fill(offset, chunk);
                    hasher.Append(chunk.Span);
                    await output.WriteAsync(chunk, ct);
                }

                output.Flush(flushToDisk: true);
            }
        }
        catch (Exception e)
        {
            // C3: an aborted write removes its row's file and rolls its row back, so that the same file sent again (the
            // inbox retries a file the full cache area refused) reopens the row. Should the rollback fail too, the row stays
            // CREATED and the next start's recovery rolls it back.
            DeleteLeftover(path);
            try
            {
                _ = await WriteCacheRecovery.RollBackAsync(site.Catalog, created.FileId, path, $"{e.GetType().Name}: {e.Message}", CancellationToken.None);
            }
            catch (Exception rollback) when (rollback is not OutOfMemoryException)
            {
                // The original error is the one to report.
            }

            throw;
        }

        return await WriteCacheCatalog.CompleteAsync(site.Catalog, created.FileId, attributes.Size, HsmChecksums.From(hasher.GetDigest()), ct)
            ?? throw new InvalidOperationException($"File {created.FileId} was not CREATED when its write finished.");
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
