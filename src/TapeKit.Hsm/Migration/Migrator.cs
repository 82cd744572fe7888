using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Purging;
using TapeKit.Hsm.Staging;
using TapeKit.Hsm.Tapes;
using TapeKit.Labels;

namespace TapeKit.Hsm.Migration;

/// <summary>
/// The archive side of a migrator (docs/hsm/overview.md#roles): takes <c>Archive</c> commands from its disk library's
/// queue, claims each list, packs the members straight from the write cache into ALB tape files (tar by default, IL
/// when the policy says so) on a tape of the list's pool, syncs once per session (or as the flush policy says),
/// and only then commits. Several lists share one mount and one sync. Tape errors fail the lists whose tape files
/// were not yet synced (docs/hsm/overview.md#the-archive-commit failure unit) and the dispatcher re-queues them; the tape's state says whether the
/// next attempt may use it again (power loss: yes, and the unsynced files are overwritten; media error or end of
/// medium: no).
/// </summary>
public sealed partial class Migrator
{
    private readonly ICatalog _catalog;
    private readonly IMessageBus _bus;
    private readonly ITapeDrivePool _drives;
    private readonly LabelWriter _labels;
    private readonly MigratorOptions _options;
    private readonly TimeProvider _deviceTime;
    private readonly ArchiveListWork _work;
    private readonly ILogger _logger;
    private readonly HsmMetrics? _metrics;
    private readonly List<ArchiveSessionReport> _sessions = [];

    /// <summary>Creates a migrator.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="bus">The message bus (commands in; replies go through the catalogue's outbox).</param>
    /// <param name="drives">The drives this migrator may use.</param>
    /// <param name="labels">Writes the AUL labels (site, host, clock).</param>
    /// <param name="options">The options; <see cref="MigratorOptions.DiskLibrary"/> and <see cref="MigratorOptions.CacheRoot"/> are required.</param>
    /// <param name="deviceTime">The drives' clock (a <c>VirtualClock</c> for the virtual library): session times are measured on it.</param>
    /// <param name="metrics">Metrics, or <see langword="null"/>.</param>
    /// <param name="logger">A logger, or <see langword="null"/>.</param>
    public Migrator(
        ICatalog catalog, IMessageBus bus, ITapeDrivePool drives, LabelWriter labels, MigratorOptions options,
        TimeProvider? deviceTime = null, HsmMetrics? metrics = null, ILogger<Migrator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(drives);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrEmpty(options.DiskLibrary, nameof(options));
        ArgumentException.ThrowIfNullOrEmpty(options.CacheRoot, nameof(options));
        if (options.MaxListsPerSession < 1 || options.MaxProcess < 1 || options.Flush is not { SyncEveryFiles: >= 1, SyncEveryBytes: >= 1 } || options.WorkLease <= TimeSpan.Zero)
        {
            throw new ArgumentException("MaxListsPerSession, MaxProcess, Flush.SyncEveryFiles, Flush.SyncEveryBytes and WorkLease must be positive.", nameof(options));
        }

        _catalog = catalog;
        _bus = bus;
        _drives = drives;
        _labels = labels;
        _options = options;
        _deviceTime = deviceTime ?? TimeProvider.System;
        _work = new ArchiveListWork(catalog, options.MigratorId, metrics);
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>
    /// Carries out the <c>Stage</c> commands of the disk library's queue (dispatcher-planned recalls); without one, a
    /// stage command is dead-lettered as a command this migrator does not run.
    /// </summary>
    public Stager? Stager { get; set; }

    /// <summary>Carries out the <c>Purge</c> commands of the disk library's queue (dispatcher-planned purges).</summary>
    public Purger? Purger { get; set; }

    /// <summary>How soon a command whose claim lost a race is looked at again.</summary>
    private static readonly TimeSpan ConflictRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>The queue this migrator consumes.</summary>
    public string CommandQueue => HsmTopology.CommandQueue(_options.DiskLibrary);

    /// <summary>Every write session so far, oldest first.</summary>
    public IReadOnlyList<ArchiveSessionReport> Sessions
    {
        get
        {
            lock (_sessions)
            {
                return [.. _sessions];
            }
        }
    }

    /// <summary>
    /// Called after each step of docs/hsm/overview.md#the-archive-commit with the list id. An exception thrown here propagates like a crash of the
    /// migrator at that point: nothing is failed or released, recovery is the dispatcher's lease sweeper.
    /// </summary>
    public Action<ArchiveStep, Guid>? StepObserver { get; set; }

    /// <summary>Serves commands until cancelled, waiting on the queue between batches.</summary>
    /// <param name="pollInterval">The longest wait for new commands.</param>
    /// <param name="ct">Stops the loop.</param>
    public async Task RunAsync(TimeSpan pollInterval, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            if (await RunOnceAsync(ct) == 0)
            {
                await _bus.WaitAsync(CommandQueue, pollInterval, ct);
            }
        }
    }

