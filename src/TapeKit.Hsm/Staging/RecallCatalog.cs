using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Staging;

/// <summary>What became of a recall request.</summary>
public enum RecallRequestOutcome
{
    /// <summary>The file was purged; it is now <c>STAGING_REQUESTED</c> (C4) and queued for its tape.</summary>
    Queued,
    /// <summary>A recall of the file is already queued or running.</summary>
    AlreadyRequested,
    /// <summary>The file is in the cache: read it.</summary>
    Cached,
    /// <summary>The file cannot be recalled: unknown, deleted, not archived, or <c>FAILED</c>.</summary>
    Refused,
}

/// <summary>
/// The disk mover's side of recalls (docs/hsm/overview.md#recalls, C4): a cache miss turns a purged, archived file into a
/// durable recall request — the file row in <c>STAGING_REQUESTED</c>, queued at the time of the miss with its
/// policy's priority — which the <see cref="Stager"/> plans per tape.
/// </summary>
public static class RecallCatalog
{
    /// <summary>Records a cache miss of one file.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<RecallRequestOutcome> RequestAsync(ICatalog catalog, long fileId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        RecallRequestOutcome outcome = await RequestAsync(txn, fileId);
        if (outcome == RecallRequestOutcome.Queued)
        {
            await txn.CommitAsync(ct);
        }

        return outcome;
    }

    /// <summary>
    /// Records the cache misses of a recall list in one transaction, so that the recall planner sees the list whole:
    /// requests that trickle in one by one while a tape is being read make it plan the late ones as another pass over
    /// that tape (locating back to their blocks), where one pass in block order would have served all of them.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileIds">The files, in any order; a file named twice is <see cref="RecallRequestOutcome.AlreadyRequested"/> the second time.</param>
    /// <param name="ct">Cancels the call (nothing is requested then).</param>
    /// <returns>The outcome per file, in the order of <paramref name="fileIds"/>.</returns>
    public static async ValueTask<RecallRequestOutcome[]> RequestManyAsync(ICatalog catalog, IReadOnlyList<long> fileIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(fileIds);
        var outcomes = new RecallRequestOutcome[fileIds.Count];
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        for (int i = 0; i < fileIds.Count; i++)
        {
            ct.ThrowIfCancellationRequested();
            outcomes[i] = await RequestAsync(txn, fileIds[i]);
        }

        if (outcomes.Contains(RecallRequestOutcome.Queued))
        {
            await txn.CommitAsync(ct);
        }

        return outcomes;
    }

    private static async ValueTask<RecallRequestOutcome> RequestAsync(ICatalogTransaction txn, long fileId)
    {
        FileRecord? file = await txn.GetFileAsync(fileId);
        if (file is not { CacheStatus: CacheStatus.Purged, ArchiveStatus: ArchiveStatus.Archived, IsDeleted: false })
        {
            return OutcomeWithoutRequest(file);
        }

        _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.Purged, FileCacheEvent.CacheMissed, HsmActor.DiskMover,
            mutate: f => f with { LastAccessAt = txn.Now });
        return RecallRequestOutcome.Queued;
    }

    /// <summary>What a file that is not to be requested now is to a requester.</summary>
    private static RecallRequestOutcome OutcomeWithoutRequest(FileRecord? file) => file switch
    {
        null or { IsDeleted: true } => RecallRequestOutcome.Refused,
        { CacheStatus: CacheStatus.Cached or CacheStatus.PurgingRequested } => RecallRequestOutcome.Cached,
        // PURGING is waited for by the caller (C4).
        { CacheStatus: CacheStatus.StagingRequested or CacheStatus.Staging or CacheStatus.Staged or CacheStatus.Purging } => RecallRequestOutcome.AlreadyRequested,
        _ => RecallRequestOutcome.Refused, // FAILED, not archived, or otherwise not recallable.
    };

    /// <summary>
    /// An operator's retry of a failed recall (C19): a file whose recall failed (<c>FAILED</c>: no readable copy, every
    /// copy damaged, a cache path that could not be published) and that is archived is requested again, its failure
    /// reason cleared, once the operator has dealt with the cause. A file that failed before it was archived (C17) has
    /// nothing on tape to recall and is refused.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="reason">What the operator did, kept in the transition's audit row.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see cref="RecallRequestOutcome.Queued"/> when the recall is requested again; otherwise what the file is.</returns>
    public static async ValueTask<RecallRequestOutcome> RetryFailedAsync(ICatalog catalog, long fileId, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        FileRecord? file = await txn.GetFileAsync(fileId);
        if (file is null || !IsRetryable(file))
        {
            return OutcomeWithoutRequest(file); // Nothing failed to retry: say what the file is, request nothing.
        }

        _ = await txn.TryMoveCacheAsync(fileId, CacheStatus.Failed, FileCacheEvent.OperatorRetry, HsmActor.Operator, reason,
            f => f with { FailureReason = null, LastAccessAt = txn.Now });
        await txn.CommitAsync(ct);
        return RecallRequestOutcome.Queued;
    }

    /// <summary>
    /// Whether <see cref="RetryFailedAsync"/> requests <paramref name="file"/> again: its recall failed (<c>FAILED</c>),
    /// it is archived (there is a copy on tape to read) and not deleted.
    /// </summary>
    /// <param name="file">The file's row.</param>
    /// <returns><see langword="true"/> when an operator's retry applies.</returns>
    public static bool IsRetryable(FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file is { CacheStatus: CacheStatus.Failed, ArchiveStatus: ArchiveStatus.Archived, IsDeleted: false };
    }

    /// <summary>
    /// Cancels the recall of a file (C16): a request not yet claimed by a stage session goes back to <c>PURGED</c>;
    /// one already being read is left to finish (a stager skips nothing it has claimed). Requests are per file, so
    /// this cancels the file's recall for every requester.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>Whether a queued request was cancelled.</returns>
    public static async ValueTask<bool> CancelAsync(ICatalog catalog, long fileId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        if (await txn.TryMoveCacheAsync(fileId, CacheStatus.StagingRequested, FileCacheEvent.RecallCancelled, HsmActor.Dispatcher, "cancelled by the requester") is null)
        {
            return false;
        }

        await txn.CommitAsync(ct);
        return true;
    }
}
