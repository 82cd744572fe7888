using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Staging;

/// <summary>The recalls a stage list has claimed and not yet published: <c>STAGING</c>, or <c>STAGED</c> when its worker stopped between C6 and C7.</summary>
internal static class ClaimedRecalls
{
    /// <summary>The statuses of a claimed, unpublished recall.</summary>
    public static IReadOnlyList<CacheStatus> Statuses { get; } = [CacheStatus.Staging, CacheStatus.Staged];

    /// <summary>Whether a file in <paramref name="status"/> is a claimed, unpublished recall.</summary>
    public static bool IsClaimed(CacheStatus status) => Statuses.Contains(status);

    /// <summary>
    /// C8: a claimed recall back to <c>STAGING_REQUESTED</c>. A <c>STAGED</c> file is re-queued like a <c>STAGING</c>
    /// one: its stage copy was verified by a worker that is gone, and a new attempt reads the
    /// member again rather than trust what is left in the stage area.
    /// </summary>
    /// <returns>The file as re-queued, or <see langword="null"/> when it was not claimed.</returns>
    public static async ValueTask<FileRecord?> RequeueAsync(ICatalogTransaction txn, long fileId, HsmActor actor, string reason) =>
        await txn.TryMoveCacheAsync(fileId, CacheStatus.Staging, FileCacheEvent.StageRequeued, actor, reason)
        ?? await txn.TryMoveCacheAsync(fileId, CacheStatus.Staged, FileCacheEvent.StageRequeued, actor, reason);

    /// <summary>
    /// C8 for every claimed recall (of <paramref name="diskLibrary"/>, or of all) that is in no live stage list: what a
    /// stopped in-process session left, or a stage list that ended without settling it. The caller knows that no
    /// session claims recalls without a list while this runs.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="diskLibrary">The disk library whose recalls are given back, or <see langword="null"/> for all.</param>
    /// <param name="actor">Who gives them back (the audit rows' actor).</param>
    /// <param name="reason">Why (the audit rows' reason).</param>
    /// <param name="ct">Cancels between pages.</param>
    /// <param name="requeued">Called with each file given back, as it was before (its cache path names where a stopped
    /// publish may have left a temporary copy); <see langword="null"/> for none.</param>
    /// <returns>The recalls given back.</returns>
    public static async ValueTask<int> RequeueUnlistedAsync(ICatalog catalog, string? diskLibrary, HsmActor actor, string reason, CancellationToken ct,
        Action<FileRecord>? requeued = null)
    {
        const int Page = 1000;
        int count = 0;
        foreach (CacheStatus status in Statuses)
        {
            for (long after = 0; ;)
            {
                await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
                IReadOnlyList<FileRecord> page = await txn.QueryFilesAsync(new FileQuery
                {
                    CacheStatus = status, DiskLibrary = diskLibrary, AfterFileId = after, Limit = Page,
                });
                if (page.Count == 0)
                {
                    break;
                }

                after = page[^1].FileId;
                IReadOnlyDictionary<long, Guid> listed = await txn.FindLiveListsOfFilesAsync([.. page.Select(f => f.FileId)], FileListKind.Stage);
                foreach (FileRecord file in page.Where(f => !listed.ContainsKey(f.FileId)))
                {
                    if (await RequeueAsync(txn, file.FileId, actor, reason) is not null)
                    {
                        count++;
                        requeued?.Invoke(file);
                    }
                }

                await txn.CommitAsync(ct);
            }
        }

        return count;
    }
}
