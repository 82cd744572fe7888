using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The batch writes that must be all or nothing: the row methods in order (in-process, a statement costs no round trip)
/// under a savepoint, so that a refused row undoes the whole batch and leaves the transaction usable. Reading many files
/// is one statement per chunk of ids (compiling a statement costs more than running it); the other batch methods are the
/// contract's default bodies (the row methods in order).
/// </summary>
internal sealed partial class SqliteCatalogTransaction
{
    /// <summary>Ids per <c>IN</c> list: well under SQLite's limit of 32 766 host parameters.</summary>
    private const int IdChunk = 500;

    public ValueTask<IReadOnlyList<FileRecord?>> GetFilesAsync(IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        if (fileIds.Count <= 1)
        {
            return fileIds.Count == 0 ? ValueTask.FromResult<IReadOnlyList<FileRecord?>>([]) : GetOneAsync(fileIds[0]);
        }

        var found = new Dictionary<long, FileRecord>(fileIds.Count);
        foreach (long[] chunk in fileIds.Distinct().Chunk(IdChunk))
        {
            (string, object?)[] args = [.. chunk.Select((id, i) => ($"$i{i}", (object?)id))];
            foreach (FileRecord f in QueryFiles($"{FileSelect} WHERE file_id IN ({string.Join(", ", args.Select(a => a.Item1))})", args))
            {
                found[f.FileId] = f;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<FileRecord?>>([.. fileIds.Select(id => found.GetValueOrDefault(id))]);

        async ValueTask<IReadOnlyList<FileRecord?>> GetOneAsync(long id) => [await GetFileAsync(id)];
    }

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
        if (fileIds.Count == 0)
        {
            return;
        }

        _liveStageMembers = null;
        Live();
        // The list is read once and the insert compiled once for the batch, not both for every member.
        FileListRecord list = await GetListAsync(listId) ?? throw new CatalogConstraintException($"List {listId:N} does not exist.");
        string id = listId.ToString("N");
        _ = await AtomicAsync(() =>
        {
            long ordinal = (long)Scalar("SELECT COALESCE(MAX(ordinal), 0) FROM file_list_members WHERE list_id = $id", ("$id", id))!;
            SqliteCommand insert = Command(
                "INSERT INTO file_list_members (list_id, file_id, ordinal, live_archive) VALUES ($id, $file, $ordinal, $live)",
                ("$id", id), ("$file", 0L), ("$ordinal", 0L), ("$live", IsLiveArchive(list) ? 1 : null));
            foreach (long fileId in fileIds)
            {
                insert.Parameters["$file"].Value = fileId;
                insert.Parameters["$ordinal"].Value = ++ordinal;
                try
                {
                    _ = Translated(insert.ExecuteNonQuery);
                }
                catch (CatalogConstraintException e)
                {
                    throw new CatalogConstraintException($"File {fileId} cannot join list {listId:N}: it does not exist, is already a member, or is in another live archive list (invariant I4).", e);
                }
            }

            return ValueTask.FromResult(true);
        });
    }
}
