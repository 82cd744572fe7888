using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Staging;

/// <summary>One planning round: the planner's mount decisions, the eligible ones in rank order, and the requests failed for want of a copy.</summary>
/// <param name="Decisions">Every queue's decision (the explanation).</param>
/// <param name="Ranked">The eligible decisions, best first.</param>
/// <param name="Failed">Requests moved to <c>FAILED</c> (C9): no readable copy.</param>
internal sealed record RecallRound(IReadOnlyList<MountDecision> Decisions, IReadOnlyList<MountDecision> Ranked, IReadOnlyList<long> Failed);

/// <summary>The recall requests waiting in the catalogue (files <c>STAGING_REQUESTED</c>) as the planner sees them.</summary>
internal static class RecallRequests
{
    private const int PageSize = 5000;

    /// <summary>
    /// Plans one round in <paramref name="txn"/>: per-(VSN, disk library) queues, C9 for requests no copy can serve,
    /// and a mount decision for each queue <paramref name="include"/> admits — what the in-process stager and the
    /// dispatcher's planning share.
    /// </summary>
    /// <param name="txn">The transaction the C9 moves go in.</param>
    /// <param name="planner">The planner.</param>
    /// <param name="requests">The waiting requests.</param>
    /// <param name="tapes">The tapes' states.</param>
    /// <param name="usedFraction">The destination area's used fraction (back-pressure).</param>
    /// <param name="include">Which queues may be decided now (all when <see langword="null"/>).</param>
    public static async ValueTask<RecallRound> PlanRoundAsync(
        ICatalogTransaction txn, RecallPlanner planner, IEnumerable<RecallRequest> requests, IReadOnlyDictionary<string, RecallTapeStatus> tapes,
        double usedFraction, Func<RecallQueue, bool>? include = null)
    {
        (IReadOnlyList<RecallQueue> queues, IReadOnlyList<RecallRequest> unreadable) = RecallPlanner.BuildQueues(requests, tapes);
        var failed = new List<long>();
        foreach (RecallRequest r in unreadable)
        {
            string copies = r.Copies.Count == 0 ? "it has no copy on tape"
                : string.Join(", ", r.Copies.Select(c => $"copy {c.CopyNb} on {c.Vsn} ({(c.Damaged ? "damaged" : tapes.TryGetValue(c.Vsn, out RecallTapeStatus? t) ? StateNames.Of(t.State) : "unknown tape")})"));
            string reason = $"{FailureReason.NoReadableCopy}: file {r.FileId} has no readable copy ({copies}): every copy is damaged or on a tape that allows no reads";
            if (await txn.TryMoveCacheAsync(r.FileId, CacheStatus.StagingRequested, FileCacheEvent.StageFailed, HsmActor.Dispatcher, reason,
                f => f with { FailureReason = reason }) is not null)
            {
                failed.Add(r.FileId);
            }
        }

        MountDecision[] decisions = [.. queues.Where(q => include?.Invoke(q) ?? true)
            .Select(q => planner.Decide(q, tapes.GetValueOrDefault(q.Vsn), txn.Now, usedFraction, driveAvailable: true))];
        return new RecallRound(decisions, RecallPlanner.Rank(decisions, tapes), failed);
    }

    /// <summary>
    /// The waiting requests with every copy of their file, the tapes' states, and — when <paramref name="measureUsage"/>
    /// — the bytes the disk library's cache area holds (a maintained aggregate; only with one disk library named).
    /// </summary>
    /// <param name="txn">A transaction.</param>
    /// <param name="diskLibrary">One disk library, or all.</param>
    /// <param name="measureUsage">Also sum the cache area's bytes.</param>
    /// <param name="skipListed">Leave out files already in a live stage list (the dispatcher's planning).</param>
    public static async ValueTask<(List<RecallRequest> Requests, Dictionary<string, RecallTapeStatus> Tapes, long UsedBytes)> LoadAsync(
        ICatalogTransaction txn, string? diskLibrary, bool measureUsage, bool skipListed)
    {
        var tapes = (await txn.QueryTapesAsync()).ToDictionary(
            t => t.Vsn, t => new RecallTapeStatus(t.Vsn, t.State, LastUnmountedAt: t.LastUnmountedAt), StringComparer.Ordinal);
        var requests = new List<RecallRequest>();
        long used = measureUsage && diskLibrary is not null
            ? (await txn.GetAreaUsageAsync(diskLibrary)).Where(u => u.CacheStatus.HoldsCacheCopy()).Sum(u => u.Bytes)
            : 0;
        // The waiting requests come in pages with their copies, two statements a page, never a read per file.
        long after = 0;
        IReadOnlyList<PendingRecall> page;
        do
        {
            page = await txn.GetPendingRecallsAsync(diskLibrary, skipListed, after, PageSize);
            foreach (PendingRecall p in page)
            {
                requests.Add(new RecallRequest(RequestIdOf(p.FileId, p.RequestedAt), p.FileId, p.Size, p.DiskLibrary, p.Priority, p.RequestedAt,
                    UsableCopies(p.Copies)));
            }

            after = page.Count > 0 ? page[^1].FileId : after;
        }
        while (page.Count == PageSize);

        return (requests, tapes, used);
    }

    /// <summary>Every tape copy of a file that a recall may use (<c>ON_TAPE</c>, and <c>DAMAGED</c> ones flagged so).</summary>
    /// <param name="txn">A transaction.</param>
    /// <param name="fileId">The file.</param>
    public static async ValueTask<List<RecallCopy>> CopiesAsync(ICatalogTransaction txn, long fileId)
    {
        ArgumentNullException.ThrowIfNull(txn);
        return UsableCopies(await txn.GetCopiesOfFileAsync(fileId));
    }

    private static List<RecallCopy> UsableCopies(IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)> rows)
    {
        var copies = new List<RecallCopy>();
        foreach ((AggregationRecord a, AggregationMemberRecord m) in rows)
        {
            if (a.TapeFile is { } tf && a.State is AggregationState.OnTape or AggregationState.Damaged)
            {
                copies.Add(new RecallCopy(a.CopyNb, new MemberLocator(tf, a.AggregationId, m.Index, m.BlockIndex, m.OffsetInBlock, m.PayloadOffset),
                    a.PayloadBytes, a.MemberCount, Damaged: a.State == AggregationState.Damaged));
            }
        }

        return copies;
    }

    /// <summary>A request id stable for one miss of one file: the file id and the time of the miss.</summary>
    /// <param name="file">The file.</param>
    public static Guid RequestIdOf(FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return RequestIdOf(file.FileId, file.LastAccessAt ?? file.CreatedAt);
    }

    private static Guid RequestIdOf(long fileId, DateTimeOffset missedAt)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, fileId);
        BitConverter.TryWriteBytes(bytes[8..], missedAt.UtcTicks);
        return new Guid(bytes);
    }
}
