using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// Set-based forms of the row methods, for the hot paths that touch a batch of files at once (ingest, the dispatcher's
/// appends, a migrator's claim and commit). On a server store each is one statement (or a few) instead of one round trip
/// per row; the results are those of the row methods called in order. The default bodies do exactly that, so a provider
/// may leave them out — but then a batch write that throws may have written the rows before the refused one, so a caller
/// never commits after a batch write threw (a unit of work never does). The providers of this library write all of a
/// batch or none of it.
/// </summary>
public partial interface ICatalogTransaction
{
    /// <summary>Reads many file rows; the result is aligned with <paramref name="fileIds"/> (<see langword="null"/> for a missing file).</summary>
    /// <param name="fileIds">The file ids (repeats allowed).</param>
    async ValueTask<IReadOnlyList<FileRecord?>> GetFilesAsync(IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var rows = new FileRecord?[fileIds.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = await GetFileAsync(fileIds[i]);
        }

        return rows;
    }

    /// <summary>Reads many file rows by the host's ids; aligned with <paramref name="externalIds"/> (<see langword="null"/> for an unknown id).</summary>
    /// <param name="externalIds">The external ids.</param>
    async ValueTask<IReadOnlyList<FileRecord?>> GetFilesByExternalIdsAsync(IReadOnlyList<string> externalIds)
    {
        ArgumentNullException.ThrowIfNull(externalIds);
        var rows = new FileRecord?[externalIds.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = await GetFileByExternalIdAsync(externalIds[i]);
        }

        return rows;
    }

    /// <summary>Allocates <paramref name="count"/> new file ids, ascending (as <see cref="AllocateFileIdAsync"/> would, one by one).</summary>
    /// <param name="count">How many (zero or more).</param>
    async ValueTask<IReadOnlyList<long>> AllocateFileIdsAsync(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var ids = new long[count];
        for (int i = 0; i < count; i++)
        {
            ids[i] = await AllocateFileIdAsync();
        }

        return ids;
    }

    /// <summary>Inserts new file rows (<see cref="InsertFileAsync"/>); a duplicate id or external id throws and inserts none.</summary>
    /// <param name="files">The rows.</param>
    async ValueTask InsertFilesAsync(IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        foreach (FileRecord f in files)
        {
            await InsertFileAsync(f);
        }
    }

    /// <summary>
    /// Writes many file rows, each conditional on its <see cref="FileRecord.RowVersion"/> (<see cref="UpdateFileAsync"/>);
    /// when one cannot be written, the call throws as that method would and writes none.
    /// </summary>
    /// <param name="files">The rows as read, with the new field values (each file at most once).</param>
    /// <returns>The rows as stored now, aligned with <paramref name="files"/>.</returns>
    async ValueTask<IReadOnlyList<FileRecord>> UpdateFilesAsync(IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        var rows = new FileRecord[files.Count];
        for (int i = 0; i < rows.Length; i++)
        {
            rows[i] = await UpdateFileAsync(files[i]);
        }

        return rows;
    }

    /// <summary>The live list of the given kind that holds each file, for the files that are in one (<see cref="FindLiveListOfFileAsync"/>).</summary>
    /// <param name="fileIds">The files.</param>
    /// <param name="kind">The list kind.</param>
    async ValueTask<IReadOnlyDictionary<long, Guid>> FindLiveListsOfFilesAsync(IReadOnlyList<long> fileIds, FileListKind kind)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        var found = new Dictionary<long, Guid>();
        foreach (long id in fileIds)
        {
            if (!found.ContainsKey(id) && await FindLiveListOfFileAsync(id, kind) is { } list)
            {
                found[id] = list;
            }
        }

        return found;
    }

    /// <summary>Appends members in order (<see cref="AddListMemberAsync"/>); a member that cannot join throws and none joins.</summary>
    /// <param name="listId">The list.</param>
    /// <param name="fileIds">The files, each at most once.</param>
    async ValueTask AddListMembersAsync(Guid listId, IReadOnlyList<long> fileIds)
    {
        ArgumentNullException.ThrowIfNull(fileIds);
        foreach (long id in fileIds)
        {
            await AddListMemberAsync(listId, id);
        }
    }

    /// <summary>Adds messages to the outbox in order (<see cref="AddOutboxAsync"/>).</summary>
    /// <param name="messages">The messages.</param>
    async ValueTask AddOutboxManyAsync(IReadOnlyList<OutboundMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        foreach (OutboundMessage m in messages)
        {
            await AddOutboxAsync(m);
        }
    }

    /// <summary>
    /// Records processed message ids for a consumer (<see cref="TryMarkInboxAsync"/>); aligned with
    /// <paramref name="messageIds"/>, <see langword="false"/> for a duplicate (an id processed before, or repeated earlier in the call).
    /// </summary>
    /// <param name="consumer">The consumer.</param>
    /// <param name="messageIds">The message ids.</param>
    async ValueTask<IReadOnlyList<bool>> TryMarkInboxManyAsync(string consumer, IReadOnlyList<Guid> messageIds)
    {
        ArgumentNullException.ThrowIfNull(messageIds);
        var marked = new bool[messageIds.Count];
        for (int i = 0; i < marked.Length; i++)
        {
            marked[i] = await TryMarkInboxAsync(consumer, messageIds[i]);
        }

        return marked;
    }

    /// <summary>Appends audit rows in order (<see cref="AddTransitionAsync"/>).</summary>
    /// <param name="transitions">The rows.</param>
    async ValueTask AddTransitionsAsync(IReadOnlyList<TransitionRecord> transitions)
    {
        ArgumentNullException.ThrowIfNull(transitions);
        foreach (TransitionRecord t in transitions)
        {
            await AddTransitionAsync(t);
        }
    }
}
