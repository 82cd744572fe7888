using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Purging;

/// <summary>
/// Frees cache space by the purge policy (docs/hsm/overview.md#purging): selects eligible copies — archived with every
/// required copy on a trusted tape, unpinned, old enough — least recently used first, in batches of
/// <see cref="PurgeOptions.PurgeListSize"/>, and moves each batch through C10 (selected), C12 (claimed), the delete,
/// and C13 (purged). Each move is its own transaction and the delete happens only between C12 and C13 (a batch's copies
/// are deleted side by side), so a crash leaves files <c>PURGING_REQUESTED</c> or <c>PURGING</c>, which the next run
/// claims and finishes (deleting is idempotent). <see cref="RunOnceAsync"/> is the in-process mode: where the dispatcher
/// plans purges as purge lists (<c>PurgePlanners</c>), <c>PURGING_REQUESTED</c> files belong to those lists and a host
/// does not run it.
/// </summary>
public sealed partial class Purger
{
    /// <summary>Copies deleted at the same time.</summary>
    private const int DeleteParallelism = 4;

    private readonly ICatalog _catalog;
    private readonly PurgePolicy _policy;
    private readonly PurgerOptions _options;
    private readonly HsmMetrics? _metrics;

    /// <summary>Creates a purger.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="policy">The purge policy.</param>
    /// <param name="options">The area.</param>
    /// <param name="metrics">Metrics, or <see langword="null"/>.</param>
    public Purger(ICatalog catalog, PurgePolicy policy, PurgerOptions options, HsmMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DiskLibrary, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.CacheRoot, nameof(options));
        _catalog = catalog;
        _policy = policy;
        _options = options;
        _metrics = metrics;
    }

    /// <summary>One purge run.</summary>
    /// <param name="force">Purge to the low watermark even below the high one (back-pressure, docs/hsm/overview.md#recalls).</param>
    /// <param name="ct">Cancels between batches.</param>
    public async ValueTask<PurgeReport> RunOnceAsync(bool force = false, CancellationToken ct = default)
    {
        int purged = 0;
        long freed = 0;
        int skipped = 0;

        // Finish what a crashed run left: selected and not yet claimed (PURGING_REQUESTED: claimed now, the pins re-checked,
        // or cached again when pinned, C11), or claimed and not yet purged (PURGING: C13 after an idempotent delete).
        IReadOnlyList<FileRecord> leftover = await QueryAsync(CacheStatus.PurgingRequested, ct);
        if (leftover.Count > 0)
        {
            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            _ = await ClaimMembersAsync(txn, [.. leftover.Select(f => f.FileId)]);
            await txn.CommitAsync(ct);
        }

        foreach (FileRecord f in await QueryAsync(CacheStatus.Purging, ct))
        {
            (int n, long b) = await DeleteAndRecordAsync([f.FileId], ct);
            purged += n;
            freed += b;
        }

        (AreaUsage usage, List<PurgeCandidate> candidates) = await SurveyAsync(force, ct);
        PurgePlan plan = _policy.Plan(usage, candidates, _catalog.Time.GetUtcNow(), force);
        foreach (IReadOnlyList<long> batch in plan.Batches)
        {
            ct.ThrowIfCancellationRequested();
            List<long> selected = await SelectAsync(batch, ct);
            List<long> claimed;
            await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
            {
                claimed = await ClaimMembersAsync(txn, selected);
                await txn.CommitAsync(ct);
            }

            skipped += batch.Count - claimed.Count;
            (int n, long b) = await DeleteAndRecordAsync(claimed, ct);
            purged += n;
            freed += b;
        }

        RecordMetrics(purged, freed);
        return new PurgeReport(plan.Reason, purged, freed, skipped);
    }

    private void RecordMetrics(int files, long bytes)
    {
        var tags = new TagList { { "disk_library", _options.DiskLibrary }, { "area", "cache" } };
        _metrics?.PurgeFiles.Add(files, tags);
        _metrics?.PurgeBytes.Add(bytes, tags);
    }

    private async ValueTask<(AreaUsage Usage, List<PurgeCandidate> Candidates)> SurveyAsync(bool force, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        // The area's usage is a maintained aggregate. Below the high watermark nothing is read; above it, only the files
        // a purge could take (CACHED and ARCHIVED), which the cache's own size bounds.
        long used = (await txn.GetAreaUsageAsync(_options.DiskLibrary)).Where(u => u.CacheStatus.HoldsCacheCopy()).Sum(u => u.Bytes);
        var usage = new AreaUsage(used, _options.CapacityBytes);
        var candidates = new List<PurgeCandidate>();
        if (_policy.NothingToPurge(usage, force))
        {
            return (usage, candidates);
        }

        var tapes = (await txn.QueryTapesAsync()).ToDictionary(t => t.Vsn, t => t.State, StringComparer.Ordinal);
        foreach (FileRecord f in await txn.QueryFilesAsync(new FileQuery
        {
            DiskLibrary = _options.DiskLibrary, CacheStatus = CacheStatus.Cached, ArchiveStatus = ArchiveStatus.Archived,
        }))
        {

            var trustedCopies = (await txn.GetCopiesOfFileAsync(f.FileId))
                .Where(c => c.Aggregation.State == AggregationState.OnTape && c.Aggregation.TapeFile is { } tf
                    && tapes.TryGetValue(tf.Vsn, out TapeState state) && state.IsTrustedForPurge())
                .Select(c => c.Aggregation.CopyNb).Distinct().Count();
            candidates.Add(new PurgeCandidate(f.FileId, f.Size, f.CacheStatus, f.ArchiveStatus, trustedCopies >= Math.Max(1, f.Decision.CopyCount),
                f.PinCount > 0, f.LastAccessAt ?? f.CreatedAt, f.Speculative));
        }

        return (usage, candidates);
    }

    private async ValueTask<List<long>> SelectAsync(IReadOnlyList<long> ids, CancellationToken ct)
    {
        // One read and one conditional update per batch, not per file: on a catalogue server each statement is a round trip.
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        List<FileRecord> rows = [.. (await txn.GetFilesAsync(ids)).OfType<FileRecord>()];
        IReadOnlyList<FileRecord?> moved = await txn.TryMoveCacheManyAsync(rows, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher);
        await txn.CommitAsync(ct);
        return [.. moved.OfType<FileRecord>().Select(f => f.FileId)];
    }

    /// <summary>
    /// C12 for the members of a purge batch, with its guard re-checked in the transaction: a copy pinned since its
    /// selection is cached again (C11). A member already <c>PURGING</c> (a re-sent list) is claimed as it is.
    /// </summary>
    private static async ValueTask<List<long>> ClaimMembersAsync(ICatalogTransaction txn, IReadOnlyList<long> ids)
    {
        IReadOnlyList<FileRecord?> rows = await txn.GetFilesAsync(ids);
        List<FileRecord> pinned = [.. rows.OfType<FileRecord>().Where(f => f is { CacheStatus: CacheStatus.PurgingRequested, PinCount: > 0 })];
        _ = await txn.TryMoveCacheManyAsync(pinned, CacheStatus.PurgingRequested, FileCacheEvent.PurgeCancelled, HsmActor.Migrator, "pinned");

        // The rows whose pins were checked, not a new read: a pin taken since is a conflict rather than purged over.
        List<FileRecord> free = [.. rows.OfType<FileRecord>().Where(f => f is { CacheStatus: CacheStatus.PurgingRequested, PinCount: <= 0 })];
        var claimed = new HashSet<long>((await txn.TryMoveCacheManyAsync(free, CacheStatus.PurgingRequested, FileCacheEvent.PurgeClaimed, HsmActor.Migrator))
            .OfType<FileRecord>().Select(f => f.FileId));
        claimed.UnionWith(rows.OfType<FileRecord>().Where(f => f.CacheStatus == CacheStatus.Purging).Select(f => f.FileId));
        return [.. ids.Where(claimed.Remove)];
    }

    private async ValueTask<(int Files, long Bytes)> DeleteAndRecordAsync(List<long> ids, CancellationToken ct)
    {
        if (ids.Count == 0)
        {
            return (0, 0);
        }

        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        int files = 0;
        long bytes = 0;
        var purgedIds = new List<long>();
        List<FileRecord> purging = [.. (await txn.GetFilesAsync(ids)).OfType<FileRecord>().Where(f => f.CacheStatus == CacheStatus.Purging)];

        // The copies are deleted side by side (each unlink waits on the file system, not on the others), then each
        // outcome is recorded in order; a crash in between leaves the rows PURGING, and the next run deletes again.
        string?[] errors = new string?[purging.Count];
        try
        {
            Parallel.For(0, purging.Count, new ParallelOptions { MaxDegreeOfParallelism = DeleteParallelism, CancellationToken = ct },
                i => errors[i] = DeleteCopy(purging[i].CachePath));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            // A bad cache path aborts the purge with its own error, as one delete after the other did.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }

        // Recorded on rows read again after the deletes (which took time), each batch with one update.
        var deleted = new List<long>(purging.Count);
        for (int i = 0; i < purging.Count; i++)
        {
            if (errors[i] is { } error)
            {
                // C14: the copy stays; it is cached again and the next run retries.
                _ = await txn.TryMoveCacheAsync(purging[i].FileId, CacheStatus.Purging, FileCacheEvent.PurgeAborted, HsmActor.Migrator, error);
            }
            else
            {
                deleted.Add(purging[i].FileId);
            }
        }

        List<FileRecord> current = [.. (await txn.GetFilesAsync(deleted)).OfType<FileRecord>()];
        foreach (FileRecord f in (await txn.TryMoveCacheManyAsync(current, CacheStatus.Purging, FileCacheEvent.CopyDeleted, HsmActor.Migrator)).OfType<FileRecord>())
        {
            purgedIds.Add(f.FileId);
            files++;
            bytes += f.Size;
        }

        if (_options.NotifyHost && purgedIds.Count > 0)
        {
            await HostNotifications.AddAsync(txn, HsmMessageTypes.CachePurged, new CachePurgedEvent(purgedIds, "cache", bytes), _catalog.Time, _options.DiskLibrary);
        }

        await txn.CommitAsync(ct);
        return (files, bytes);
    }

    /// <summary>
    /// Deletes a cached copy; <see langword="null"/> when it is gone (deleted now, or before: deleting is idempotent, and a
    /// missing directory under a present cache root is a missing file), else why it stays. A missing cache root is an
    /// unmounted area, never taken for deleted copies.
    /// </summary>
    private string? DeleteCopy(string cachePath)
    {
        try
        {
            File.Delete(Areas.CacheArea.Resolve(_options.CacheRoot, cachePath)); // a bad cache path aborts the purge (an IOException)
            return null;
        }
        catch (DirectoryNotFoundException) when (Directory.Exists(_options.CacheRoot))
        {
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    private async ValueTask<IReadOnlyList<FileRecord>> QueryAsync(CacheStatus status, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        return await txn.QueryFilesAsync(new FileQuery { DiskLibrary = _options.DiskLibrary, CacheStatus = status });
    }
}
