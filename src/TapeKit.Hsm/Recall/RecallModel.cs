using System.Diagnostics.CodeAnalysis;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Recall;

/// <summary>How a stage item reads its aggregation (docs/hsm/overview.md#recalls).</summary>
public enum ReadMode
{
    /// <summary>One pass over the whole aggregation; the requested members are unpacked.</summary>
    Whole,
    /// <summary>Locate to each requested member's first block and read only its blocks.</summary>
    Positioned,
}

/// <summary>One tape copy of a requested file, as the catalogue knows it.</summary>
/// <param name="CopyNb">The copy number (1 = first).</param>
/// <param name="Member">Where the member starts on tape.</param>
/// <param name="AggregationBytes">The aggregation's payload size.</param>
/// <param name="AggregationMembers">The aggregation's member count.</param>
/// <param name="Damaged">The segment is <c>DAMAGED</c>.</param>
public sealed record RecallCopy(int CopyNb, MemberLocator Member, long AggregationBytes, int AggregationMembers, bool Damaged = false)
{
    /// <summary>The VSN holding this copy.</summary>
    public string Vsn => Member.TapeFile.Vsn;
}

/// <summary>A queued recall request with the copies of its file.</summary>
/// <param name="RequestId">The request.</param>
/// <param name="FileId">The file.</param>
/// <param name="Size">The file's size.</param>
/// <param name="DiskLibrary">The disk library that raised the miss (the routing key of the stage, C7).</param>
/// <param name="Priority">The request's priority.</param>
/// <param name="QueuedAt">When it was queued.</param>
/// <param name="Copies">The file's tape copies.</param>
public sealed record RecallRequest(
    Guid RequestId, long FileId, long Size, string DiskLibrary, RequestPriority Priority, DateTimeOffset QueuedAt, IReadOnlyList<RecallCopy> Copies);

/// <summary>What the planner knows about a tape.</summary>
/// <param name="Vsn">The VSN.</param>
/// <param name="State">Its state.</param>
/// <param name="MountedForRead">Mounted in a drive for reading now (costs no mount).</param>
/// <param name="MountedForWrite">Mounted for writing now (never read in the same session).</param>
/// <param name="LastUnmountedAt">The last unmount, for the remount guard.</param>
public sealed record RecallTapeStatus(string Vsn, TapeState State, bool MountedForRead = false, bool MountedForWrite = false, DateTimeOffset? LastUnmountedAt = null);

/// <summary>A request placed on a copy.</summary>
/// <param name="Request">The request.</param>
/// <param name="Copy">The chosen copy.</param>
public sealed record QueuedRecall(RecallRequest Request, RecallCopy Copy);

/// <summary>The per-tape queue of one <c>(VSN, diskLibrary)</c> pair.</summary>
/// <param name="Vsn">The tape.</param>
/// <param name="DiskLibrary">The disk library.</param>
/// <param name="Items">The requests placed on it.</param>
[SuppressMessage("Naming", "CA1711", Justification = "The spec's name (docs/hsm/overview.md#recalls): the per-tape recall queue.")]
public sealed record RecallQueue(string Vsn, string DiskLibrary, IReadOnlyList<QueuedRecall> Items)
{
    /// <summary>Bytes queued.</summary>
    public long QueuedBytes => Items.Sum(i => i.Request.Size);

    /// <summary>Files queued (distinct).</summary>
    public int QueuedFiles => Items.Select(i => i.Request.FileId).Distinct().Count();

    /// <summary>The oldest request's queue time.</summary>
    public DateTimeOffset OldestAt => Items.Min(i => i.Request.QueuedAt);

    /// <summary>The newest request's queue time.</summary>
    public DateTimeOffset NewestAt => Items.Max(i => i.Request.QueuedAt);

    /// <summary>The highest priority queued.</summary>
    public RequestPriority TopPriority => Items.Max(i => i.Request.Priority);
}

/// <summary>A member to read, with the requests it serves.</summary>
/// <param name="FileId">The file.</param>
/// <param name="Member">Where it starts.</param>
/// <param name="RequestIds">The requests it satisfies.</param>
public sealed record StageMember(long FileId, MemberLocator Member, IReadOnlyList<Guid> RequestIds);

/// <summary>One read of a stage list: a whole aggregation, or one positioned member.</summary>
/// <param name="AggregationId">The aggregation.</param>
/// <param name="Mode">Whole or positioned.</param>
/// <param name="StartBlockId">Where the drive locates to: the aggregation's first block (whole) or the member's (positioned).</param>
/// <param name="Members">The requested members read by this item.</param>
public sealed record StageItem(long AggregationId, ReadMode Mode, long StartBlockId, IReadOnlyList<StageMember> Members);

/// <summary>A stage list in tape order for one mount.</summary>
/// <param name="Vsn">The tape.</param>
/// <param name="DiskLibrary">The routing key.</param>
/// <param name="Items">Reads in ascending block order.</param>
/// <param name="Explanation">Why this order and these read modes.</param>
public sealed record StagePlan(string Vsn, string DiskLibrary, IReadOnlyList<StageItem> Items, IReadOnlyList<string> Explanation)
{
    /// <summary>The number of requested files the plan reads.</summary>
    public int FileCount => Items.Sum(i => i.Members.Count);
}

/// <summary>The mount decision over one queue.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="Due">The queue is due (bytes, files, or age with fill wait).</param>
/// <param name="Eligible">Due and every other condition holds; may be mounted now.</param>
/// <param name="RemountGuardBypassed">Eligible only because an urgent request bypassed the remount guard.</param>
/// <param name="RemountGuardBlocked">Due but blocked by the remount guard.</param>
/// <param name="Reasons">Why, in words (P6).</param>
public sealed record MountDecision(RecallQueue Queue, bool Due, bool Eligible, bool RemountGuardBypassed, bool RemountGuardBlocked, IReadOnlyList<string> Reasons);
