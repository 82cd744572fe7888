using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The batch writes that must be all or nothing: the row methods in order (in-process, a statement costs no round trip)
/// under a savepoint, so that a refused row undoes the whole batch and leaves the transaction usable. The other batch
/// methods are the contract's default bodies (the row methods in order).
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
