using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    /// <summary>Appends an eligible file to the open list of its policy key (L1, L2 by bytes or count); a no-op for a file already listed.</summary>
    private async ValueTask<bool> AppendAsync(ICatalogTransaction txn, FileRecord file) => await AppendManyAsync(txn, [file]) > 0;

    /// <summary>
    /// Appends eligible files, in order, to the open lists of their policy keys (L1, L2 by bytes or count), as appending
    /// them one by one would; files already listed (or named twice) are skipped. Set-based: a look-up of the listed files
    /// for the batch, then per policy key one read of its open list and, per list filled, one batch of members and one
    /// list update — not a few statements per file.
    /// </summary>
    /// <returns>How many files were appended.</returns>
    private async ValueTask<int> AppendManyAsync(ICatalogTransaction txn, IReadOnlyList<FileRecord> files)
    {
        var seen = new HashSet<long>();
        FileRecord[] eligible = [.. files.Where(f => f.IsArchiveEligible && seen.Add(f.FileId))];
        if (eligible.Length == 0)
        {
            return 0;
        }

        IReadOnlyDictionary<long, Guid> listed = await txn.FindLiveListsOfFilesAsync([.. eligible.Select(f => f.FileId)], FileListKind.Archive);
        int appended = 0;
        foreach (IGrouping<string, FileRecord> key in eligible.Where(f => !listed.ContainsKey(f.FileId)).GroupBy(f => f.Decision.PolicyKey, StringComparer.Ordinal))
        {
            appended += await AppendToKeyAsync(txn, key.Key, [.. key]);
        }

        return appended;
    }

    /// <summary>
    /// Appends files of one policy key: members are written a list at a time, before the list is updated or closed. A list
    /// that a closing rule fills is sent in the same transaction (L2 then L3: closed with <c>NotBefore</c> now, it is due
    /// at once, as the age timer closes and sends one), so a full list costs no transaction of its own in the next tick.
    /// </summary>
    private async ValueTask<int> AppendToKeyAsync(ICatalogTransaction txn, string policyKey, IReadOnlyList<FileRecord> files)
    {
        IReadOnlyList<FileListRecord> open = await txn.QueryListsAsync(new ListQuery
        {
            Kind = FileListKind.Archive, States = [FileListState.Filling], PolicyKey = policyKey,
        });
        FileListRecord? list = open.Count > 0 ? open[0] : null;
        var pending = new List<long>();
        foreach (FileRecord file in files)
        {
            if (list is not null && ListClosingRule.WouldOverflow(list, file.Size))
            {
                list = await FlushAsync(txn, list, pending);
                await SendAsync(txn, await CloseAsync(txn, list, list.MemberBytes + file.Size > list.Limits.MaxBytes ? CloseReason.Bytes : CloseReason.Count));
                list = null;
            }

            if (list is null)
            {
                PolicyDecision decision = file.Decision;
                list = new FileListRecord
                {
                    ListId = MessageIds.New(_catalog.Time),
                    Kind = FileListKind.Archive,
                    PolicyKey = decision.PolicyKey,
                    RuleName = decision.RuleName,
                    DiskLibrary = decision.DiskLibrary,
                    Limits = decision.Limits,
                    PolicyVersion = decision.PolicyVersion,
                    Strategy = decision.Strategy,
                    Format = decision.Format,
                    TapePool = decision.TapePool,
                    CopyCount = decision.CopyCount,
                    Priority = decision.Priority,
                    State = FileListState.Filling,
                    CreatedAt = txn.Now,
                };
                await txn.CreateListAsync(list);
            }

            pending.Add(file.FileId);
            list = list with { MemberCount = list.MemberCount + 1, MemberBytes = list.MemberBytes + file.Size, FirstMemberAt = list.FirstMemberAt ?? txn.Now };
            if (ListClosingRule.ReasonToClose(list, txn.Now) is { } reason)
            {
                list = await FlushAsync(txn, list, pending);
                await SendAsync(txn, await CloseAsync(txn, list, reason));
                list = null;
            }
        }

        if (list is not null)
        {
            _ = await FlushAsync(txn, list, pending);
        }

        return files.Count;
    }

    /// <summary>Writes the members appended to <paramref name="list"/> in memory since its last write, and its counts.</summary>
    private static async ValueTask<FileListRecord> FlushAsync(ICatalogTransaction txn, FileListRecord list, List<long> pending)
    {
        if (pending.Count == 0)
        {
            return list;
        }

        await txn.AddListMembersAsync(list.ListId, pending);
        pending.Clear();
        return await txn.UpdateListAsync(list);
    }

    /// <summary>L2; returns the closed list.</summary>
    private async ValueTask<FileListRecord> CloseAsync(ICatalogTransaction txn, FileListRecord list, CloseReason reason)
    {
        FileListRecord closed = await txn.TryMoveListAsync(list.ListId, FileListState.Filling, FileListEvent.Closed, HsmActor.Dispatcher,
            reason: reason.ToString(), mutate: l => l with { ClosedAt = txn.Now, CloseReason = reason, NotBefore = txn.Now })
            ?? throw new InvalidOperationException($"List {list.ListId:N} was expected FILLING.");
        if (closed.FirstMemberAt is { } first)
        {
            _metrics?.ListWait.Record((txn.Now - first).TotalSeconds, new TagList { { "kind", "archive" }, { "close_reason", reason.ToString().ToLowerInvariant() } });
        }

        Log.ListMoved(_logger, list.ListId, "FILLING", "FILLED", reason.ToString());
        return closed;
    }

    /// <summary>L3: sends a due list, or L11 when it became empty.</summary>
    private async ValueTask SendAsync(ICatalogTransaction txn, FileListRecord list)
    {
        IReadOnlyList<long> ids = await txn.GetListMembersAsync(list.ListId);
        if (ids.Count == 0)
        {
            _ = await txn.TryMoveListAsync(list.ListId, FileListState.Filled, FileListEvent.Emptied, HsmActor.Dispatcher, reason: "empty");
            return;
        }

        var members = new List<MemberDescriptor>(ids.Count);
        long estimate = 0;
        IReadOnlyList<FileRecord?> rows = await txn.GetFilesAsync(ids);
        for (int i = 0; i < ids.Count; i++)
        {
            FileRecord f = rows[i] ?? throw new CatalogConstraintException($"List {list.ListId:N} names missing file {ids[i]}.");
            MemberDescriptor d = MemberDescriptor.Of(f);
            estimate += 160 + d.CachePath.Length + d.NamespacePath.Length + (d.ExternalId?.Length ?? 0) + (d.Checksums.Count * 48);
            members.Add(d);
        }

        int attempt = list.Attempt + 1;
        DateTimeOffset deadline = txn.Now + _options.WorkLease;
        FileListRecord sent = await txn.TryMoveListAsync(list.ListId, FileListState.Filled, FileListEvent.Sent, HsmActor.Dispatcher, list.Attempt,
            reason: $"attempt {attempt}", mutate: l => l with { Attempt = attempt, Owner = null, LeaseUntil = deadline, NotBefore = null })
            ?? throw new InvalidOperationException($"List {list.ListId:N} was expected FILLED.");
        var command = new ArchiveCommand(sent.ListId, attempt, sent.PolicyKey, sent.Strategy, sent.Format, sent.Limits, sent.TapePool, sent.CopyCount,
            estimate <= _options.MaxInlineBody ? members : null);
        await AddCommandAsync(txn, sent, HsmMessageTypes.Archive, command, RequestPriority.Normal);
        Log.ListMoved(_logger, sent.ListId, "FILLED", "ACTIVE", $"attempt {attempt}");
    }

    /// <summary>
    /// L7 or L9: releases the attempt's remaining claims (A3, as the sweeper acting for the owner), then re-queues
    /// with a back-off, or kills the list when the charged failures reach <c>MaxAttempts</c>.
    /// </summary>
    private async ValueTask RequeueAsync(ICatalogTransaction txn, FileListRecord list, bool charged, string reason, TimeSpan delay, bool busy = false)
    {
        await ReleaseClaimsAsync(txn, list, reason);
        int failures = list.FailureCount + (charged ? 1 : 0);
        _metrics?.Retries.Add(1, new TagList { { "kind", "archive" }, { "reason", reason } });
        if (failures >= _options.MaxAttempts)
        {
            await KillAsync(txn, list with { FailureCount = failures }, reason);
            return;
        }

        DateTimeOffset notBefore = txn.Now + delay;
        _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Requeued, HsmActor.Dispatcher, list.Attempt, reason,
            l => l with
            {
                FailureCount = failures,
                BusyCount = l.BusyCount + (busy ? 1 : 0),
                NotBefore = notBefore,
                Owner = null,
                LeaseUntil = null,
                FailureReason = charged ? reason : l.FailureReason,
            });
        Log.ListMoved(_logger, list.ListId, "ACTIVE", "FILLED", reason);
    }

    /// <summary>L9 and A4: the list is dead-lettered and its members that are not archived become <c>FAILED</c> with an alarm.</summary>
    private async ValueTask KillAsync(ICatalogTransaction txn, FileListRecord list, string reason)
    {
        await ReleaseClaimsAsync(txn, list, reason);
        FileListRecord current = await txn.GetListAsync(list.ListId) ?? throw new CatalogConstraintException($"List {list.ListId:N} vanished.");
        _ = await txn.TryMoveListAsync(list.ListId, current.State, FileListEvent.Killed, HsmActor.Dispatcher, current.Attempt, reason,
            l => l with { FailureCount = list.FailureCount, FailureReason = reason, Owner = null, LeaseUntil = null });
        foreach (long id in await txn.GetListMembersAsync(list.ListId))
        {
            if (await txn.GetFileAsync(id) is { IsDeleted: false })
            {
                _ = await txn.TryMoveArchiveAsync(id, ArchiveStatus.None, FileArchiveEvent.GivenUp, HsmActor.Dispatcher, reason: reason,
                    mutate: f => f with { FailureReason = reason });
            }
        }

        _metrics?.DeadLetters.Add(1, new TagList { { "queue", "lists" }, { "reason", reason } });
        Log.ListDead(_logger, list.ListId, list.FailureCount, reason);
    }

    /// <summary>
    /// L8: supersedes the list and re-appends only members still <c>CACHED ∧ NONE ∧ not deleted</c> (Enstore's
    /// <c>refill_cache_written_pool</c>). Members whose cache copy is <c>FAILED</c> (C17, reported in
    /// <paramref name="lost"/> or found so in the catalogue, whichever reply carried it) become archive <c>FAILED</c>
    /// with the alarm "lost before archive" (A4, F13) — decided from catalogue truth, so a stale reply cannot hide a loss.
    /// </summary>
    private async ValueTask SupersedeAsync(ICatalogTransaction txn, FileListRecord list, IReadOnlyCollection<long> lost, string reason)
    {
        await ReleaseClaimsAsync(txn, list, reason);
        _ = await txn.TryMoveListAsync(list.ListId, FileListState.Active, FileListEvent.Superseded, HsmActor.Dispatcher, list.Attempt, reason,
            l => l with { Owner = null, LeaseUntil = null, FailureReason = reason });
        foreach (long id in (await txn.GetListMembersAsync(list.ListId)).Concat(lost).Distinct())
        {
            FileRecord? f = await txn.GetFileAsync(id);
            if (f is { CacheStatus: CacheStatus.Failed, ArchiveStatus: ArchiveStatus.None, IsDeleted: false })
            {
                string why = $"lost before archive: {f.FailureReason ?? reason}";
                _ = await txn.TryMoveArchiveAsync(id, ArchiveStatus.None, FileArchiveEvent.GivenUp, HsmActor.Dispatcher, reason: why,
                    mutate: r => r with { FailureReason = why });
                Log.LostBeforeArchive(_logger, id, why);
            }
            else if (f is not null)
            {
                _ = await AppendAsync(txn, f);
            }
        }
    }

    /// <summary>
    /// As the sweeper acting for the owner (R2, F2): the attempt's aggregations still in flight become <c>FAILED</c> (G5)
    /// and every member still claimed by it goes back to <c>NONE</c> (A3).
    /// </summary>
    private static async ValueTask ReleaseClaimsAsync(ICatalogTransaction txn, FileListRecord list, string reason)
    {
        foreach (AggregationRecord a in await txn.GetAggregationsOfListAsync(list.ListId, list.Attempt))
        {
            if (a.IsInFlight)
            {
                _ = await txn.TryMoveAggregationAsync(a.AggregationId, a.State, AggregationEvent.Failed, HsmActor.Sweeper, reason,
                    x => x with { FailureReason = reason });
            }
        }

        foreach (long id in await txn.GetListMembersAsync(list.ListId))
        {
            _ = await txn.TryMoveArchiveAsync(id, ArchiveStatus.Archiving, FileArchiveEvent.Released, HsmActor.Sweeper,
                expectedClaim: list.Claim, newClaim: null, reason: reason);
        }
    }
}
