using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// One catalogue transaction: row-level reads and writes plus the outbox, inbox and audit rows that must commit with
/// them. State changes go through <see cref="CatalogTransitions"/>, which validates each against the normative
/// tables and makes it a compare-and-set (R3); the raw <c>Update…</c> methods are for fields outside the machines.
/// </summary>
public partial interface ICatalogTransaction : IAsyncDisposable
{
    /// <summary>The transaction's time: every audit row and lease in it uses this instant.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Reads a file row.</summary>
    /// <param name="fileId">The file id.</param>
    ValueTask<FileRecord?> GetFileAsync(long fileId);

    /// <summary>Reads a file row by the host's id.</summary>
    /// <param name="externalId">The external id.</param>
    ValueTask<FileRecord?> GetFileByExternalIdAsync(string externalId);

    /// <summary>Allocates the next file id (positive, never reused).</summary>
    ValueTask<long> AllocateFileIdAsync();

    /// <summary>Inserts a new file row; a duplicate id or external id throws.</summary>
    /// <param name="file">The row.</param>
    ValueTask InsertFileAsync(FileRecord file);

    /// <summary>
    /// Writes a file row's fields as one conditional update: it applies only while the stored row is still at
    /// <see cref="FileRecord.RowVersion"/> of <paramref name="file"/>, and moves the version on.
    /// </summary>
    /// <param name="file">The row as read (its version), with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="CatalogConstraintException">The row is missing, or its external id would change.</exception>
    /// <exception cref="CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<FileRecord> UpdateFileAsync(FileRecord file);

    /// <summary>Files matching a query, ascending by id.</summary>
    /// <param name="query">The query.</param>
    ValueTask<IReadOnlyList<FileRecord>> QueryFilesAsync(FileQuery query);

    /// <summary>
    /// Files and bytes per cache status in one disk library's area (deleted files left out), kept by the catalogue as
    /// rows change: the cost does not grow with the number of files.
    /// </summary>
    /// <param name="diskLibrary">The disk library.</param>
    ValueTask<IReadOnlyList<AreaUsageRow>> GetAreaUsageAsync(string diskLibrary);

    /// <summary>Files and bytes per cache status, archive status and deletion, kept by the catalogue as rows change.</summary>
    ValueTask<IReadOnlyList<FileCount>> CountFilesAsync();

    /// <summary>How many lists of a kind are in each state, kept by the catalogue as lists change.</summary>
    /// <param name="kind">The list kind.</param>
    ValueTask<IReadOnlyDictionary<FileListState, long>> CountListsAsync(FileListKind kind);

    /// <summary>
    /// A page of the files waiting for a recall (<c>STAGING_REQUESTED</c> and archived, not deleted), ascending by id, each with its
    /// tape copies: two statements per page however many files, where one read per file would cost a round trip each.
    /// </summary>
    /// <param name="diskLibrary">One disk library, or all.</param>
    /// <param name="skipListed">Leave out files already in a live stage list.</param>
    /// <param name="afterFileId">Start after this file id (keyset paging).</param>
    /// <param name="limit">The most files in the page.</param>
    ValueTask<IReadOnlyList<PendingRecall>> GetPendingRecallsAsync(string? diskLibrary, bool skipListed, long afterFileId, int limit);

    /// <summary>Reads a list row.</summary>
    /// <param name="listId">The list id.</param>
    ValueTask<FileListRecord?> GetListAsync(Guid listId);

    /// <summary>Inserts a new list row.</summary>
    /// <param name="list">The row.</param>
    ValueTask InsertListAsync(FileListRecord list);

    /// <summary>Writes a list row's fields as one conditional update on its <see cref="FileListRecord.RowVersion"/>.</summary>
    /// <param name="list">The row as read (its version), with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="CatalogConstraintException">The row is missing, or it would make a member live in two archive lists (I4).</exception>
    /// <exception cref="CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<FileListRecord> UpdateListAsync(FileListRecord list);

    /// <summary>Lists matching a query, by creation time then id.</summary>
    /// <param name="query">The query.</param>
    ValueTask<IReadOnlyList<FileListRecord>> QueryListsAsync(ListQuery query);

    /// <summary>The members of a list in append order.</summary>
    /// <param name="listId">The list.</param>
    ValueTask<IReadOnlyList<long>> GetListMembersAsync(Guid listId);

    /// <summary>
    /// Appends a member. For an archive list, a file that is already a member of another live archive list makes
    /// this throw <see cref="CatalogConstraintException"/>: invariant I4, enforced like the spec's partial unique index.
    /// </summary>
    /// <param name="listId">The list.</param>
    /// <param name="fileId">The file.</param>
    ValueTask AddListMemberAsync(Guid listId, long fileId);

