using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Dispatching;

public sealed partial class Dispatcher
{
    /// <summary><c>CacheWritten</c>: append to the list of the stored policy key; the catalogue row, not the event body, is authoritative.</summary>
    private async ValueTask OnCacheWrittenAsync(ICatalogTransaction txn, Envelope message, CacheWrittenEvent body)
    {
        if (await txn.GetFileAsync(body.Member.FileId) is { } file)
        {
            _ = await AppendAsync(txn, file);
        }
    }

    /// <summary>
    /// A run of <c>CacheWritten</c> events in one transaction, as applying each in turn would: each is read (a poison one
    /// throws before anything is written), marked in the inbox (duplicates skipped), and the files of the new ones are
    /// appended together — a few statements for the run instead of several per event.
    /// </summary>
    private async ValueTask OnCacheWrittenManyAsync(ICatalogTransaction txn, IReadOnlyList<Envelope> messages)
    {
        CacheWrittenEvent[] bodies = [.. messages.Select(HsmMessages.Read<CacheWrittenEvent>)];
        IReadOnlyList<bool> fresh = await txn.TryMarkInboxManyAsync(InboxConsumer, [.. messages.Select(m => m.MessageId)]);
        long[] ids = [.. bodies.Where((_, i) => fresh[i]).Select(b => b.Member.FileId)];
        if (ids.Length > 0)
        {
            _ = await AppendManyAsync(txn, [.. (await txn.GetFilesAsync(ids)).OfType<FileRecord>()]);
        }
    }

    /// <summary>
    /// <c>NamespaceDeleted</c> (F7): tombstone the file and remove it from a <c>FILLING</c>/<c>FILLED</c> list (L11 when
    /// that empties it); an <c>ACTIVE</c> list is left to the migrator's re-check (<c>RebuildPackage</c>).
    /// </summary>
    private async ValueTask OnNamespaceDeletedAsync(ICatalogTransaction txn, Envelope message, NamespaceDeletedEvent body)
    {
        FileRecord? file = await txn.GetFileAsync(body.FileId);
        if (file is null || file.IsDeleted)
        {
            return;
        }

        _ = await txn.UpdateFileAsync(file with { DeletedAt = body.DeletedAt });
        if (await txn.FindLiveListOfFileAsync(file.FileId, FileListKind.Archive) is not { } listId
            || await txn.GetListAsync(listId) is not { State: FileListState.Filling or FileListState.Filled } list)
        {
            return;
        }

        _ = await txn.RemoveListMemberAsync(listId, file.FileId);
        list = list with { MemberCount = list.MemberCount - 1, MemberBytes = list.MemberBytes - file.Size };
        list = await txn.UpdateListAsync(list);
        if (list.MemberCount == 0)
        {
            _ = await txn.TryMoveListAsync(listId, list.State, FileListEvent.Emptied, HsmActor.Dispatcher, reason: "all members deleted");
        }
    }
}
