using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Leadership;

/// <summary>
/// The batch calls go to the inner transaction's own: the interface's default bodies would split each into one
/// statement per row, and on a catalogue server every statement is a round trip (a leading dispatcher on PostgreSQL
/// paid one per file of each batch).
/// </summary>
internal sealed partial class LeaderFencedTransaction
{
    public ValueTask<IReadOnlyList<FileRecord?>> GetFilesAsync(IReadOnlyList<long> fileIds) => inner.GetFilesAsync(fileIds);

    public ValueTask<IReadOnlyList<FileRecord?>> GetFilesByExternalIdsAsync(IReadOnlyList<string> externalIds) => inner.GetFilesByExternalIdsAsync(externalIds);

    public ValueTask<IReadOnlyList<long>> AllocateFileIdsAsync(int count) => inner.AllocateFileIdsAsync(count);

    public ValueTask InsertFilesAsync(IReadOnlyList<FileRecord> files) => inner.InsertFilesAsync(files);

    public ValueTask<IReadOnlyList<FileRecord>> UpdateFilesAsync(IReadOnlyList<FileRecord> files) => inner.UpdateFilesAsync(files);

    public ValueTask<IReadOnlyDictionary<long, Guid>> FindLiveListsOfFilesAsync(IReadOnlyList<long> fileIds, FileListKind kind) =>
        inner.FindLiveListsOfFilesAsync(fileIds, kind);

    public ValueTask AddListMembersAsync(Guid listId, IReadOnlyList<long> fileIds) => inner.AddListMembersAsync(listId, fileIds);

    public ValueTask AddOutboxManyAsync(IReadOnlyList<OutboundMessage> messages) => inner.AddOutboxManyAsync(messages);

    public ValueTask<IReadOnlyList<bool>> TryMarkInboxManyAsync(string consumer, IReadOnlyList<Guid> messageIds) => inner.TryMarkInboxManyAsync(consumer, messageIds);

    public ValueTask AddTransitionsAsync(IReadOnlyList<TransitionRecord> transitions) => inner.AddTransitionsAsync(transitions);
}