    /// <summary>Removes a member; <see langword="false"/> when it was not one.</summary>
    /// <param name="listId">The list.</param>
    /// <param name="fileId">The file.</param>
    ValueTask<bool> RemoveListMemberAsync(Guid listId, long fileId);

    /// <summary>The live (<c>FILLING</c>, <c>FILLED</c>, <c>ACTIVE</c>) list of the given kind that holds the file, if any.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="kind">The list kind.</param>
    ValueTask<Guid?> FindLiveListOfFileAsync(long fileId, FileListKind kind);

    /// <summary>Allocates the next aggregation id (positive, never reused).</summary>
    ValueTask<long> AllocateAggregationIdAsync();

    /// <summary>Reads an aggregation row.</summary>
    /// <param name="aggregationId">The aggregation.</param>
    ValueTask<AggregationRecord?> GetAggregationAsync(long aggregationId);

    /// <summary>Inserts an aggregation row.</summary>
    /// <param name="aggregation">The row.</param>
    ValueTask InsertAggregationAsync(AggregationRecord aggregation);

    /// <summary>
    /// Writes an aggregation row's fields as one conditional update on its <see cref="AggregationRecord.RowVersion"/>.
    /// Two aggregations that are not <c>FAILED</c> may not claim the same <c>(vsn, fseq)</c>: that throws
    /// <see cref="CatalogConstraintException"/> (the spec's unique segment key).
    /// </summary>
    /// <param name="aggregation">The row as read (its version), with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<AggregationRecord> UpdateAggregationAsync(AggregationRecord aggregation);

    /// <summary>The aggregations built by one list (optionally one attempt), by id.</summary>
    /// <param name="listId">The list.</param>
    /// <param name="attempt">Only this attempt, or all.</param>
    ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOfListAsync(Guid listId, int? attempt = null);

    /// <summary>The aggregations whose tape file is on <paramref name="vsn"/>, in every state, by fseq then id.</summary>
    /// <param name="vsn">The tape.</param>
    ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOnTapeAsync(string vsn);

    /// <summary>Records the members of an aggregation; a file appears at most once per aggregation.</summary>
    /// <param name="members">The rows.</param>
    ValueTask AddAggregationMembersAsync(IReadOnlyList<AggregationMemberRecord> members);

    /// <summary>The members of an aggregation by index.</summary>
    /// <param name="aggregationId">The aggregation.</param>
    ValueTask<IReadOnlyList<AggregationMemberRecord>> GetAggregationMembersAsync(long aggregationId);

