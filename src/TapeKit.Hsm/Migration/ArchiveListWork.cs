using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Migration;

/// <summary>
/// The catalogue side of a migrator's archive worker (docs/hsm/overview.md#the-archive-commit): claim with fencing, lease
/// renewal, the commit after sync, and failure replies — each one transaction together with the reply it implies
/// (R1). The tape side (packaging, mounting, writing, syncing) runs between <see cref="ClaimAsync"/> and
/// <see cref="CommitAsync"/> and needs nothing else from the catalogue to stay correct: a zombie's commit finds its
/// attempt gone and writes nothing (F8).
/// </summary>
public sealed class ArchiveListWork
{
    /// <summary>How often a commit that met a concurrent change of one of its rows is read and tried again.</summary>
    private const int MaxCommitRounds = 5;

    private readonly ICatalog _catalog;
    private readonly string _migratorId;
    private readonly HsmMetrics? _metrics;
    private readonly bool _notifyHost;

    /// <summary>Creates the worker-side operations of one migrator.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="migratorId">The migrator instance id (the owner of claims).</param>
    /// <param name="metrics">Metrics, or <see langword="null"/>.</param>
    /// <param name="notifyHost">Queue <c>FileArchived</c> notifications for the host.</param>
    public ArchiveListWork(ICatalog catalog, string migratorId, HsmMetrics? metrics = null, bool notifyHost = true)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(migratorId);
        _catalog = catalog;
        _migratorId = migratorId;
        _metrics = metrics;
        _notifyHost = notifyHost;
    }

    /// <summary>
    /// Step 1: claims list attempt <paramref name="attempt"/> (L4) and every member (A1), and queues <c>Confirmation</c>.
    /// If any member is no longer <c>CACHED ∧ NONE ∧ not deleted</c>, nothing is claimed and <c>Failed(RebuildPackage)</c>
    /// is queued instead. Re-claiming an attempt the caller already owns renews it (idempotent redelivery); an attempt
    /// owned by another migrator is never taken over, even after its lease passed — the sweeper re-sends it under a new
    /// attempt, so two workers never share one fencing token.
    /// </summary>
    /// <param name="command">The received command's envelope (reply address, correlation).</param>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">The attempt of the command.</param>
    /// <param name="workLease">The work lease to take.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<ArchiveClaim> ClaimAsync(Envelope command, Guid listId, int attempt, TimeSpan workLease, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        FileListRecord? list = await txn.GetListAsync(listId);
        if (list is null || list.State != FileListState.Active || list.Attempt != attempt
            || (list.Owner is { } owner && owner != _migratorId) || await txn.IsFencedAsync(_migratorId))
        {
            return new ArchiveClaim(ArchiveClaimOutcome.Stale, list, [], []);
        }

        DateTimeOffset leaseUntil = txn.Now + workLease;
        IReadOnlyList<long> ids = await txn.GetListMembersAsync(listId);
        var members = new List<FileRecord>(ids.Count);
        var ineligible = new List<long>();
        IReadOnlyList<FileRecord?> rows = await txn.GetFilesAsync(ids);
        for (int i = 0; i < ids.Count; i++)
        {
            long id = ids[i];
            FileRecord? f = rows[i];
            if (f is null || !(f.IsArchiveEligible || (f.ArchiveStatus == ArchiveStatus.Archiving && f.ArchiveClaim == list.Claim && !f.IsDeleted && f.CacheStatus == CacheStatus.Cached)))
            {
                ineligible.Add(id);
            }
            else
            {
                members.Add(f);
            }
        }

        if (ineligible.Count > 0)
        {
            // Nothing is claimed; the transaction carries only the reply.
            await ReplyAsync(txn, command, HsmMessageTypes.Failed,
                new FailedReply(listId, attempt, FailureReason.RebuildPackage, true, $"{ineligible.Count} members are no longer eligible.", ineligible));
            await txn.CommitAsync(ct);
            return new ArchiveClaim(ArchiveClaimOutcome.RebuildQueued, list, [], ineligible);
        }

        // Read committed (PostgreSQL): the list may have moved since it was read above (the sweeper re-queued it, another
        // migrator claimed it). The move is of the row checked above, so such a change fails it as a conflict (the
        // transaction, disposed uncommitted, leaves nothing behind) instead of being overwritten.
        FileListRecord? claimed = await txn.TryMoveListAsync(list, FileListState.Active, FileListEvent.ClaimedByMigrator, HsmActor.Migrator, attempt,
            $"claimed by {_migratorId}", l => l with { Owner = _migratorId, LeaseUntil = leaseUntil });
        if (claimed is null)
        {
            return new ArchiveClaim(ArchiveClaimOutcome.Stale, list, [], []);
        }

        // The members as read and checked above, in one batch: each update is conditional on the version checked.
        FileRecord[] unclaimed = [.. members.Where(f => f.ArchiveStatus != ArchiveStatus.Archiving)];
        IReadOnlyList<FileRecord?> moved = await txn.TryMoveArchiveManyAsync(unclaimed, ArchiveStatus.None, FileArchiveEvent.Claimed, HsmActor.Migrator, newClaim: claimed.Claim);
        if (moved.Any(c => c is null))
        {
            return new ArchiveClaim(ArchiveClaimOutcome.Stale, list, [], []);
        }

        Dictionary<long, FileRecord> byId = moved.ToDictionary(c => c!.FileId, c => c!);
        List<FileRecord> claimedMembers = [.. members.Select(f => byId.GetValueOrDefault(f.FileId) ?? f)];

        await ReplyAsync(txn, command, HsmMessageTypes.Confirmation, new ConfirmationReply(listId, attempt, _migratorId, null, leaseUntil));
        await txn.CommitAsync(ct);
        return new ArchiveClaim(ArchiveClaimOutcome.Claimed, claimed, claimedMembers, []);
    }

    /// <summary>L5: renews the work lease; <see langword="false"/> when the caller was fenced (stop work, F8).</summary>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">The claimed attempt.</param>
    /// <param name="workLease">The new lease from now.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<bool> RenewAsync(Guid listId, int attempt, TimeSpan workLease, CancellationToken ct = default)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        FileListRecord? list = await txn.GetListAsync(listId);
        if (list?.Owner != _migratorId || await txn.IsFencedAsync(_migratorId))
        {
            return false;
        }

        DateTimeOffset until = txn.Now + workLease;
        FileListRecord? renewed = await txn.TryMoveListAsync(listId, FileListState.Active, FileListEvent.LeaseRenewed, HsmActor.Migrator, attempt,
            mutate: l => l with { LeaseUntil = until });
        if (renewed is null)
        {
            return false;
        }

        await txn.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// Step 2: G1, an aggregation <c>BUILDING</c> for one copy of the claimed attempt. Returns <see langword="null"/> when
    /// the caller was fenced (stop work, F8).
    /// </summary>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">The claimed attempt.</param>
    /// <param name="copyNb">The copy number.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<AggregationRecord?> BeginAggregationAsync(Guid listId, int attempt, int copyNb, CancellationToken ct = default)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        if (await OwnedAsync(txn, listId, attempt) is not { } list)
        {
            return null;
        }

        IReadOnlyList<long> members = await txn.GetListMembersAsync(listId);
        var aggregation = new AggregationRecord
        {
            AggregationId = await txn.AllocateAggregationIdAsync(),
            ListId = listId,
            Attempt = attempt,
            CopyNb = copyNb,
            Format = list.Strategy == ArchiveStrategy.Direct ? AggregationPayloadFormat.None : list.Format,
            MemberCount = members.Count,
            ActiveMemberCount = members.Count,
            PayloadBytes = list.MemberBytes,
            CreatedAt = txn.Now,
        };
        await txn.CreateAggregationAsync(aggregation);
        await txn.CommitAsync(ct);
        return aggregation;
    }

    /// <summary>Step 3: G2, the write intent — the mount is held and the append check passed; records where it goes.</summary>
    /// <param name="aggregationId">The aggregation.</param>
    /// <param name="tapeFile">The planned tape file (VSN, fseq, first payload block).</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="false"/> when fenced or no longer <c>BUILDING</c>.</returns>
    public ValueTask<bool> RecordWriteStartAsync(long aggregationId, TapeFileLocator tapeFile, CancellationToken ct = default) =>
        MoveOwnedAsync(aggregationId, AggregationState.Building, AggregationEvent.WriteStarted, a => a with { TapeFile = tapeFile }, null, ct);

    /// <summary>Step 4: G3, written behind a buffered mark, with the member locators; not yet safe (no sync).</summary>
    /// <param name="aggregationId">The aggregation.</param>
    /// <param name="blockCount">Blocks of the tape file.</param>
    /// <param name="members">Where each member starts.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="false"/> when fenced or no longer <c>WRITING</c>.</returns>
    public ValueTask<bool> RecordWrittenAsync(long aggregationId, long blockCount, IReadOnlyList<AggregationMemberRecord> members, CancellationToken ct = default) =>
        MoveOwnedAsync(aggregationId, AggregationState.Writing, AggregationEvent.Written, a => a with { BlockCount = blockCount, WrittenAt = _catalog.Time.GetUtcNow() }, members, ct);

    /// <summary>
    /// Step 6, after a synchronising flush covered every copy: aggregations <c>ON_TAPE</c> (G4), members <c>ARCHIVED</c>
    /// (A2), list <c>DONE</c> (L6), the tape's <c>lastFseq</c>/<c>bytesUsed</c> (when the catalogue knows the tape; a
    /// <c>FREE</c> tape becomes <c>FILLING</c>), and the <c>Archived</c> reply plus one <c>FileArchived</c> per file in the same
    /// transaction. Conditional on the attempt, every member's claim and every aggregation being <c>WRITTEN</c> for this
    /// attempt; a fenced caller gets <see langword="false"/> and nothing is written (F8).
    /// </summary>
    /// <param name="command">The command's envelope.</param>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">The claimed attempt.</param>
    /// <param name="aggregationIds">The synced aggregations, one per required copy.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="ArgumentException">A member lacks a required copy among the aggregations (R5).</exception>
    public async ValueTask<bool> CommitAsync(Envelope command, Guid listId, int attempt, IReadOnlyList<long> aggregationIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(aggregationIds);
        for (int round = 1; ; round++)
        {
            try
            {
                return await CommitOnceAsync(command, listId, attempt, aggregationIds, ct);
            }
            catch (CatalogConflictException) when (round < MaxCommitRounds)
            {
                // A row moved under the commit after it was read (the dispatcher noting the claim's confirmation on the
                // list row, say). The data is on tape and synced: read again and commit, rather than lose the session.
                // A real loss of the list (fenced, another attempt) shows on the new read as "not owned".
            }
        }
    }

    private async ValueTask<bool> CommitOnceAsync(Envelope command, Guid listId, int attempt, IReadOnlyList<long> aggregationIds, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        if (await OwnedAsync(txn, listId, attempt) is not { } list)
        {
            return false;
        }

        var copies = new Dictionary<long, List<TapeCopy>>();
        foreach (long id in aggregationIds)
        {
            AggregationRecord? a = await txn.GetAggregationAsync(id);
            if (a is null || a.ListId != listId || a.Attempt != attempt || a.TapeFile is not { } tf)
            {
                return false;
            }

            if (await txn.TryMoveAggregationAsync(id, AggregationState.Written, AggregationEvent.Committed, HsmActor.Migrator) is null)
            {
                return false;
            }

            // Tape counters move with the commit (docs/hsm/overview.md#the-archive-commit step 6): lastFseq is the last *committed* tape file, and only grows.
            _ = await txn.AdvanceTapeAsync(tf.Vsn, tf.Fseq, a.PayloadBytes);

            foreach (AggregationMemberRecord m in await txn.GetAggregationMembersAsync(id))
            {
                if (!copies.TryGetValue(m.FileId, out List<TapeCopy>? c))
                {
                    copies[m.FileId] = c = [];
                }

                c.Add(new TapeCopy(tf.Vsn, tf.Fseq, a.CopyNb));
            }
        }

        IReadOnlyList<long> memberIds = await txn.GetListMembersAsync(listId);
        foreach (long id in memberIds)
        {
            if (!copies.TryGetValue(id, out List<TapeCopy>? fileCopies) || fileCopies.Count < list.CopyCount)
            {
                throw new ArgumentException($"File {id} of list {listId:N} has {(fileCopies?.Count ?? 0)} of {list.CopyCount} required copies; commit only after every copy is written and synced (R5).", nameof(aggregationIds));
            }
        }

        // One read and one conditional update for the members, not a read and an update each.
        IReadOnlyList<FileRecord?> rows = await txn.GetFilesAsync(memberIds);
        if (rows.Any(f => f is null))
        {
            return false;
        }

        IReadOnlyList<FileRecord?> moved = await txn.TryMoveArchiveManyAsync([.. rows.Select(f => f!)], ArchiveStatus.Archiving, FileArchiveEvent.Committed,
            HsmActor.Migrator, expectedClaim: list.Claim, newClaim: null, mutate: r => r with { ArchivedAt = txn.Now });
        if (moved.Any(f => f is null))
        {
            return false; // Fenced: the transaction is rolled back on dispose.
        }

        List<FileRecord> archived = [.. moved.Select(f => f!)];

        if (await txn.TryMoveListAsync(listId, FileListState.Active, FileListEvent.Completed, HsmActor.Migrator, attempt) is null)
        {
            return false; // Moved since it was read (read committed): fenced like the members, rolled back on dispose.
        }

        List<TapeCopy> all = [.. archived.SelectMany(f => copies[f.FileId]).Distinct()];
        await ReplyAsync(txn, command, HsmMessageTypes.Archived, new ArchivedReply(listId, attempt, aggregationIds, all));
        if (_notifyHost)
        {
            foreach (FileRecord f in archived)
            {
                await HostNotifications.AddAsync(txn, HsmMessageTypes.FileArchived, new FileArchivedEvent(f.FileId, copies[f.FileId]), _catalog.Time, f.Decision.DiskLibrary);
            }
        }

        await txn.CommitAsync(ct);
        _metrics?.Aggregations.Add(aggregationIds.Count, new TagList { { "format", list.Format.ToString() }, { "outcome", "on_tape" } });
        foreach (FileRecord f in archived)
        {
            var tags = new TagList { { "disk_library", f.Decision.DiskLibrary }, { "rule", f.Decision.RuleName }, { "strategy", f.Decision.Strategy.ToString() } };
            _metrics?.ArchiveFiles.Add(1, tags);
            _metrics?.ArchiveBytes.Add(f.Size, tags);
            if (f.CachedAt is { } cached && f.ArchivedAt is { } done)
            {
                _metrics?.ArchiveLatency.Record((done - cached).TotalSeconds, new TagList { { "disk_library", f.Decision.DiskLibrary }, { "rule", f.Decision.RuleName } });
            }
        }

        return true;
    }

    private async ValueTask<FileListRecord?> OwnedAsync(ICatalogTransaction txn, Guid listId, int attempt)
    {
        // A worker of a replaced incarnation is fenced by epoch even before the dispatcher has taken its list back.
        FileListRecord? list = await txn.GetListAsync(listId);
        return list is { State: FileListState.Active } && list.Attempt == attempt && list.Owner == _migratorId
            && !await txn.IsFencedAsync(_migratorId) ? list : null;
    }

    private async ValueTask<bool> MoveOwnedAsync(
        long aggregationId, AggregationState from, AggregationEvent @event, Func<AggregationRecord, AggregationRecord> mutate,
        IReadOnlyList<AggregationMemberRecord>? members, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        if (await txn.GetAggregationAsync(aggregationId) is not { } a || await OwnedAsync(txn, a.ListId, a.Attempt) is null
            || await txn.TryMoveAggregationAsync(aggregationId, from, @event, HsmActor.Migrator, mutate: mutate) is null)
        {
            return false;
        }

        if (members is not null)
        {
            await txn.AddAggregationMembersAsync(members);
        }

        await txn.CommitAsync(ct);
        return true;
    }

    /// <summary>
    /// A failed attempt: its aggregations still in flight become <c>FAILED</c> (G5; F3: the caller passes every attempt
    /// whose unsynced tape files the error invalidated), members claimed by it go back to <c>NONE</c> (A3) — or, for <c>SourceMissing</c> and
    /// <c>SourceChecksumMismatch</c>, the affected files' cache copies to <c>FAILED</c> (C17) — and the <c>Failed</c>
    /// reply is queued, in one transaction. Returns <see langword="false"/> when the caller was fenced (nothing written).
    /// </summary>
    /// <param name="command">The command's envelope.</param>
    /// <param name="failure">The reply to send.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<bool> FailAsync(Envelope command, FailedReply failure, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(failure);
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        FileListRecord? list = await txn.GetListAsync(failure.ListId);
        if (list is null || list.State != FileListState.Active || list.Attempt != failure.Attempt || list.Owner != _migratorId
            || await txn.IsFencedAsync(_migratorId))
        {
            return false;
        }

        int failed = 0;
        foreach (AggregationRecord a in await txn.GetAggregationsOfListAsync(failure.ListId, failure.Attempt))
        {
            if (a.IsInFlight)
            {
                failed++;
                _ = await txn.TryMoveAggregationAsync(a.AggregationId, a.State, AggregationEvent.Failed, HsmActor.Migrator, failure.Reason.ToString(),
                    x => x with { FailureReason = failure.Reason.ToString() });
            }
        }

        bool lost = failure.Reason is FailureReason.SourceMissing or FailureReason.SourceChecksumMismatch;
        foreach (long id in await txn.GetListMembersAsync(failure.ListId))
        {
            FileRecord? released = await txn.TryMoveArchiveAsync(id, ArchiveStatus.Archiving, FileArchiveEvent.Released, HsmActor.Migrator,
                expectedClaim: list.Claim, newClaim: null, reason: failure.Reason.ToString());
            if (released is not null && lost && failure.AffectedFileIds.Contains(id))
            {
                _ = await txn.TryMoveCacheAsync(id, CacheStatus.Cached, FileCacheEvent.LostBeforeArchive, HsmActor.Migrator,
                    reason: failure.Reason.ToString(), mutate: r => r with { FailureReason = failure.Detail ?? failure.Reason.ToString() });
            }
        }

        await ReplyAsync(txn, command, HsmMessageTypes.Failed, failure);
        await txn.CommitAsync(ct);
        _metrics?.Aggregations.Add(failed, new TagList { { "format", list.Format.ToString() }, { "outcome", "failed" } });
        return true;
    }

    /// <summary>F1: the migrator had no free slot; queues <c>Busy</c> (the delivery is acknowledged by the caller).</summary>
    /// <param name="command">The command's envelope.</param>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">The attempt.</param>
    /// <param name="retryAfter">A hint.</param>
    /// <param name="freeSlots">Free slots now.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask ReplyBusyAsync(Envelope command, Guid listId, int attempt, TimeSpan? retryAfter, int freeSlots, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        await ReplyAsync(txn, command, HsmMessageTypes.Busy, new BusyReply(listId, attempt, retryAfter, freeSlots));
        await txn.CommitAsync(ct);
    }

    private ValueTask ReplyAsync<T>(ICatalogTransaction txn, Envelope command, string type, T body) =>
        CommandReplies.AddAsync(txn, command, type, body, _catalog.Time);
}
