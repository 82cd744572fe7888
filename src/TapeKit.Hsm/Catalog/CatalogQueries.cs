using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Catalog;

/// <summary>A file query; unset criteria match everything.</summary>
public sealed record FileQuery
{
    /// <summary>Only files in this cache status.</summary>
    public CacheStatus? CacheStatus { get; init; }

    /// <summary>Only files in this archive status.</summary>
    public ArchiveStatus? ArchiveStatus { get; init; }

    /// <summary>Only files of this home disk library.</summary>
    public string? DiskLibrary { get; init; }

    /// <summary>Include tombstoned files.</summary>
    public bool IncludeDeleted { get; init; }

    /// <summary>Only files with a larger id (paging).</summary>
    public long AfterFileId { get; init; }

    /// <summary>At most this many rows.</summary>
    public int Limit { get; init; } = int.MaxValue;
}

/// <summary>A list query; unset criteria match everything.</summary>
public sealed record ListQuery
{
    /// <summary>Only lists of this kind.</summary>
    public FileListKind? Kind { get; init; }

    /// <summary>Only lists in one of these states; empty = any.</summary>
    public IReadOnlyCollection<FileListState> States { get; init; } = [];

    /// <summary>Only lists with this policy key.</summary>
    public string? PolicyKey { get; init; }

    /// <summary>Only lists of this disk library.</summary>
    public string? DiskLibrary { get; init; }

    /// <summary>The live states.</summary>
    public static IReadOnlyCollection<FileListState> LiveStates { get; } = [FileListState.Filling, FileListState.Filled, FileListState.Active];
}

/// <summary>A message written to the outbox.</summary>
/// <param name="Exchange">The exchange.</param>
/// <param name="RoutingKey">The routing key.</param>
/// <param name="Message">The message.</param>
/// <param name="NotBefore">Delayed visibility, if any.</param>
public sealed record OutboundMessage(string Exchange, string RoutingKey, Messaging.Envelope Message, DateTimeOffset? NotBefore = null);

/// <summary>An outbox row waiting for the relay.</summary>
/// <param name="Sequence">The row's position.</param>
/// <param name="Message">The message.</param>
public sealed record OutboxEntry(long Sequence, OutboundMessage Message);

/// <summary>What one cache status holds in one disk library's area: a maintained aggregate, never a sum over rows.</summary>
/// <param name="CacheStatus">The cache status.</param>
/// <param name="Files">Files in it (not deleted).</param>
/// <param name="Bytes">Their bytes.</param>
public sealed record AreaUsageRow(CacheStatus CacheStatus, long Files, long Bytes);

/// <summary>How many files (and bytes) are in one pair of states: a maintained aggregate, never a sum over rows.</summary>
/// <param name="CacheStatus">The cache status.</param>
/// <param name="ArchiveStatus">The archive status.</param>
/// <param name="Deleted">Whether these files are deleted in the namespace.</param>
/// <param name="Files">How many.</param>
/// <param name="Bytes">Their bytes.</param>
public sealed record FileCount(CacheStatus CacheStatus, ArchiveStatus ArchiveStatus, bool Deleted, long Files, long Bytes);

/// <summary>A file waiting for a recall, with what planning needs and every tape copy of it, read in one pass.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Size">Its size.</param>
/// <param name="DiskLibrary">Its disk library.</param>
/// <param name="Priority">The priority its policy decision gave it.</param>
/// <param name="RequestedAt">When the miss was recorded (its last access).</param>
/// <param name="Copies">Its aggregations with its member row in each, every state (the caller keeps the usable ones).</param>
public sealed record PendingRecall(
    long FileId, long Size, string DiskLibrary, RequestPriority Priority, DateTimeOffset RequestedAt,
    IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)> Copies);
