using System.Globalization;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Recall;

/// <summary>
/// The recall planner (docs/hsm/overview.md#recalls): copy choice, per-tape queues keyed by <c>(VSN, diskLibrary)</c>, the mount
/// decision (due, eligible, remount guard, back-pressure), batches bounded by <c>FetchMax*</c>, and stage lists in
/// tape order (linear: ascending logical block id) with a read mode per aggregation. Pure: it reads its inputs and
/// the clock value it is given, and changes nothing.
/// </summary>
public sealed class RecallPlanner
{
    /// <summary>Creates a planner.</summary>
    /// <param name="options">The settings.</param>
    public RecallPlanner(RecallOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.ReadAheadFraction is < 0 or > 1 || options.FetchMaxFiles <= 0 || options.FetchMaxBytes <= 0)
        {
            throw new ArgumentException("ReadAheadFraction must be in [0, 1] and the fetch limits positive.", nameof(options));
        }

        Options = options;
    }

    /// <summary>The settings.</summary>
    public RecallOptions Options { get; }

    /// <summary>
    /// Chooses the copy to read: a copy on a tape mounted for reading now, then on a healthy tape, then the lowest
    /// copy number; <c>DAMAGED</c> segments and tapes that allow no reads are skipped. <see langword="null"/> = no readable copy (F6).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="tapes">Tape status by VSN; an unknown tape counts as readable and unmounted.</param>
    public static RecallCopy? ChooseCopy(RecallRequest request, IReadOnlyDictionary<string, RecallTapeStatus> tapes)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(tapes);
        return request.Copies
            .Where(c => !c.Damaged && (Status(tapes, c.Vsn)?.State ?? TapeState.Full).AllowsReads())
            .OrderByDescending(c => Status(tapes, c.Vsn)?.MountedForRead == true)
            .ThenByDescending(c => (Status(tapes, c.Vsn)?.State ?? TapeState.Full) != TapeState.NeedsAttention)
            .ThenBy(c => c.CopyNb)
            .FirstOrDefault();
    }

    /// <summary>Places requests on copies and groups them into per-tape queues; requests without a readable copy are returned apart.</summary>
    /// <param name="requests">Queued requests.</param>
    /// <param name="tapes">Tape status by VSN.</param>
    public static (IReadOnlyList<RecallQueue> Queues, IReadOnlyList<RecallRequest> Unreadable) BuildQueues(
        IEnumerable<RecallRequest> requests, IReadOnlyDictionary<string, RecallTapeStatus> tapes)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var unreadable = new List<RecallRequest>();
        var placed = new List<QueuedRecall>();
        foreach (RecallRequest r in requests)
        {
            if (ChooseCopy(r, tapes) is { } copy)
            {
                placed.Add(new QueuedRecall(r, copy));
            }
            else
            {
                unreadable.Add(r);
            }
        }

        RecallQueue[] queues = [.. placed
            .GroupBy(q => (q.Copy.Vsn, q.Request.DiskLibrary))
            .OrderBy(g => g.Key.Vsn, StringComparer.Ordinal).ThenBy(g => g.Key.DiskLibrary, StringComparer.Ordinal)
            .Select(g => new RecallQueue(g.Key.Vsn, g.Key.DiskLibrary, [.. g]))];
        return (queues, unreadable);
    }

    /// <summary>Decides whether a queue may be mounted now.</summary>
    /// <param name="queue">The queue.</param>
    /// <param name="tape">The tape's status, if known.</param>
    /// <param name="now">The current time.</param>
    /// <param name="stageAreaUsedFraction">The used fraction of the disk library's stage area.</param>
    /// <param name="driveAvailable">A drive of the right type is free, or will be when its session ends.</param>
    public MountDecision Decide(RecallQueue queue, RecallTapeStatus? tape, DateTimeOffset now, double stageAreaUsedFraction, bool driveAvailable)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var reasons = new List<string>();
        TimeSpan oldestAge = now - queue.OldestAt;
        TimeSpan sinceNewest = now - queue.NewestAt;
        RequestPriority top = queue.TopPriority;
        bool bytesDue = queue.QueuedBytes >= Options.MinQueuedBytes;
        bool filesDue = queue.QueuedFiles >= Options.MinQueuedFiles;
        bool ageDue = oldestAge >= Options.MinAgeFor(top)
            && (sinceNewest >= Options.FillWait || oldestAge >= Options.FillWaitMax || top == RequestPriority.Urgent);
        bool due = bytesDue || filesDue || ageDue;
        reasons.Add(Invariant($"{queue.QueuedFiles} files / {queue.QueuedBytes} bytes queued; oldest {oldestAge.TotalSeconds:0} s ({top}), newest {sinceNewest.TotalSeconds:0} s ago"));
        reasons.Add(due
            ? bytesDue ? "due: queued bytes ≥ MinQueuedBytes" : filesDue ? "due: queued files ≥ MinQueuedFiles" : "due: oldest request old enough and the fill wait is over"
            : "not due: below the byte and file thresholds, and the oldest request is too young or the queue is still filling");

        bool eligible = due;
        bool blocked = false;
        bool bypassed = false;
        if (tape is not null)
        {
            if (tape.MountedForWrite)
            {
                eligible = false;
                reasons.Add("not eligible: the tape is mounted for writing");
            }

            if (!tape.State.AllowsReads())
            {
                eligible = false;
                reasons.Add($"not eligible: tape state {tape.State} allows no reads");
            }

            if (!tape.MountedForRead && tape.LastUnmountedAt is { } last && now - last < Options.RemountDelay)
            {
                if (top == RequestPriority.Urgent)
                {
                    bypassed = due && eligible;
                    reasons.Add("remount guard bypassed by an urgent request");
                }
                else
                {
                    blocked = due && eligible;
                    eligible = false;
                    reasons.Add(Invariant($"not eligible: unmounted {(now - last).TotalSeconds:0} s ago, within the remount delay"));
                }
            }
        }

        if (stageAreaUsedFraction >= Options.StageHighWatermark)
        {
            eligible = false;
            reasons.Add(Invariant($"not eligible: stage area {stageAreaUsedFraction:P0} ≥ high watermark (back-pressure)"));
        }

        if (!driveAvailable && tape?.MountedForRead != true)
        {
            eligible = false;
            reasons.Add("not eligible: no drive available");
        }

        return new MountDecision(queue, due, eligible, bypassed, blocked, reasons);
    }

    /// <summary>
    /// Orders eligible decisions by the spec's choice: priority, then oldest request, then queued bytes; a tape already
    /// mounted for reading wins ties.
    /// </summary>
    /// <param name="decisions">Decisions from <see cref="Decide"/>.</param>
    /// <param name="tapes">Tape status by VSN.</param>
    public static IReadOnlyList<MountDecision> Rank(IEnumerable<MountDecision> decisions, IReadOnlyDictionary<string, RecallTapeStatus> tapes)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(tapes);
        return [.. decisions.Where(d => d.Eligible)
            .OrderByDescending(d => d.Queue.TopPriority)
            .ThenBy(d => d.Queue.OldestAt)
            .ThenByDescending(d => d.Queue.QueuedBytes)
            .ThenByDescending(d => Status(tapes, d.Queue.Vsn)?.MountedForRead == true)
            .ThenBy(d => d.Queue.Vsn, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Takes the next batch of a queue (priority first, then age, bounded by <c>FetchMaxFiles</c> and
    /// <c>FetchMaxBytes</c>; a batch always holds at least one request) and orders it into a stage list.
    /// </summary>
    /// <param name="queue">The queue of the mounted (or to be mounted) tape.</param>
    public StagePlan PlanBatch(RecallQueue queue)
    {
        ArgumentNullException.ThrowIfNull(queue);
        var batch = new List<QueuedRecall>();
        var files = new HashSet<long>();
        long bytes = 0;
        foreach (QueuedRecall item in queue.Items.OrderByDescending(i => i.Request.Priority).ThenBy(i => i.Request.QueuedAt).ThenBy(i => i.Request.RequestId))
        {
            bool newFile = !files.Contains(item.Request.FileId);
            if (batch.Count > 0 && newFile && (files.Count + 1 > Options.FetchMaxFiles || bytes + item.Request.Size > Options.FetchMaxBytes))
            {
                continue;
            }

            batch.Add(item);
            if (newFile)
            {
                files.Add(item.Request.FileId);
                bytes += item.Request.Size;
            }
        }

        return Order(queue.Vsn, queue.DiskLibrary, batch);
    }

    /// <summary>
    /// Orders requests of one tape into a stage list: grouped by aggregation with a read mode each
    /// (<c>f = max(|R|/|A|, bytes(R)/bytes(A))</c>; whole when <c>f ≥ ReadAheadFraction</c> or the aggregation is at most
    /// <c>WholeReadBelowBytes</c>), items ascending by the logical block id the drive locates to.
    /// </summary>
    /// <param name="vsn">The tape.</param>
    /// <param name="diskLibrary">The routing key.</param>
    /// <param name="items">Requests placed on copies on that tape.</param>
    public StagePlan Order(string vsn, string diskLibrary, IEnumerable<QueuedRecall> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var explanation = new List<string>();
        var stageItems = new List<StageItem>();
        foreach (IGrouping<long, QueuedRecall> aggregation in items.Where(i => i.Copy.Vsn == vsn).GroupBy(i => i.Copy.Member.AggregationId))
        {
            StageMember[] members = [.. aggregation
                .GroupBy(i => i.Request.FileId)
                .Select(g => new StageMember(g.Key, g.First().Copy.Member, [.. g.Select(i => i.Request.RequestId).Order()]))
                .OrderBy(m => m.Member.BlockId).ThenBy(m => m.Member.OffsetInBlock)];
            RecallCopy sample = aggregation.First().Copy;
            long requestedBytes = aggregation.GroupBy(i => i.Request.FileId).Sum(g => g.First().Request.Size);
            double countShare = sample.AggregationMembers <= 0 ? 1 : (double)members.Length / sample.AggregationMembers;
            double byteShare = sample.AggregationBytes <= 0 ? 1 : (double)requestedBytes / sample.AggregationBytes;
            double f = Math.Max(countShare, byteShare);
            bool whole = f >= Options.ReadAheadFraction || sample.AggregationBytes <= Options.WholeReadBelowBytes;
            if (whole)
            {
                stageItems.Add(new StageItem(aggregation.Key, ReadMode.Whole, sample.Member.TapeFile.FirstBlockId, members));
                explanation.Add(Invariant($"aggregation {aggregation.Key} (fseq {sample.Member.TapeFile.Fseq}): whole read, f = {f:0.###}, {sample.AggregationBytes} bytes"));
            }
            else
            {
                foreach (StageMember m in members)
                {
                    stageItems.Add(new StageItem(aggregation.Key, ReadMode.Positioned, m.Member.BlockId, [m]));
                }

                explanation.Add(Invariant($"aggregation {aggregation.Key} (fseq {sample.Member.TapeFile.Fseq}): {members.Length} positioned reads, f = {f:0.###} < {Options.ReadAheadFraction}"));
            }
        }

        stageItems.Sort((a, b) => a.StartBlockId != b.StartBlockId
            ? a.StartBlockId.CompareTo(b.StartBlockId)
            : a.Members[0].Member.OffsetInBlock.CompareTo(b.Members[0].Member.OffsetInBlock));
        explanation.Add("order: linear, ascending logical block id");
        return new StagePlan(vsn, diskLibrary, stageItems, explanation);
    }

    private static RecallTapeStatus? Status(IReadOnlyDictionary<string, RecallTapeStatus> tapes, string vsn) => tapes.GetValueOrDefault(vsn);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