    /// <summary>The aggregations (with their member row) that hold a file.</summary>
    /// <param name="fileId">The file.</param>
    ValueTask<IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)>> GetCopiesOfFileAsync(long fileId);

    /// <summary>Reads a tape row.</summary>
    /// <param name="vsn">The VSN.</param>
    ValueTask<TapeRecord?> GetTapeAsync(string vsn);

    /// <summary>Inserts a new tape row; a VSN the catalogue knows throws <see cref="CatalogConstraintException"/>.</summary>
    /// <param name="tape">The row, with its counters (a rebuilt catalogue starts them where the tape ends).</param>
    ValueTask InsertTapeAsync(TapeRecord tape);

    /// <summary>
    /// Writes a tape row's state, mount, reservation and error fields as one conditional update on its
    /// <see cref="TapeRecord.RowVersion"/>. The counters (<see cref="TapeRecord.LastFseq"/>,
    /// <see cref="TapeRecord.BytesUsed"/>) are not written here: they only move forward, with
    /// <see cref="AdvanceTapeAsync"/>, so a writer holding an old copy of the row can never move them back.
    /// </summary>
    /// <param name="tape">The row as read (its version), with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="CatalogConstraintException">The tape is unknown.</exception>
    /// <exception cref="CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<TapeRecord> UpdateTapeAsync(TapeRecord tape);

    /// <summary>
    /// Moves a tape's counters forward as a committed tape file demands: <c>last_fseq</c> becomes the larger of itself
    /// and <paramref name="committedFseq"/>, <paramref name="addedBytes"/> are added to <c>bytes_used</c>, and a
    /// <c>FREE</c> tape becomes <c>FILLING</c> — one column update, whatever version the caller read.
    /// </summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="committedFseq">The tape file just committed.</param>
    /// <param name="addedBytes">Its bytes (zero or more).</param>
    /// <returns>The row as stored now, or <see langword="null"/> for a tape the catalogue does not know.</returns>
    ValueTask<TapeRecord?> AdvanceTapeAsync(string vsn, int committedFseq, long addedBytes);

    /// <summary>The tapes of a pool (all pools when <see langword="null"/>), by VSN.</summary>
    /// <param name="pool">The pool.</param>
    ValueTask<IReadOnlyList<TapeRecord>> QueryTapesAsync(string? pool = null);

    /// <summary>The drive rows of a tape library, by drive number.</summary>
    /// <param name="library">The tape library.</param>
    ValueTask<IReadOnlyList<DriveRecord>> QueryDrivesAsync(string library);

    /// <summary>
    /// Inserts a drive row. A drive the catalogue knows, or a cartridge already in another drive row (one mount per
    /// tape), throws <see cref="CatalogConstraintException"/>.
    /// </summary>
    /// <param name="drive">The row.</param>
    ValueTask InsertDriveAsync(DriveRecord drive);

    /// <summary>
    /// Writes a drive row's fields as one conditional update on its <see cref="DriveRecord.RowVersion"/>. A cartridge
    /// that another drive row holds throws <see cref="CatalogConstraintException"/>: a tape is in one drive at most.
    /// </summary>
    /// <param name="drive">The row as read (its version), with the new field values.</param>
    /// <returns>The row as stored now, with its new version.</returns>
    /// <exception cref="CatalogConstraintException">The drive is unknown, or the cartridge is in another drive row.</exception>
    /// <exception cref="CatalogConflictException">Another writer updated the row since it was read.</exception>
    ValueTask<DriveRecord> UpdateDriveAsync(DriveRecord drive);

    /// <summary>Queues a mount request; a request id the catalogue knows throws <see cref="CatalogConstraintException"/>.</summary>
    /// <param name="request">The row.</param>
    ValueTask InsertMountRequestAsync(MountRequestRecord request);

    /// <summary>The mount requests waiting for a drive of a tape library, oldest first (then by id).</summary>
    /// <param name="library">The tape library.</param>
    ValueTask<IReadOnlyList<MountRequestRecord>> QueryMountRequestsAsync(string library);

    /// <summary>Moves a waiting request's lease to <paramref name="leaseUntil"/>; <see langword="false"/> when the request is gone.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="leaseUntil">The new end of its lease.</param>
    ValueTask<bool> RenewMountRequestAsync(Guid requestId, DateTimeOffset leaseUntil);

    /// <summary>Removes a mount request (granted, cancelled or expired); <see langword="false"/> when it was gone already.</summary>
    /// <param name="requestId">The request.</param>
    ValueTask<bool> DeleteMountRequestAsync(Guid requestId);

    /// <summary>
    /// Starts a new incarnation of a process instance: its epoch grows by one (1 on first use) and is recorded
    /// durably with the start time. Workers of older epochs of the same instance are fenced from then on.
    /// </summary>
    /// <param name="instanceName">The instance's stable name (e.g. <c>host/role</c>).</param>
    /// <returns>The new epoch.</returns>
    ValueTask<long> AdvanceInstanceEpochAsync(string instanceName);

    /// <summary>The current epoch of a process instance; 0 when it never started.</summary>
    /// <param name="instanceName">The instance's stable name.</param>
    ValueTask<long> GetInstanceEpochAsync(string instanceName);

    /// <summary>Adds a message to the outbox; it is published only if the transaction commits.</summary>
    /// <param name="message">The message.</param>
    ValueTask AddOutboxAsync(OutboundMessage message);

    /// <summary>Records a processed message id for a consumer; <see langword="false"/> = already processed (a duplicate).</summary>
    /// <param name="consumer">The consumer (e.g. <c>dispatcher</c>).</param>
    /// <param name="messageId">The message id.</param>
    ValueTask<bool> TryMarkInboxAsync(string consumer, Guid messageId);

    /// <summary>Appends an audit row (R7).</summary>
    /// <param name="transition">The row.</param>
    ValueTask AddTransitionAsync(TransitionRecord transition);

    /// <summary>The audit rows of one entity, oldest first.</summary>
    /// <param name="entity">The machine name.</param>
    /// <param name="entityId">The entity id.</param>
    ValueTask<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string entity, string entityId);

    /// <summary>
    /// Removes up to <paramref name="maxRows"/> rows of each kind of history older than <paramref name="cutoffs"/>:
    /// finished lists (<c>DONE</c>, <c>SUPERSEDED</c>, <c>DEAD</c>) with their member rows, audit rows, processed
    /// message ids. Live lists, files, aggregations, members and tapes are never touched.
    /// </summary>
    /// <param name="cutoffs">What is old enough.</param>
    /// <param name="maxRows">The most rows of each kind removed in this call.</param>
    /// <returns>What was removed.</returns>
    ValueTask<HistoryPruned> PruneHistoryAsync(HistoryCutoffs cutoffs, int maxRows);

    /// <summary>Commits durably; after this returns the changes and their outbox rows survive a crash.</summary>
    /// <param name="ct">Cancels before the commit starts.</param>
    ValueTask CommitAsync(CancellationToken ct = default);
}
