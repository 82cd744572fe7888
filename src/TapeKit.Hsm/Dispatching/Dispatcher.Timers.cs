using System.Diagnostics;
using System.Diagnostics.Metrics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    /// <summary>
    /// Runs the timers once: closes lists whose age rule fired (L2), sends due <c>FILLED</c> lists (L3), and — after the
    /// start-up grace of one <c>WorkLease</c> (R6) — re-queues <c>ACTIVE</c> lists whose work lease passed (F2). Lists owned
    /// by an incarnation whose instance has restarted since are re-queued at once, uncharged: the process died, not the
    /// list's work. Each list is its own transaction. Returns the next time a timer is due, computed exactly (docs/hsm/overview.md#list-closing), or <see langword="null"/>.
    /// </summary>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<DateTimeOffset?> TickAsync(CancellationToken ct = default)
    {
        IReadOnlyList<FileListRecord> live;
        IReadOnlyDictionary<FileListState, long> counts;
        HashSet<string> fenced;
        await using (ICatalogTransaction read = await _catalog.BeginAsync(ct))
        {
            // Only the live lists are read (of every kind at once: one snapshot transaction per tick, not one per kind),
            // and the per-state counts are the catalogue's maintained aggregate: a tick costs what the live work costs,
            // however many lists the catalogue has finished.
            live = await read.QueryListsAsync(new ListQuery { States = ListQuery.LiveStates });
            counts = await read.CountListsAsync(FileListKind.Archive);
            fenced = await FencedOwnersAsync(read, live);
        }

        FileListRecord[] lists = [.. live.Where(l => l.Kind == FileListKind.Archive)];

        _listCounts = [.. counts.Select(c => new Measurement<long>(c.Value, new TagList { { "kind", "archive" }, { "state", StateNames.Of(c.Key) } }))];
        DateTimeOffset now = _catalog.Time.GetUtcNow();
        bool graceOver = now >= _startedAt + _options.WorkLease;
        DateTimeOffset? next = graceOver ? null : _startedAt + _options.WorkLease;
        foreach (FileListRecord snapshot in lists)
        {
            // A list with nothing due by the snapshot costs no transaction; a due one is re-read in its own.
            bool idle = snapshot.State switch
            {
                FileListState.Filling => ListClosingRule.ReasonToClose(snapshot, now) is null,
                FileListState.Filled => (snapshot.NotBefore ?? now) > now,
                _ => !fenced.Contains(snapshot.Owner ?? "") && (!graceOver || snapshot.LeaseUntil is not { } until || until > now),
            };
            if (idle)
            {
                next = Min(next, DueAt(snapshot));
                continue;
            }

            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            FileListRecord? list = await txn.GetListAsync(snapshot.ListId);
            if (list is null)
            {
                continue;
            }

            // A list whose owner's instance has restarted since is taken back at once, grace or not (the owner is dead).
            bool ownerRestarted = list.State == FileListState.Active && await txn.IsFencedAsync(list.Owner);
            switch (list.State)
            {
                case FileListState.Active when ownerRestarted:
                    await RequeueAsync(txn, list, charged: false, OwnerRestarted, TimeSpan.Zero);
                    break;
                case FileListState.Filling when ListClosingRule.ReasonToClose(list, txn.Now) is { } reason:
                    await SendAsync(txn, await CloseAsync(txn, list, reason));
                    break;
                case FileListState.Filling:
                    next = Min(next, ListClosingRule.DueAt(list));
                    break;
                case FileListState.Filled when (list.NotBefore ?? txn.Now) <= txn.Now:
                    await SendAsync(txn, list);
                    break;
                case FileListState.Filled:
                    next = Min(next, list.NotBefore);
                    break;
                case FileListState.Active when graceOver && list.LeaseUntil is { } until && until <= txn.Now:
                    _metrics?.LeaseExpiries.Add(1, new TagList { { "kind", "archive" } });
                    await RequeueAsync(txn, list, charged: true, "LeaseExpired", _backoff.Next(list.FailureCount + 1));
                    break;
                case FileListState.Active:
                    next = Min(next, list.LeaseUntil);
                    break;
            }

            await txn.CommitAsync(ct);
        }

        next = Min(next, await TickStageListsAsync(graceOver, [.. live.Where(l => l.Kind == FileListKind.Stage)], fenced, ct));
        next = Min(next, await TickPurgeListsAsync(graceOver, [.. live.Where(l => l.Kind == FileListKind.Purge)], fenced, ct));
        return next;
    }

    /// <summary>Admin flush: closes every <c>FILLING</c> list (of one disk library, or all) with reason <c>Flush</c> (or <c>Pressure</c>).</summary>
    /// <param name="diskLibrary">Only this disk library, or <see langword="null"/> for all.</param>
    /// <param name="reason"><see cref="CloseReason.Flush"/> or <see cref="CloseReason.Pressure"/>.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>How many lists were closed.</returns>
    public async ValueTask<int> FlushAsync(string? diskLibrary = null, CloseReason reason = CloseReason.Flush, CancellationToken ct = default)
    {
        if (reason is not (CloseReason.Flush or CloseReason.Pressure))
        {
            throw new ArgumentOutOfRangeException(nameof(reason), reason, "A flush closes lists with reason Flush or Pressure.");
        }

        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        IReadOnlyList<FileListRecord> open = await txn.QueryListsAsync(new ListQuery
        {
            Kind = FileListKind.Archive, States = [FileListState.Filling], DiskLibrary = diskLibrary,
        });
        int closed = 0;
        foreach (FileListRecord list in open.Where(l => l.MemberCount > 0))
        {
            _ = await CloseAsync(txn, list, reason);
            closed++;
        }

        await txn.CommitAsync(ct);
        return closed;
    }

    /// <summary>When a live list's timer fires by this snapshot of it: its age rule, its back-off, or its lease.</summary>
    private static DateTimeOffset? DueAt(FileListRecord list) => list.State switch
    {
        FileListState.Filling => ListClosingRule.DueAt(list),
        FileListState.Filled => list.NotBefore,
        _ => list.LeaseUntil,
    };

    /// <summary>The owners of the given lists whose instance has restarted since they claimed (a look-up per distinct owner).</summary>
    private static async ValueTask<HashSet<string>> FencedOwnersAsync(ICatalogTransaction txn, IReadOnlyList<FileListRecord> lists)
    {
        var fenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (string owner in lists.Where(l => l.State == FileListState.Active && l.Owner is not null).Select(l => l.Owner!).Distinct(StringComparer.Ordinal))
        {
            if (await txn.IsFencedAsync(owner))
            {
                fenced.Add(owner);
            }
        }

        return fenced;
    }

    /// <summary>The re-queue reason of work whose owner's instance restarted (fenced by epoch).</summary>
    internal const string OwnerRestarted = "OwnerRestarted";

    private static DateTimeOffset? Min(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;
}
