using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    private readonly Dictionary<string, DateTimeOffset> _lastPurgePlan = new(StringComparer.Ordinal);

    /// <summary>
    /// The purge planners of the disk libraries' cache areas (spec/hsm.md §4.4). When set, each tick — at most every
    /// <c>PurgeInterval</c> per area, and never while the area has a live purge list — plans a purge and sends its first
    /// batch as a purge list (members <c>PURGING_REQUESTED</c>, C10) in a <c>Purge</c> command; the disk library's
    /// migrator carries it out. Without them, a host runs each <c>Purger</c> in process.
    /// </summary>
    public IReadOnlyList<Purger> PurgePlanners { get; set; } = [];

    private async ValueTask<DateTimeOffset?> TickPurgeListsAsync(bool graceOver, CancellationToken ct)
    {
        IReadOnlyList<FileListRecord> lists;
        await using (ICatalogTransaction read = await _catalog.BeginAsync(ct))
        {
            lists = await read.QueryListsAsync(new ListQuery { Kind = FileListKind.Purge, States = ListQuery.LiveStates });
        }

        DateTimeOffset? next = null;
        foreach (FileListRecord snapshot in lists)
        {
            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            switch (await txn.GetListAsync(snapshot.ListId))
            {
                case { State: FileListState.Filled } list when (list.NotBefore ?? txn.Now) <= txn.Now:
                    await SendPurgeAsync(txn, list);
                    break;
                case { State: FileListState.Filled } list:
                    next = Min(next, list.NotBefore);
                    break;
                case { State: FileListState.Active, LeaseUntil: { } until } list when graceOver && until <= txn.Now:
                    _metrics?.LeaseExpiries.Add(1, new TagList { { "kind", "purge" } });
                    await RequeuePurgeAsync(txn, list, "LeaseExpired");
                    break;
                case { State: FileListState.Active } list:
                    next = Min(next, list.LeaseUntil);
                    break;
            }

            await txn.CommitAsync(ct);
        }

        var busy = lists.Select(l => l.DiskLibrary).ToHashSet(StringComparer.Ordinal);
        foreach (Purger purger in PurgePlanners.Where(p => !busy.Contains(p.DiskLibrary)))
        {
            DateTimeOffset now = _catalog.Time.GetUtcNow();
            if (_lastPurgePlan.TryGetValue(purger.DiskLibrary, out DateTimeOffset last) && now - last < purger.PurgeInterval)
            {
                next = Min(next, last + purger.PurgeInterval);
                continue;
            }

            _lastPurgePlan[purger.DiskLibrary] = now;
            PurgePlan plan = await purger.PlanAsync(ct: ct);
            if (plan.Batches.Count > 0)
            {
                await CreatePurgeListAsync(purger.DiskLibrary, plan.Batches[0], plan.Reason, ct);
            }
        }

        return next;
    }

    private async ValueTask CreatePurgeListAsync(string diskLibrary, IReadOnlyList<long> batch, string reason, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        var list = new FileListRecord
        {
            ListId = MessageIds.New(_catalog.Time),
            Kind = FileListKind.Purge,
            PolicyKey = "purge:" + diskLibrary,
            DiskLibrary = diskLibrary,
            Limits = ListLimits.Default,
            State = FileListState.Filled,
            CreatedAt = txn.Now,
            Priority = RequestPriority.Urgent,
        };
        await txn.CreateListAsync(list);
        int members = 0;
        long bytes = 0;
        foreach (long id in batch)
        {
            // C10 with the list membership; a copy read or pinned since the plan stays (the guard is re-checked here).
            if (await txn.GetFileAsync(id) is { PinCount: 0 } && await txn.TryMoveCacheAsync(id, CacheStatus.Cached, FileCacheEvent.PurgeSelected, HsmActor.Dispatcher, reason) is { } f)
            {
                await txn.AddListMemberAsync(list.ListId, id);
                members++;
                bytes += f.Size;
            }
        }

        if (members == 0)
        {
            return; // Rolled back: nothing left to purge.
        }

        list = list with { MemberCount = members, MemberBytes = bytes };
        await txn.UpdateListAsync(list);
        await SendPurgeAsync(txn, list);
        await txn.CommitAsync(ct);
    }

    /// <summary>L3 for a purge list: attempt + 1 and the <c>Purge</c> command in the same transaction.</summary>
    private async ValueTask SendPurgeAsync(ICatalogTransaction txn, FileListRecord list)
    {
        IReadOnlyList<long> ids = await txn.GetListMembersAsync(list.ListId);
        int attempt = list.Attempt + 1;
        DateTimeOffset deadline = txn.Now + _options.WorkLease;
        FileListRecord sent = await txn.TryMoveListAsync(list.ListId, FileListState.Filled, FileListEvent.Sent, HsmActor.Dispatcher, list.Attempt,
            reason: $"attempt {attempt}", mutate: l => l with { Attempt = attempt, Owner = null, LeaseUntil = deadline, NotBefore = null })
            ?? throw new InvalidOperationException($"Purge list {list.ListId:N} was expected FILLED.");
        Envelope envelope = HsmMessages.Create(HsmMessageTypes.Purge, new PurgeCommand(sent.ListId, attempt, "cache", ids), _catalog.Time, new Envelope
        {
            MessageId = Guid.Empty,
            Type = "",
            CorrelationId = sent.ListId.ToString("N"),
            Attempt = attempt,
            DiskLibrary = sent.DiskLibrary,
            ReplyTo = ReplyAddress,
            Priority = RequestPriority.Urgent, // Purge > Stage > Archive on the wire (§6.1).
        });
        await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.CommandsExchange, sent.DiskLibrary, envelope));
        Log.ListMoved(_logger, sent.ListId, "FILLED", "ACTIVE", $"purge, attempt {attempt}");
    }

    /// <summary>
    /// L7 for a purge list whose worker went silent: it is sent again after back-off (the next worker deletes again,
    /// idempotently, what the silent one may have deleted). After <c>MaxAttempts</c> it dies and its members not yet
    /// claimed go back to <c>CACHED</c> (C11); claimed ones stay <c>PURGING</c> — whether their copy is gone only a
    /// worker at the cache can tell — and the area's in-process purger finishes them.
    /// </summary>
    private async ValueTask RequeuePurgeAsync(ICatalogTransaction txn, FileListRecord list, string reason)
    {
        int failures = list.FailureCount + 1;
        if (failures >= _options.MaxAttempts)
        {
            foreach (long id in await txn.GetListMembersAsync(list.ListId))
            {
                _ = await txn.TryMoveCacheAsync(id, CacheStatus.PurgingRequested, FileCacheEvent.PurgeCancelled, HsmActor.Sweeper, reason);
            }

            _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Killed, HsmActor.Dispatcher, list.Attempt, reason,
                l => l with { FailureCount = failures, FailureReason = reason, Owner = null, LeaseUntil = null });
            Log.ListDead(_logger, list.ListId, failures, reason);
            return;
        }

        DateTimeOffset notBefore = txn.Now + _backoff.Next(failures);
        _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Requeued, HsmActor.Dispatcher, list.Attempt, reason,
            l => l with { FailureCount = failures, FailureReason = reason, Owner = null, LeaseUntil = null, NotBefore = notBefore });
        Log.ListMoved(_logger, list.ListId, "ACTIVE", "FILLED", reason);
    }

    private async ValueTask OnPurgedAsync(ICatalogTransaction txn, Envelope message, PurgedReply body)
    {
        if (await CurrentAsync(txn, "purged", body.ListId, body.Attempt) is { } list && list.State != FileListState.Done)
        {
            throw new CatalogConstraintException($"A Purged reply arrived for purge list {list.ListId:N}, which is {list.State}, not DONE.");
        }
    }
}
