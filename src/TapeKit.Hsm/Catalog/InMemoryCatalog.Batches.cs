using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

public sealed partial class InMemoryCatalog
{
    /// <summary>The all-or-nothing batch writes: the row methods in order, undone whole (the state before restored) when one row is refused; the other batch methods are the contract's default bodies.</summary>
    private sealed partial class Transaction
    {
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

        /// <summary>Runs a batch write; when it throws, the state before it is restored (the state is immutable, so that is one assignment).</summary>
        private async ValueTask<T> AtomicAsync<T>(Func<ValueTask<T>> write)
        {
            State before = _s;
            try
            {
                return await write();
            }
            catch
            {
                _s = before;
                throw;
            }
        }
    }
}
