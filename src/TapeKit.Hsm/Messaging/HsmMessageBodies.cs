using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Messaging;

/// <summary>The member descriptor of events and commands (docs/hsm/overview.md#messages).</summary>
/// <param name="FileId">The catalogue id.</param>
/// <param name="ExternalId">The host's id, if any.</param>
/// <param name="CachePath">Relative to the disk library's area root.</param>
/// <param name="NamespacePath">The user-visible name.</param>
/// <param name="Size">Bytes.</param>
/// <param name="Checksums">At least one.</param>
public sealed record MemberDescriptor(long FileId, string? ExternalId, string CachePath, string NamespacePath, long Size, IReadOnlyList<Checksum> Checksums)
{
    /// <summary>The descriptor of a file row.</summary>
    /// <param name="file">The row.</param>
    public static MemberDescriptor Of(FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return new(file.FileId, file.ExternalId, file.CachePath, file.NamespacePath, file.Size, file.Checksums);
    }
}

/// <summary><c>CacheWritten</c> (docs/hsm/overview.md#messages): a file is complete and durable in the write cache.</summary>
/// <param name="Member">The file.</param>
/// <param name="PolicyKey">The stored policy key.</param>
/// <param name="DiskLibrary">The home disk library.</param>
public sealed record CacheWrittenEvent(MemberDescriptor Member, string PolicyKey, string DiskLibrary);

/// <summary><c>NamespaceDeleted</c> (docs/hsm/overview.md#messages): the host deleted the file.</summary>
/// <param name="FileId">The file.</param>
/// <param name="DeletedAt">When.</param>
public sealed record NamespaceDeletedEvent(long FileId, DateTimeOffset DeletedAt);

/// <summary>One tape copy of an archived file.</summary>
/// <param name="Vsn">The tape.</param>
/// <param name="Fseq">The tape file.</param>
/// <param name="CopyNb">The copy number.</param>
public sealed record TapeCopy(string Vsn, int Fseq, int CopyNb);

/// <summary><c>FileArchived</c> (docs/hsm/overview.md#messages): the archive acknowledgement of P5, emitted only in the commit transaction.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Copies">Its tape copies.</param>
public sealed record FileArchivedEvent(long FileId, IReadOnlyList<TapeCopy> Copies);

/// <summary><c>CacheStaged</c> (docs/hsm/overview.md#messages, C7): files present in the read cache; readers may proceed. Batched per stage item.</summary>
/// <param name="FileIds">The files published.</param>
/// <param name="DiskLibrary">Their disk library.</param>
public sealed record CacheStagedEvent(IReadOnlyList<long> FileIds, string DiskLibrary);

/// <summary><c>CachePurged</c> (docs/hsm/overview.md#messages, C13): cache copies removed.</summary>
/// <param name="FileIds">The files whose copies were removed.</param>
/// <param name="Area">The area (<c>cache</c>).</param>
/// <param name="BytesFreed">Their bytes.</param>
public sealed record CachePurgedEvent(IReadOnlyList<long> FileIds, string Area, long BytesFreed);

/// <summary><c>Archive</c> (docs/hsm/overview.md#messages): package and write a list to tape.</summary>
/// <param name="ListId">The list.</param>
/// <param name="Attempt">The fencing token.</param>
/// <param name="PolicyKey">The policy key.</param>
/// <param name="Strategy">Aggregate or direct.</param>
/// <param name="Format">The aggregation format.</param>
/// <param name="Limits">The list's limits.</param>
/// <param name="TapePool">The pool to write to.</param>
/// <param name="CopyCount">Copies to write.</param>
/// <param name="Members">The members inline, or <see langword="null"/> when sent by reference (read them from the catalogue).</param>
public sealed record ArchiveCommand(
    Guid ListId, int Attempt, string PolicyKey, ArchiveStrategy Strategy, AggregationPayloadFormat Format, ListLimits Limits,
    string TapePool, int CopyCount, IReadOnlyList<MemberDescriptor>? Members);

/// <summary><c>Confirmation</c> (docs/hsm/overview.md#messages): a migrator claimed a list attempt.</summary>
/// <param name="ListId">The list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="MigratorId">The migrator instance.</param>
/// <param name="ControlAddress">Where <c>Status</c> queries go.</param>
/// <param name="LeaseUntil">The work lease.</param>
public sealed record ConfirmationReply(Guid ListId, int Attempt, string MigratorId, string? ControlAddress, DateTimeOffset LeaseUntil);

