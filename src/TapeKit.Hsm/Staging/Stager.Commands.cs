using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Staging;

public sealed partial class Stager
{
    /// <summary>
    /// Carries out a <c>Stage</c> command of the dispatcher (docs/hsm/overview.md#messages): claims the stage list (L4) and its
    /// members (C5) with <c>Confirmation</c>, reads them from the command's tape in the planner's order, verifies and
    /// publishes them, and completes the list (L6) with the <c>Staged</c> reply — files not published are back in
    /// <c>STAGING_REQUESTED</c> (C8) or <c>FAILED</c> (C9). Returns <see langword="null"/> for a stale command (another
    /// attempt, another owner, or done): acknowledge and drop it. Between items a <see cref="WorkLeaseHeartbeat"/> renews
    /// the list's work lease; a lease found lost (another attempt took the list) stops the reading, and the list is
    /// not completed.
    /// </summary>
    /// <param name="command">The command's envelope (reply address, correlation).</param>
    /// <param name="body">The command.</param>
    /// <param name="ownerId">The migrator instance that claims the list.</param>
    /// <param name="workLease">The work lease taken with the claim and renewed every third of it.</param>
    /// <param name="onClaimed">Called once the claim commits (the migrator acknowledges the command then, docs/hsm/overview.md#messaging), or <see langword="null"/>.</param>
    /// <param name="ct">Cancels between items.</param>
    public async ValueTask<StagedReply?> StageListAsync(
        Envelope command, StageCommand body, string ownerId, TimeSpan workLease, Func<CancellationToken, ValueTask>? onClaimed = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        if (await ClaimListAsync(command, body, ownerId, workLease, ct) is not ({ } claimed, DateTimeOffset leaseUntil))
        {
            return null;
        }

        if (onClaimed is not null)
        {
            await onClaimed(ct);
        }

        // No tape reservation to keep: recalls do not reserve tapes in the catalogue, only archive sessions do.
        var heartbeat = new WorkLeaseHeartbeat(_catalog, ownerId, workLease, workLease);
        heartbeat.Hold(body.ListId, body.Attempt, leaseUntil);
        async ValueTask<bool> Checkpoint(CancellationToken token)
        {
            await heartbeat.BeatAsync(token);
            return !heartbeat.IsLost(body.ListId);
        }

        var items = new List<QueuedRecall>();
        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            foreach (FileRecord f in claimed.Values)
            {
                if ((await RecallRequests.CopiesAsync(txn, f.FileId)).FirstOrDefault(c => c.Vsn == body.Vsn && !c.Damaged) is { } copy)
                {
                    items.Add(new QueuedRecall(new RecallRequest(RecallRequests.RequestIdOf(f), f.FileId, f.Size, _options.DiskLibrary, f.Decision.Priority,
                        f.LastAccessAt ?? f.CreatedAt, [copy]), copy));
                }
            }
        }

        if (items.Count > 0)
        {
            _ = await RunSessionAsync(new RecallQueue(body.Vsn, _options.DiskLibrary, items), 0, [],
                ids => ValueTask.FromResult(ids.Where(claimed.ContainsKey).ToDictionary(id => id, id => claimed[id])), Checkpoint, ct);
        }

        // A lost lease is not completed here: the new attempt settles the members (and its completion is fenced anyway).
        return await Checkpoint(ct) ? await CompleteListAsync(command, body, claimed.Keys, ct) : null;
    }

    private async ValueTask<(Dictionary<long, FileRecord> Claimed, DateTimeOffset LeaseUntil)?> ClaimListAsync(
        Envelope command, StageCommand body, string ownerId, TimeSpan workLease, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        if (await txn.TryClaimListAsync(body.ListId, FileListKind.Stage, body.Attempt, ownerId, workLease) is not { LeaseUntil: { } until })
        {
            return null;
        }

        var claimed = new Dictionary<long, FileRecord>();
        foreach (long id in await txn.GetListMembersAsync(body.ListId))
        {
            // A redelivery to the owner finds its members claimed already (STAGING, or STAGED if its publishing failed).
            FileRecord? f = await txn.TryMoveCacheAsync(id, CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator)
                ?? (await txn.GetFileAsync(id) is { } claimedBefore && ClaimedRecalls.IsClaimed(claimedBefore.CacheStatus) ? claimedBefore : null);
            if (f is not null)
            {
                claimed[id] = f;
            }
        }

        await CommandReplies.AddAsync(txn, command, HsmMessageTypes.Confirmation, new ConfirmationReply(body.ListId, body.Attempt, ownerId, null, until), _catalog.Time);
        await txn.CommitAsync(ct);
        StepObserver?.Invoke(StageStep.Claimed, claimed.Keys);
        return (claimed, until);
    }

    private async ValueTask<StagedReply?> CompleteListAsync(Envelope command, StageCommand body, IEnumerable<long> claimed, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        var staged = new List<long>();
        var requeued = new List<long>();
        var failed = new List<long>();
        foreach (long id in claimed)
        {
            // What the session did not settle (no copy on this tape, no mount) goes back to the planner (C8).
            FileRecord? f = await ClaimedRecalls.RequeueAsync(txn, id, HsmActor.Migrator, $"not read from {body.Vsn}")
                ?? await txn.GetFileAsync(id);
            (f?.CacheStatus switch
            {
                CacheStatus.Cached => staged,
                CacheStatus.Failed => failed,
                _ => requeued,
            }).Add(id);
        }

        if (await txn.TryMoveListAsync(body.ListId, FileListState.Active, FileListEvent.Completed, HsmActor.Migrator, body.Attempt) is null)
        {
            return null; // Fenced meanwhile: the sweeper re-queued the list.
        }

        var reply = new StagedReply(body.ListId, body.Attempt, staged, requeued, failed);
        await CommandReplies.AddAsync(txn, command, HsmMessageTypes.Staged, reply, _catalog.Time);
        await txn.CommitAsync(ct);
        return reply;
    }
}
