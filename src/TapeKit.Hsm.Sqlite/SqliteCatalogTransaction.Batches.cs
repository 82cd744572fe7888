using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The batch methods: the row methods in order (in-process, a statement costs no round trip), a batch write under a
/// savepoint so that a refused row undoes the whole batch and leaves the transaction usable.
/// </summary>
internal sealed partial class SqliteCatalogTransaction
{
    private const string BatchSavepoint = "tapekit_batch";

    public async ValueTask InsertFilesAsync(IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        _ = await AtomicAsync(async () =>
        {
            foreach (FileRecord f in files)
            {
                await InsertFileAsync(f);
            }

            return true;
        });
    }

    public ValueTask<IReadOnlyList<FileRecord>> UpdateFilesAsync(IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        return AtomicAsync<IReadOnlyList<FileRecord>>(async () =>
        {
            var rows = new List<FileRecord>(files.Count);
            foreach (FileRecord f in files)
            {
                rows.Add(await UpdateFileAsync(f));
            }

            return rows;
        });
    }

    public async ValueTask<IReadOnlyDictionary<long, Guid>> FindLiveListsOfFilesAsync(IReadOnlyList<long> fileIds, FileListKind kind)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var found = new Dictionary<long, Guid>();
        foreach (long id in fileIds)
        {
            if (await FindLiveListOfFileAsync(id, kind) is { } list)
            {
                found[id] = list;
            }
        }

        return found;
    }

    public async ValueTask AddListMembersAsync(Guid listId, IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        _ = await AtomicAsync(async () =>
        {
            foreach (long id in fileIds)
            {
                await AddListMemberAsync(listId, id);
            }

            return true;
        });
    }

    public async ValueTask AddOutboxManyAsync(IReadOnlyList<OutboundMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (OutboundMessage m in messages)
        {
            await AddOutboxAsync(m);
        }
    }

    public async ValueTask<IReadOnlyList<bool>> TryMarkInboxManyAsync(string consumer, IReadOnlyList<Guid> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var marked = new List<bool>(messageIds.Count);
        foreach (Guid id in messageIds)
        {
            marked.Add(await TryMarkInboxAsync(consumer, id));
        }

        return marked;
    }

    public async ValueTask AddTransitionsAsync(IReadOnlyList<TransitionRecord> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (TransitionRecord t in transitions)
        {
            await AddTransitionAsync(t);
        }
    }

    /// <summary>Runs a batch write under a savepoint; when it throws, the savepoint is rolled back (the batch undone) and released.</summary>
    private async ValueTask<T> AtomicAsync<T>(Func<ValueTask<T>> write)
    {
        Live();
        _txn.Save(BatchSavepoint);
        try
        {
            T result = await write();
            _txn.Release(BatchSavepoint);
            return result;
        }
        catch
        {
            _txn.Rollback(BatchSavepoint);
            _txn.Release(BatchSavepoint);
            _liveStageMembers = null;
            throw;
        }
    }
}
