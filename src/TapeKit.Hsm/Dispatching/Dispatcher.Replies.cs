using System.Diagnostics;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    /// <summary>Replies are matched against catalogue lists (F5: none is dropped for want of memory); an old attempt is stale (R4).</summary>
    private async ValueTask<FileListRecord?> CurrentAsync(ICatalogTransaction txn, string type, Guid listId, int attempt)
    {
        FileListRecord? list = await txn.GetListAsync(listId);
        if (list is null || list.Attempt != attempt)
        {
            _metrics?.StaleReplies.Add(1, new TagList { { "kind", type } });
            Log.StaleReply(_logger, type, listId, attempt, list?.Attempt ?? 0);
            return null;
        }

        return list;
    }

    private async ValueTask OnConfirmationAsync(ICatalogTransaction txn, Envelope message, ConfirmationReply body)
    {
        // Informational: the claim itself is already in the catalogue (L4).
        if (await CurrentAsync(txn, "confirmation", body.ListId, body.Attempt) is { State: FileListState.Active } list)
        {
            _ = await txn.UpdateListAsync(list with { LastReply = "Confirmation" });
        }
    }

    private async ValueTask OnArchivedAsync(ICatalogTransaction txn, Envelope message, ArchivedReply body)
    {
        // The migrator's commit made the list DONE (L6); nothing else to do but verify.
        if (await CurrentAsync(txn, "archived", body.ListId, body.Attempt) is { } list && list.State != FileListState.Done)
        {
            throw new CatalogConstraintException($"An Archived reply arrived for list {list.ListId:N}, which is {list.State}, not DONE: the commit and its reply were not one transaction.");
        }
    }

    private async ValueTask OnBusyAsync(ICatalogTransaction txn, Envelope message, BusyReply body)
    {
        if (await CurrentAsync(txn, "busy", body.ListId, body.Attempt) is not { State: FileListState.Active } list)
        {
            return;
        }

        _metrics?.BusyReplies.Add(1, new TagList { { "disk_library", list.DiskLibrary } });
        TimeSpan delay = _backoff.AfterBusy(body.RetryAfter);
        await RequeueAsync(txn, list, charged: false, "Busy", delay, busy: true);
    }

    private async ValueTask OnFailedAsync(ICatalogTransaction txn, Envelope message, FailedReply body)
    {
        if (await CurrentAsync(txn, "failed", body.ListId, body.Attempt) is not { State: FileListState.Active } list)
        {
            return;
        }

        string reason = body.Reason.ToString();
        switch (body.Reason)
        {
            case FailureReason.LeaseLost:
                return; // The worker was fenced; the list was already re-queued (F8).
            case FailureReason.RebuildPackage:
                await SupersedeAsync(txn, list, [], reason);
                return;
            case FailureReason.SourceMissing or FailureReason.SourceChecksumMismatch:
                await SupersedeAsync(txn, list, [.. body.AffectedFileIds], reason);
                return;
            case FailureReason.EndOfMedium:
                await RequeueAsync(txn, list, charged: false, reason, TimeSpan.Zero);
                return;
            case FailureReason.NoDriveAvailable or FailureReason.StageAreaFull:
                await RequeueAsync(txn, list, charged: false, reason, _backoff.Next(list.FailureCount + 1));
                return;
            case FailureReason.Cancelled:
                await KillAsync(txn, list, reason);
                return;
            case FailureReason.TapeWriteError or FailureReason.SyncFailed or FailureReason.AppendCheckFailed or FailureReason.WrongVolume
                or FailureReason.MountFailed or FailureReason.CatalogueUnavailable or FailureReason.Internal:
                // Retryable and charged by the spec's reason table (docs/hsm/overview.md#messages), whatever the migrator thought.
                await RequeueAsync(txn, list, charged: true, reason, _backoff.Next(list.FailureCount + 1));
                return;
            default:
                // Reasons of stage lists; for an archive list only the migrator's own judgement is left.
                if (body.Retryable)
                {
                    await RequeueAsync(txn, list, charged: true, reason, _backoff.Next(list.FailureCount + 1));
                }
                else
                {
                    await KillAsync(txn, list, reason);
                }

                return;
        }
    }

    private async ValueTask OnStatusReportAsync(ICatalogTransaction txn, Envelope message, StatusReportReply body)
    {
        if (body.Unknown && await CurrentAsync(txn, "status", body.ListId, body.Attempt) is { State: FileListState.Active } list)
        {
            // The migrator restarted and lost the list (Enstore's status None): treated as lease expiry, charged.
            _metrics?.LeaseExpiries.Add(1, new TagList { { "kind", "archive" } });
            await RequeueAsync(txn, list, charged: true, "StatusUnknown", _backoff.Next(list.FailureCount + 1));
        }
    }
}
