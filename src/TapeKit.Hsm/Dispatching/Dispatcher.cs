using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Diagnostics;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Staging;

namespace TapeKit.Hsm.Dispatching;

/// <summary>
/// The dispatcher (docs/hsm/overview.md#roles) for archive lists: consumes events, fills and closes lists, sends
/// <c>Archive</c> commands to the disk library's queue, handles replies, and sweeps expired work leases. It keeps no
/// authoritative state in memory (P1): every decision is read from and committed to the catalogue together with the
/// messages it implies (P2), every handler is idempotent through the inbox (P3), and a new instance over the same
/// catalogue continues where a crashed one stopped (F5).
/// </summary>
public sealed partial class Dispatcher
{
    /// <summary>The inbox consumer name of the dispatcher.</summary>
    public const string InboxConsumer = "dispatcher";

    private readonly ICatalog _catalog;
    private readonly DispatcherOptions _options;
    private readonly BackoffPolicy _backoff;
    private readonly HsmMetrics? _metrics;
    private readonly ILogger _logger;
    private DateTimeOffset _startedAt;
    private IReadOnlyList<Measurement<long>> _listCounts = [];

    /// <summary>Creates a dispatcher.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="options">Settings.</param>
    /// <param name="random">The random source of back-off jitter; seed it to replay.</param>
    /// <param name="metrics">Metrics, or <see langword="null"/>.</param>
    /// <param name="logger">A logger, or <see langword="null"/>.</param>
    public Dispatcher(ICatalog catalog, DispatcherOptions options, Random random, HsmMetrics? metrics = null, ILogger<Dispatcher>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(random);
        if (options.WorkLease <= TimeSpan.Zero || options.MaxAttempts <= 0)
        {
            throw new ArgumentException("WorkLease and MaxAttempts must be positive.", nameof(options));
        }

        _catalog = catalog;
        _options = options;
        _backoff = new BackoffPolicy(options.Backoff, random);
        _metrics = metrics;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _startedAt = catalog.Time.GetUtcNow();
        _metrics?.ObserveLists(() => _listCounts);
    }

    /// <summary>The reply address of this dispatcher's commands.</summary>
    public MessageAddress ReplyAddress => new(HsmTopology.RepliesExchange, _options.DispatcherId);

    /// <summary>
    /// Start-up (F5): restarts the sweeper's grace period (R6) and reconciles: every file <c>CACHED ∧ NONE ∧ not
    /// deleted</c> that is in no live archive list is appended again. With a <see cref="RecallPlanner"/> (every recall is
    /// then a stage list's), a recall claimed (<c>STAGING</c>, <c>STAGED</c>) outside any live stage list is given back
    /// as a request (C8): a list ended without settling it, as an earlier release's could. Returns how many files were
    /// re-appended.
    /// </summary>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<int> StartAsync(CancellationToken ct = default)
    {
        _startedAt = _catalog.Time.GetUtcNow();
        int appended = 0;
        long after = 0;
        while (true)
        {
            await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
            IReadOnlyList<FileRecord> page = await txn.QueryFilesAsync(new FileQuery
            {
                CacheStatus = CacheStatus.Cached, ArchiveStatus = ArchiveStatus.None, AfterFileId = after, Limit = 500,
            });
            if (page.Count == 0)
            {
                break;
            }

            appended += await AppendManyAsync(txn, page);

            after = page[^1].FileId;
            await txn.CommitAsync(ct);
        }

        if (appended > 0)
        {
            Log.Reconciled(_logger, appended);
        }

        if (RecallPlanner is not null
            && await ClaimedRecalls.RequeueUnlistedAsync(_catalog, null, HsmActor.Sweeper, "claimed outside any live stage list", ct) is int requeued and > 0)
        {
            Log.RecallsReconciled(_logger, requeued);
        }

        return appended;
    }

    /// <summary>
    /// Handles one delivery from the events or reply queue: applies it idempotently (inbox), commits, then
    /// acknowledges. Poison messages are dead-lettered at once (F17).
    /// </summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask HandleAsync(IDelivery delivery, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        try
        {
            await ApplyAsync(delivery.Message, ct);
        }
        catch (PoisonMessageException e)
        {
            Log.Poison(_logger, delivery.Message.MessageId, delivery.Message.Type, e.Message);
            _metrics?.DeadLetters.Add(1, new TagList { { "queue", delivery.Queue }, { "reason", "poison" } });
            await delivery.DeadLetterAsync(e.Message, ct);
            return;
        }

