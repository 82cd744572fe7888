using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

/// <summary>What the dispatcher does with a stage or purge list: the command it sends and how its members are released.</summary>
internal sealed record CommandListKind(
    FileListKind Kind,
    string CommandType,
    RequestPriority Priority,
    Func<FileListRecord, int, IReadOnlyList<long>, object> Body,
    Func<ICatalogTransaction, long, string, ValueTask> ReleaseOnRequeue,
    Func<ICatalogTransaction, long, string, ValueTask> ReleaseOnKill);

public sealed partial class Dispatcher
{
    /// <summary>
    /// The tick of lists that carry one command to a disk library's migrator and complete with its reply (stage and
    /// purge lists): due <c>FILLED</c> lists are sent (L3); <c>ACTIVE</c> ones whose work lease passed are re-queued
    /// (L7) or, after <c>MaxAttempts</c>, killed (L9). <paramref name="lists"/> are the live lists of the kind in the tick's
    /// snapshot, <paramref name="fenced"/> the owners found restarted in it. Returns when the next one is due.
    /// </summary>
    private async ValueTask<DateTimeOffset?> TickCommandListsAsync(
        CommandListKind kind, bool graceOver, IReadOnlyList<FileListRecord> lists, HashSet<string> fenced, CancellationToken ct)
    {
        DateTimeOffset? next = null;
        DateTimeOffset now = _catalog.Time.GetUtcNow();
        foreach (FileListRecord snapshot in lists)
        {
            // Nothing due by the snapshot: no transaction (the tick's cost follows the due work, not the live lists).
            bool idle = snapshot.State == FileListState.Filled
                ? (snapshot.NotBefore ?? now) > now
                : !fenced.Contains(snapshot.Owner ?? "") && (!graceOver || snapshot.LeaseUntil is not { } leaseEnd || leaseEnd > now);
            if (idle)
            {
                next = Min(next, snapshot.State == FileListState.Filled ? snapshot.NotBefore : snapshot.LeaseUntil);
                continue;
            }

            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            FileListRecord? current = await txn.GetListAsync(snapshot.ListId);
            bool ownerRestarted = current is { State: FileListState.Active } && await txn.IsFencedAsync(current.Owner);
            switch (current)
            {
                case { State: FileListState.Active } list when ownerRestarted:
                    await RequeueCommandListAsync(txn, list, kind, OwnerRestarted, charged: false);
                    break;
                case { State: FileListState.Filled } list when (list.NotBefore ?? txn.Now) <= txn.Now:
                    await SendCommandListAsync(txn, list, kind);
                    break;
                case { State: FileListState.Filled } list:
                    next = Min(next, list.NotBefore);
                    break;
                case { State: FileListState.Active, LeaseUntil: { } until } list when graceOver && until <= txn.Now:
                    _metrics?.LeaseExpiries.Add(1, new TagList { { "kind", kind.Kind.ToString().ToLowerInvariant() } });
                    await RequeueCommandListAsync(txn, list, kind, "LeaseExpired");
                    break;
                case { State: FileListState.Active } list:
                    next = Min(next, list.LeaseUntil);
                    break;
            }

            await txn.CommitAsync(ct);
        }

        return next;
    }

    /// <summary>L3 for a stage or purge list: attempt + 1 and its command in the same transaction.</summary>
    private async ValueTask SendCommandListAsync(ICatalogTransaction txn, FileListRecord list, CommandListKind kind)
    {
        IReadOnlyList<long> ids = await txn.GetListMembersAsync(list.ListId);
        int attempt = list.Attempt + 1;
        DateTimeOffset deadline = txn.Now + _options.WorkLease;
        FileListRecord sent = await txn.TryMoveListAsync(list.ListId, FileListState.Filled, FileListEvent.Sent, HsmActor.Dispatcher, list.Attempt,
            reason: $"attempt {attempt}", mutate: l => l with { Attempt = attempt, Owner = null, LeaseUntil = deadline, NotBefore = null })
            ?? throw new InvalidOperationException($"{kind.Kind} list {list.ListId:N} was expected FILLED.");
        await AddCommandAsync(txn, sent, kind.CommandType, kind.Body(sent, attempt, ids), kind.Priority);
        Log.ListMoved(_logger, sent.ListId, "FILLED", "ACTIVE", $"{kind.Kind} {sent.Vsn}, attempt {attempt}");
    }

    /// <summary>
    /// Queues a list's command on its disk library's queue, correlated with the list and its attempt, replies to this
    /// dispatcher. Priority on the wire: Purge &gt; Stage &gt; Archive (docs/hsm/overview.md#messaging).
    /// </summary>
    private ValueTask AddCommandAsync<T>(ICatalogTransaction txn, FileListRecord sent, string type, T body, RequestPriority priority)
    {
        Envelope envelope = HsmMessages.Create(type, body, _catalog.Time, new Envelope
        {
            MessageId = Guid.Empty,
            Type = "",
            CorrelationId = sent.ListId.ToString("N"),
            Attempt = sent.Attempt,
            DiskLibrary = sent.DiskLibrary,
            ReplyTo = ReplyAddress,
            Priority = priority,
        });
        return txn.AddOutboxAsync(new OutboundMessage(HsmTopology.CommandsExchange, sent.DiskLibrary, envelope));
    }

    /// <summary>
    /// L7 (after back-off) or, at <c>MaxAttempts</c> charged failures, L9 — each with its member release. An uncharged
    /// re-queue (the owner's process restarted) is due at once.
    /// </summary>
    private async ValueTask RequeueCommandListAsync(ICatalogTransaction txn, FileListRecord list, CommandListKind kind, string reason, bool charged = true)
    {
        int failures = list.FailureCount + (charged ? 1 : 0);
        bool dead = failures >= _options.MaxAttempts;
        foreach (long id in await txn.GetListMembersAsync(list.ListId))
        {
            await (dead ? kind.ReleaseOnKill : kind.ReleaseOnRequeue)(txn, id, reason);
        }

        if (dead)
        {
            _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Killed, HsmActor.Dispatcher, list.Attempt, reason,
                l => l with { FailureCount = failures, FailureReason = reason, Owner = null, LeaseUntil = null });
            Log.ListDead(_logger, list.ListId, failures, reason);
            return;
        }

        DateTimeOffset notBefore = charged ? txn.Now + _backoff.Next(failures) : txn.Now;
        _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Requeued, HsmActor.Dispatcher, list.Attempt, reason,
            l => l with { FailureCount = failures, FailureReason = charged ? reason : l.FailureReason, Owner = null, LeaseUntil = null, NotBefore = notBefore });
        Log.ListMoved(_logger, list.ListId, "ACTIVE", "FILLED", reason);
    }

    /// <summary>A <c>Staged</c> or <c>Purged</c> reply: the worker's completion made the list <c>DONE</c> (L6) in the reply's transaction.</summary>
    private async ValueTask VerifyDoneAsync(ICatalogTransaction txn, string kind, Guid listId, int attempt)
    {
        if (await CurrentAsync(txn, kind, listId, attempt) is { } list && list.State != FileListState.Done)
        {
            throw new CatalogConstraintException($"A {kind} reply arrived for list {list.ListId:N}, which is {list.State}, not DONE.");
        }
    }
}
