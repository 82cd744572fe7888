using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// Readers' pins on cache copies: while a host reads a file from the cache it holds a pin, and a pinned copy is never
/// purged under it — the purge survey skips it, and a purge claim that finds it pinned cancels the purge (C11). Pin
/// and claim are conditional writes of the same row, so one of them always sees the other.
/// </summary>
public static class CachePins
{
    /// <summary>
    /// Pins a file's cache copy and records the access (LRU), or returns <see langword="null"/> when the cache holds no
    /// copy a reader may open (being written, being deleted, purged, deleted in the namespace).
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The pin; dispose it when the read is over.</returns>
    public static async ValueTask<CachePin?> PinAsync(ICatalog catalog, long fileId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        FileRecord? pinned = await catalog.RunAsync(async txn =>
        {
            if (await txn.GetFileAsync(fileId) is not { IsDeleted: false } f
                || f.CacheStatus is not (CacheStatus.Cached or CacheStatus.Staged or CacheStatus.PurgingRequested))
            {
                return null;
            }

            return await txn.UpdateFileAsync(f with { PinCount = f.PinCount + 1, LastAccessAt = txn.Now });
        }, ct);
        return pinned is null ? null : new CachePin(catalog, pinned);
    }
}

/// <summary>A reader's pin on one cache copy (<see cref="CachePins.PinAsync"/>); disposing it releases the pin.</summary>
public sealed class CachePin : IAsyncDisposable
{
    private readonly ICatalog _catalog;
    private int _released;

    internal CachePin(ICatalog catalog, FileRecord file)
    {
        _catalog = catalog;
        File = file;
    }

    /// <summary>The file as it was when pinned (its cache path names the copy to open).</summary>
    public FileRecord File { get; }

    /// <summary>Releases the pin (once; later calls do nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _released, 1) == 1)
        {
            return;
        }

        await _catalog.RunAsync(async txn =>
        {
            if (await txn.GetFileAsync(File.FileId) is { PinCount: > 0 } f)
            {
                _ = await txn.UpdateFileAsync(f with { PinCount = f.PinCount - 1 });
            }
        });
    }
}