    /// <summary>
    /// Takes up to <see cref="MigratorOptions.MaxListsPerSession"/> commands waiting now and archives their lists:
    /// one tape session per pool (more when a tape fills), commit after sync. A command is acknowledged once its claim
    /// commits; while the session runs, a <see cref="WorkLeaseHeartbeat"/> keeps the work lease of every list it holds,
    /// and the tape reservation, from running out.
    /// </summary>
    /// <param name="ct">Cancels between steps.</param>
    /// <returns>The commands received (0 when the queue was empty).</returns>
    public async ValueTask<int> RunOnceAsync(CancellationToken ct = default)
    {
        IReadOnlyList<IDelivery> deliveries = await _bus.ReceiveAsync(
            CommandQueue, new ReceiveOptions(_options.MigratorId, _options.MaxListsPerSession, _options.MessageLease), ct);
        var claimed = new List<ListWork>();
        foreach (IDelivery delivery in deliveries)
        {
            if (await ClaimAsync(delivery, ct) is { } work)
            {
                claimed.Add(work);
            }
        }

        await Parallel.ForEachAsync(
            claimed.GroupBy(w => w.List.TapePool, StringComparer.Ordinal),
            new ParallelOptions { MaxDegreeOfParallelism = _options.MaxProcess, CancellationToken = ct },
            async (pool, token) => await ArchivePoolAsync(pool.Key, [.. pool], token));

        return deliveries.Count;
    }

    private async ValueTask<ListWork?> ClaimAsync(IDelivery delivery, CancellationToken ct)
    {
        // Stage and purge lists run to their end here (one tape, one area); each reply commits with its list's completion.
        if (delivery.Message.Type == HsmMessageTypes.Stage && Stager is { } stager)
        {
            await RunListCommandAsync<StageCommand>(delivery, async (body, claimed) => await stager.StageListAsync(delivery.Message, body, _options.MigratorId, _options.WorkLease, claimed, ct), ct);
            return null;
        }

        if (delivery.Message.Type == HsmMessageTypes.Purge && Purger is { } purger)
        {
            await RunListCommandAsync<PurgeCommand>(delivery, async (body, claimed) => await purger.PurgeListAsync(delivery.Message, body, _options.MigratorId, _options.WorkLease, claimed, ct), ct);
            return null;
        }

        if (delivery.Message.Type != HsmMessageTypes.Archive)
        {
            await delivery.DeadLetterAsync($"This migrator runs '{HsmMessageTypes.Archive}'{(Stager is null ? "" : $", '{HsmMessageTypes.Stage}'")}{(Purger is null ? "" : $", '{HsmMessageTypes.Purge}'")} commands, not '{delivery.Message.Type}'.", ct);
            return null;
        }

        ArchiveCommand command;
        try
        {
            command = HsmMessages.Read<ArchiveCommand>(delivery.Message);
        }
        catch (PoisonMessageException e)
        {
            await delivery.DeadLetterAsync(e.Message, ct);
            return null;
        }

        ArchiveClaim claim;
        try
        {
            claim = await _work.ClaimAsync(delivery.Message, command.ListId, command.Attempt, _options.WorkLease, ct);
        }
        catch (CatalogConflictException)
        {
            // The list moved between the read and the claim (another worker, the sweeper): the command is looked at
            // again shortly, when it is either claimable or plainly stale.
            Log.ClaimConflict(_logger, command.ListId, command.Attempt, ConflictRetryDelay.TotalSeconds);
            await delivery.NackAsync(requeue: true, delay: ConflictRetryDelay, reason: "the list changed while it was being claimed", ct: ct);
            return null;
        }

        if (claim.Outcome != ArchiveClaimOutcome.Claimed)
        {
            // Stale or superseded commands, and rebuild replies, need no tape work.
            await delivery.AckAsync(ct);
            return null;
        }

        // docs/hsm/overview.md#messaging: acknowledged once the claim commits. The catalogue holds the claim from now on (the heartbeat renews
        // it); a crash is recovered by the dispatcher's lease sweep, not by a redelivery of the message.
        await delivery.AckAsync(ct);
        StepObserver?.Invoke(ArchiveStep.Claimed, command.ListId);
        return new ListWork(delivery.Message, claim.List!, claim.Members);
    }