        await delivery.AckAsync(ct);
    }

    /// <summary>
    /// Handles a batch of deliveries from one queue in one transaction (group commit:
    /// one durable commit for the batch), and acknowledges them together: inside that transaction when the bus keeps its
    /// queues in the catalogue's store (<see cref="ICatalogAcknowledgingBus"/>), else after the commit. Each is still
    /// applied exactly once (inbox). When any of them fails — a poison message, a constraint — nothing of the batch is kept
    /// and each is handled on its own, so one bad message never holds up or takes down the others.
    /// </summary>
    /// <param name="deliveries">The deliveries, in order.</param>
    /// <param name="bus">The bus they came from (their acknowledgements go there together).</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask HandleManyAsync(IReadOnlyList<IDelivery> deliveries, IMessageBus bus, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        ArgumentNullException.ThrowIfNull(bus);
        if (deliveries.Count <= 1)
        {
            foreach (IDelivery one in deliveries)
            {
                await HandleAsync(one, ct);
            }

            return;
        }

        bool applied;
        bool ackedInCommit = false;
        try
        {
            await _catalog.RunAsync(async txn =>
            {
                await ApplyManyInAsync(txn, [.. deliveries.Select(d => d.Message)]);
                ackedInCommit = bus is ICatalogAcknowledgingBus same && await same.TryAckInAsync(txn, deliveries);
            }, ct);
            applied = true;
        }
        catch (Exception e) when (e is HsmException or ArgumentException)
        {
            applied = false;
        }

        if (!applied)
        {
            foreach (IDelivery delivery in deliveries)
            {
                await HandleAsync(delivery, ct);
            }

            return;
        }

        if (!ackedInCommit)
        {
            _ = await bus.AckManyAsync(deliveries, ct);
        }
    }

    /// <summary>Applies one message exactly once (by its message id), in one transaction.</summary>
    /// <param name="message">An event or a reply.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="false"/> when the message was a duplicate.</returns>
    /// <exception cref="PoisonMessageException">Unknown type or schema, or an unreadable body.</exception>
    public async ValueTask<bool> ApplyAsync(Envelope message, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        return await _catalog.RunAsync(txn => ApplyInAsync(txn, message), ct);
    }

    /// <summary>Applies one message inside <paramref name="txn"/> unless its id is in the inbox already.</summary>
    private async ValueTask<bool> ApplyInAsync(ICatalogTransaction txn, Envelope message)
    {
        Func<ICatalogTransaction, ValueTask> handler = message.Type switch
        {
            HsmMessageTypes.CacheWritten => Bind(message, HsmMessages.Read<CacheWrittenEvent>(message), OnCacheWrittenAsync),
            HsmMessageTypes.NamespaceDeleted => Bind(message, HsmMessages.Read<NamespaceDeletedEvent>(message), OnNamespaceDeletedAsync),
            HsmMessageTypes.Confirmation => Bind(message, HsmMessages.Read<ConfirmationReply>(message), OnConfirmationAsync),
            HsmMessageTypes.Archived => Bind(message, HsmMessages.Read<ArchivedReply>(message), OnArchivedAsync),
            HsmMessageTypes.Staged => Bind(message, HsmMessages.Read<StagedReply>(message), OnStagedAsync),
            HsmMessageTypes.Purged => Bind(message, HsmMessages.Read<PurgedReply>(message), OnPurgedAsync),
            HsmMessageTypes.Busy => Bind(message, HsmMessages.Read<BusyReply>(message), OnBusyAsync),
            HsmMessageTypes.Failed => Bind(message, HsmMessages.Read<FailedReply>(message), OnFailedAsync),
            HsmMessageTypes.StatusReport => Bind(message, HsmMessages.Read<StatusReportReply>(message), OnStatusReportAsync),
            _ => throw new PoisonMessageException($"The dispatcher does not handle messages of type '{message.Type}'."),
        };

        if (!await txn.TryMarkInboxAsync(InboxConsumer, message.MessageId))
        {
            return false;
        }

        await handler(txn);
        return true;
    }

    /// <summary>Applies messages in order inside <paramref name="txn"/>; each run of <c>CacheWritten</c> events is applied together.</summary>
    private async ValueTask ApplyManyInAsync(ICatalogTransaction txn, IReadOnlyList<Envelope> messages)
    {
        for (int i = 0; i < messages.Count;)
        {
            int end = i;
            while (end < messages.Count && messages[end].Type == HsmMessageTypes.CacheWritten)
            {
                end++;
            }

            if (end == i)
            {
                _ = await ApplyInAsync(txn, messages[i++]);
                continue;
            }

            await OnCacheWrittenManyAsync(txn, [.. messages.Skip(i).Take(end - i)]);
            i = end;
        }
    }

    private static Func<ICatalogTransaction, ValueTask> Bind<T>(Envelope message, T body, Func<ICatalogTransaction, Envelope, T, ValueTask> handler) =>
        txn => handler(txn, message, body);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Reconcile re-appended {Count} files that were in no live archive list.")]
        public static partial void Reconciled(ILogger logger, int count);

        [LoggerMessage(7, LogLevel.Warning, "Reconcile gave back {Count} recalls claimed outside any live stage list; they are planned again.")]
        public static partial void RecallsReconciled(ILogger logger, int count);

        [LoggerMessage(2, LogLevel.Error, "Message {MessageId} of type {Type} is poison and was dead-lettered: {Reason}")]
        public static partial void Poison(ILogger logger, Guid messageId, string type, string reason);

        [LoggerMessage(3, LogLevel.Information, "List {ListId} {From} -> {To}: {Reason}")]
        public static partial void ListMoved(ILogger logger, Guid listId, string from, string to, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Stale {Type} reply for list {ListId} attempt {Attempt} (current {Current}) ignored.")]
        public static partial void StaleReply(ILogger logger, string type, Guid listId, int attempt, int current);

        [LoggerMessage(5, LogLevel.Error, "List {ListId} is dead after {Failures} charged failures ({Reason}); its members are FAILED.")]
        public static partial void ListDead(ILogger logger, Guid listId, int failures, string reason);

        [LoggerMessage(6, LogLevel.Error, "File {FileId} was lost before archive ({Reason}); archive status FAILED.")]
        public static partial void LostBeforeArchive(ILogger logger, long fileId, string reason);
    }
}
