using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Purging;

public sealed partial class Purger
{
    /// <summary>Copies deleted in one transaction of a purge command; its work lease is renewed (when due) between them.</summary>
    public const int DeletionsPerCheckpoint = 256;

    /// <summary>The disk library whose cache area this purger serves.</summary>
    public string DiskLibrary => _options.DiskLibrary;

    /// <summary>How often a dispatcher plans purges with this purger (the policy's <c>PurgeInterval</c>).</summary>
    public TimeSpan PurgeInterval => _policy.Options.PurgeInterval;

    /// <summary>The purge plan for the area now — what <see cref="RunOnceAsync"/> would purge — without changing anything.</summary>
    /// <param name="force">Purge to the low watermark even below the high one (back-pressure, docs/hsm/overview.md#recalls).</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<PurgePlan> PlanAsync(bool force = false, CancellationToken ct = default)
    {
        (AreaUsage usage, List<PurgeCandidate> candidates) = await SurveyAsync(force, ct);
        return _policy.Plan(usage, candidates, _catalog.Time.GetUtcNow(), force);
    }

    /// <summary>
    /// Carries out a <c>Purge</c> command of the dispatcher (docs/hsm/overview.md#messages): claims the purge list (L4) and its
    /// members (C12; a member pinned meanwhile goes back to <c>CACHED</c>, C11), deletes the copies and records them
    /// <c>PURGED</c> (C13, with <c>CachePurged</c>), then completes the list (L6) with the <c>Purged</c> reply. Returns
    /// <see langword="null"/> for a stale command: acknowledge and drop it. Deletions run in chunks of
    /// <see cref="DeletionsPerCheckpoint"/>, each its own transaction; between chunks a <see cref="WorkLeaseHeartbeat"/>
    /// renews the list's work lease, and a lease found lost stops the deletions — the list is not completed.
    /// </summary>
    /// <param name="command">The command's envelope.</param>
    /// <param name="body">The command.</param>
    /// <param name="ownerId">The migrator instance that claims the list.</param>
    /// <param name="workLease">The work lease taken with the claim and renewed every third of it.</param>
    /// <param name="onClaimed">Called once the claim commits (the migrator acknowledges the command then, docs/hsm/overview.md#messaging), or <see langword="null"/>.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<PurgedReply?> PurgeListAsync(
        Envelope command, PurgeCommand body, string ownerId, TimeSpan workLease, Func<CancellationToken, ValueTask>? onClaimed = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentException.ThrowIfNullOrEmpty(ownerId);
        List<long> claimed;
        IReadOnlyList<long> members;
        var heartbeat = new WorkLeaseHeartbeat(_catalog, ownerId, workLease, workLease); // No tape to keep: a purge reserves none.
        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            if (await txn.TryClaimListAsync(body.ListId, FileListKind.Purge, body.Attempt, ownerId, workLease) is not { LeaseUntil: { } until })
            {
                return null;
            }

            members = await txn.GetListMembersAsync(body.ListId);
            claimed = await ClaimMembersAsync(txn, members);
            await CommandReplies.AddAsync(txn, command, HsmMessageTypes.Confirmation, new ConfirmationReply(body.ListId, body.Attempt, ownerId, null, until), _catalog.Time);
            await txn.CommitAsync(ct);
            heartbeat.Hold(body.ListId, body.Attempt, until);
        }

        if (onClaimed is not null)
        {
            await onClaimed(ct);
        }

        int files = 0;
        long bytes = 0;
        foreach (long[] chunk in claimed.Chunk(DeletionsPerCheckpoint))
        {
            await heartbeat.BeatAsync(ct);
            if (heartbeat.IsLost(body.ListId))
            {
                break; // Another attempt owns the list: delete nothing more; what is left is its to settle.
            }

            (int n, long b) = await DeleteAndRecordAsync([.. chunk], ct);
            files += n;
            bytes += b;
        }

        RecordMetrics(files, bytes);
        await heartbeat.BeatAsync(ct);
        if (heartbeat.IsLost(body.ListId))
        {
            return null;
        }

        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            var purged = new List<long>();
            var skipped = new List<long>();
            IReadOnlyList<FileRecord?> rows = await txn.GetFilesAsync(members);
            for (int i = 0; i < members.Count; i++)
            {
                (rows[i]?.CacheStatus == CacheStatus.Purged ? purged : skipped).Add(members[i]);
            }

            if (await txn.TryMoveListAsync(body.ListId, FileListState.Active, FileListEvent.Completed, HsmActor.Migrator, body.Attempt) is null)
            {
                return null; // Fenced meanwhile: the sweeper released the list.
            }

            var reply = new PurgedReply(body.ListId, body.Attempt, purged, skipped);
            await CommandReplies.AddAsync(txn, command, HsmMessageTypes.Purged, reply, _catalog.Time);
            await txn.CommitAsync(ct);
            return reply;
        }
    }
}