    /// <summary>
    /// Runs a stage or purge command inline. The delivery is acknowledged once the list's claim commits (docs/hsm/overview.md#messaging: the
    /// catalogue holds the claim from then on), or after the run when nothing was claimed (a stale command).
    /// </summary>
    private static async ValueTask RunListCommandAsync<TCommand>(IDelivery delivery, Func<TCommand, Func<CancellationToken, ValueTask>, ValueTask> run, CancellationToken ct)
    {
        TCommand body;
        try
        {
            body = HsmMessages.Read<TCommand>(delivery.Message);
        }
        catch (PoisonMessageException e)
        {
            await delivery.DeadLetterAsync(e.Message, ct);
            return;
        }

        bool acknowledged = false;
        async ValueTask AcknowledgeAsync(CancellationToken token)
        {
            await delivery.AckAsync(token);
            acknowledged = true;
        }

        await run(body, AcknowledgeAsync);
        if (!acknowledged)
        {
            await delivery.AckAsync(ct);
        }
    }

    private sealed class ListWork(Envelope command, FileListRecord list, IReadOnlyList<FileRecord> members)
    {
        /// <summary>The command's envelope: replies go to its sender. The delivery itself was acknowledged at the claim.</summary>
        public Envelope Command { get; } = command;

        public FileListRecord List { get; } = list;

        public IReadOnlyList<FileRecord> Members { get; } = members;

        public Dictionary<int, long> Copies { get; } = [];

        public bool Finished { get; set; }
    }

    /// <summary>The lists of one pool's worker and the heartbeat that keeps their leases.</summary>
    private sealed record PoolWork(List<ListWork> Lists, WorkLeaseHeartbeat Heartbeat);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Session on {Vsn} (copy {CopyNb}): {TapeFiles} tape files, {Files} files, {Bytes} bytes committed.")]
        public static partial void SessionDone(ILogger logger, string vsn, int copyNb, int tapeFiles, int files, long bytes);

        [LoggerMessage(2, LogLevel.Warning, "List {ListId} attempt {Attempt} failed: {Reason} ({Detail}).")]
        public static partial void ListFailed(ILogger logger, Guid listId, int attempt, FailureReason reason, string detail);

        [LoggerMessage(3, LogLevel.Error, "Tape {Vsn} is now {State} after {Error}.")]
        public static partial void TapeStateChanged(ILogger logger, string vsn, TapeState state, string error);

        [LoggerMessage(4, LogLevel.Warning, "Closing the drive of {Vsn} failed after the session's sync: {Error}")]
        public static partial void CloseFailed(ILogger logger, string vsn, string error);

        [LoggerMessage(5, LogLevel.Warning, "List {ListId} attempt {Attempt} was taken by another attempt: its work stops, it is not committed.")]
        public static partial void LeaseLost(ILogger logger, Guid listId, int attempt);

        [LoggerMessage(6, LogLevel.Warning, "The reservation of tape {Vsn} was taken by another owner: no further tape files are appended.")]
        public static partial void TapeReservationLost(ILogger logger, string vsn);

        [LoggerMessage(7, LogLevel.Warning, "No writable tape in pool {Pool} has room for {Bytes} bytes of copy {CopyNb} (tapes full, set aside, or holding another copy): {Lists} lists wait, uncharged, until tapes are added or released.")]
        public static partial void PoolExhausted(ILogger logger, string pool, long bytes, int copyNb, int lists);

        [LoggerMessage(8, LogLevel.Information, "List {ListId} attempt {Attempt}: the claim met a concurrent change of the list; its command comes back in {Seconds} s.")]
        public static partial void ClaimConflict(ILogger logger, Guid listId, int attempt, double seconds);
    }
}