/// <summary><c>Archived</c> (docs/hsm/overview.md#messages): the list was committed.</summary>
/// <param name="ListId">The list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="AggregationIds">The aggregations written.</param>
/// <param name="Copies">The tape files written.</param>
public sealed record ArchivedReply(Guid ListId, int Attempt, IReadOnlyList<long> AggregationIds, IReadOnlyList<TapeCopy> Copies);

/// <summary><c>Busy</c> (docs/hsm/overview.md#messages, F1): no slot was free; re-send later.</summary>
/// <param name="ListId">The list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="RetryAfter">A hint.</param>
/// <param name="FreeSlots">Free slots at the time.</param>
public sealed record BusyReply(Guid ListId, int Attempt, TimeSpan? RetryAfter, int FreeSlots);

/// <summary><c>Failed</c> (docs/hsm/overview.md#messages).</summary>
/// <param name="ListId">The list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Reason">The reason.</param>
/// <param name="Retryable">Whether the migrator considers it retryable.</param>
/// <param name="Detail">Details for operators.</param>
/// <param name="AffectedFileIds">The files the reason concerns.</param>
public sealed record FailedReply(Guid ListId, int Attempt, FailureReason Reason, bool Retryable, string? Detail, IReadOnlyList<long> AffectedFileIds);

/// <summary><c>StatusReport</c> (docs/hsm/overview.md#messages); <see cref="Unknown"/> for an <c>ACTIVE</c> list means the migrator lost it.</summary>
/// <param name="ListId">The list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="Phase">The phase, if known.</param>
/// <param name="BytesDone">Progress.</param>
/// <param name="BytesTotal">Total.</param>
/// <param name="Unknown">The migrator does not know the list.</param>
public sealed record StatusReportReply(Guid ListId, int Attempt, string? Phase, long BytesDone, long BytesTotal, bool Unknown);

/// <summary><c>Stage</c> (docs/hsm/overview.md#messages): one stage list, one tape; the migrator plans the order from the catalogue.</summary>
/// <param name="ListId">The stage list.</param>
/// <param name="Attempt">The attempt (fencing token).</param>
/// <param name="Vsn">The tape to read.</param>
/// <param name="FileIds">The files to stage (a hint: the list's members in the catalogue decide).</param>
public sealed record StageCommand(Guid ListId, int Attempt, string Vsn, IReadOnlyList<long> FileIds);

/// <summary><c>Staged</c> (docs/hsm/overview.md#messages): the list is <c>DONE</c>.</summary>
/// <param name="ListId">The stage list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="StagedFileIds">Files published into the read cache.</param>
/// <param name="RequeuedFileIds">Files back to <c>STAGING_REQUESTED</c>, to be read from another copy (C8).</param>
/// <param name="FailedFileIds">Files <c>FAILED</c>: no readable copy left (C9).</param>
public sealed record StagedReply(Guid ListId, int Attempt, IReadOnlyList<long> StagedFileIds, IReadOnlyList<long> RequeuedFileIds, IReadOnlyList<long> FailedFileIds);

/// <summary><c>Purge</c> (docs/hsm/overview.md#messages): one purge list of one disk library's cache area.</summary>
/// <param name="ListId">The purge list.</param>
/// <param name="Attempt">The attempt (fencing token).</param>
/// <param name="Area">The area (<c>cache</c>).</param>
/// <param name="FileIds">The members (a hint: the list's members in the catalogue decide).</param>
public sealed record PurgeCommand(Guid ListId, int Attempt, string Area, IReadOnlyList<long> FileIds);

/// <summary><c>Purged</c> (docs/hsm/overview.md#messages): the purge list is <c>DONE</c>.</summary>
/// <param name="ListId">The purge list.</param>
/// <param name="Attempt">The attempt.</param>
/// <param name="PurgedFileIds">Copies deleted (C13).</param>
/// <param name="SkippedFileIds">Copies kept: pinned or read since the selection (C11), or the delete failed (C14).</param>
public sealed record PurgedReply(Guid ListId, int Attempt, IReadOnlyList<long> PurgedFileIds, IReadOnlyList<long> SkippedFileIds);
