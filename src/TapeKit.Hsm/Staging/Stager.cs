using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tapes;

namespace TapeKit.Hsm.Staging;

/// <summary>
/// Serves recall requests (docs/hsm/overview.md#recalls): groups the files waiting in <c>STAGING_REQUESTED</c> into per-tape
/// queues, lets the <see cref="RecallPlanner"/> decide which tapes are due and in what order to read them (whole
/// aggregations or positioned members, ascending block id), then for each chosen tape mounts it once, claims the
/// batch (C5), reads, verifies every member against the catalogue's checksums in the stage area (C6), and publishes
/// by atomic rename into the read cache (C7). A copy that fails its checksum is never published: its segment becomes
/// <c>DAMAGED</c> (G6) and the file is read from another copy, or fails (C8, C9).
/// </summary>
public sealed partial class Stager
{
    private readonly ICatalog _catalog;
    private readonly ITapeDrivePool _drives;
    private readonly RecallPlanner _planner;
    private readonly StagerOptions _options;
    private readonly ILogger _logger;
    private readonly HsmMetrics? _metrics;

    /// <summary>Creates a stager.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="drives">The drives it may use.</param>
    /// <param name="planner">The recall planner (mount decision, batches, read order).</param>
    /// <param name="options">The options; disk library, cache root and stage root are required.</param>
    /// <param name="logger">A logger, or <see langword="null"/>.</param>
    /// <param name="metrics">Metrics, or <see langword="null"/>.</param>
    public Stager(ICatalog catalog, ITapeDrivePool drives, RecallPlanner planner, StagerOptions options, ILogger<Stager>? logger = null, HsmMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(drives);
        ArgumentNullException.ThrowIfNull(planner);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DiskLibrary, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.CacheRoot, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.StageRoot, nameof(options));
        _catalog = catalog;
        _drives = drives;
        _planner = planner;
        _options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _metrics = metrics;
    }

    /// <summary>
    /// One planning round: builds the queues, fails requests no copy can serve (C9), and runs a recall session for
    /// each eligible queue in the planner's rank order, until each session's queue is empty.
    /// </summary>
    /// <param name="ct">Cancels between items.</param>
    public async ValueTask<StageReport> RunOnceAsync(CancellationToken ct = default)
    {
        var explanation = new List<string>();
        RecallRound round;
        long used;
        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            // The area's usage needs every file of the disk library; an unlimited area needs only the waiting requests.
            (List<RecallRequest> requests, Dictionary<string, RecallTapeStatus> tapes, used) =
                await RecallRequests.LoadAsync(txn, _options.DiskLibrary, _options.CacheCapacityBytes != long.MaxValue, skipListed: true);
            if (requests.Count == 0)
            {
                return new StageReport(0, 0, 0, 0, 0, ["no recall requests are waiting"]);
            }

            round = await RecallRequests.PlanRoundAsync(txn, _planner, requests, tapes, UsedFraction(used));
            await txn.CommitAsync(ct);
        }

        foreach (long id in round.Failed)
        {
            Log.RecallFailed(_logger, id, nameof(FailureReason.NoReadableCopy));
        }

        int failed = round.Failed.Count;
        foreach (MountDecision d in round.Decisions)
        {
            explanation.Add($"{d.Queue.Vsn}/{d.Queue.DiskLibrary}: {string.Join("; ", d.Reasons)}");
        }

        int sessions = 0, mounts = 0, staged = 0, requeued = 0;
        foreach (MountDecision decision in round.Ranked.Take(_options.MaxSessionsPerRun))
        {
            SessionResult result = await RunSessionAsync(decision.Queue, used, explanation, ids => ClaimAsync(ids, ct), null, ct);
            used += result.StagedBytes;
            sessions++;
            mounts += result.RobotMounted ? 1 : 0;
            staged += result.Staged;
            requeued += result.Requeued;
            failed += result.Failed;
        }

        return new StageReport(sessions, mounts, staged, failed, requeued, explanation);
    }

    /// <summary>
    /// Called after each step of a recall (<see cref="StageStep"/>) with the files concerned. An exception thrown here
    /// propagates like a crash of the stager at that point: nothing is settled, and recovery is the dispatcher's lease
    /// sweeper (stage lists) or <see cref="RequeueInterruptedAsync"/> at the next start (in-process sessions).
    /// </summary>
    public Action<StageStep, IReadOnlyCollection<long>>? StepObserver { get; set; }

    private double UsedFraction(long used) => _options.CacheCapacityBytes <= 0 ? 1 : (double)used / _options.CacheCapacityBytes;

    private readonly record struct SessionResult(bool RobotMounted, int Staged, int Requeued, int Failed, long StagedBytes);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Copy of file {FileId} in aggregation {AggregationId} on {Vsn} failed verification and was not published: {Reason}")]
        public static partial void BadCopy(ILogger logger, long fileId, long aggregationId, string vsn, string reason);

        [LoggerMessage(2, LogLevel.Error, "Recall of file {FileId} failed for good: {Reason}")]
        public static partial void RecallFailed(ILogger logger, long fileId, string reason);
    }

    private async ValueTask<bool> FailAsync(long fileId, CacheStatus from, string reason, CancellationToken ct)
    {
        Log.RecallFailed(_logger, fileId, reason);
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        bool moved = await txn.TryMoveCacheAsync(fileId, from, FileCacheEvent.StageFailed, HsmActor.Dispatcher, reason,
            f => f with { FailureReason = reason }) is not null;
        await txn.CommitAsync(ct);
        return moved;
    }
}
