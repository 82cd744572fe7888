using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Leadership;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Dispatching;

/// <summary>
/// The dispatcher's run loop: start-up reconcile, then — until cancelled — consume the event and reply queues, run
/// the timers, relay the outbox, and wait for the earlier of a wake-up, the next timer, or the poll interval (P8).
/// A host runs <see cref="RunAsync"/> from its hosted service; tests drive <see cref="PumpOnceAsync"/> step by step.
/// With <see cref="Leadership"/>, only the elected one of several dispatcher processes works: the others wait for its
/// term to end (docs/hsm/overview.md#roles: one dispatcher active at a time).
/// </summary>
public sealed class DispatcherService
{
    private readonly Dispatcher _dispatcher;
    private readonly IMessageBus _bus;
    private readonly ICatalog _catalog;
    private readonly DispatcherOptions _options;
    private readonly OutboxRelay _relay;
    private DateTimeOffset? _prunedAt;

    /// <summary>History batches pruned per round at most.</summary>
    private const int PruneBatchesPerRound = 4;

    /// <summary>Creates the loop.</summary>
    /// <param name="dispatcher">The dispatcher.</param>
    /// <param name="catalog">The catalogue (its outbox is relayed).</param>
    /// <param name="bus">The bus.</param>
    /// <param name="options">Settings.</param>
    public DispatcherService(Dispatcher dispatcher, ICatalog catalog, IMessageBus bus, DispatcherOptions options)
    {
        ArgumentNullException.ThrowIfNull(dispatcher);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(bus);
        ArgumentNullException.ThrowIfNull(options);
        _dispatcher = dispatcher;
        _catalog = catalog;
        _bus = bus;
        _options = options;
        _relay = new OutboxRelay(catalog, bus);
    }

    /// <summary>The reply queue of this dispatcher.</summary>
    public string ReplyQueue => HsmTopology.ReplyQueue(_options.DispatcherId);

    /// <summary>
    /// The dispatcher's campaign when several dispatcher processes share the catalogue; <see langword="null"/> (one
    /// process, the SQLite default) runs at once. The dispatcher's catalogue must then be fenced by the same campaign
    /// (<see cref="LeaderFencedCatalog"/>), so that a leader that lost its term commits nothing. The candidates share one
    /// <see cref="DispatcherOptions.DispatcherId"/>: the next leader consumes the replies to its predecessor's commands.
    /// </summary>
    public LeaderCampaign? Leadership { get; init; }

    /// <summary>
    /// Runs until cancelled. With <see cref="Leadership"/>: campaigns, works while its term lasts (a lost term, a fenced
    /// commit or a transient store error — the server restarting — ends the work, not the loop), resigns, and campaigns
    /// again; cancelling resigns at once.
    /// </summary>
    /// <param name="ct">Stops the loop.</param>
    public async Task RunAsync(CancellationToken ct)
    {
        if (Leadership is not { } campaign)
        {
            await LeadAsync(ct);
            return;
        }

        bool pause = false;
        while (!ct.IsCancellationRequested)
        {
            ILeaderTerm term;
            try
            {
                term = await campaign.WinAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }

            try
            {
                using var lead = CancellationTokenSource.CreateLinkedTokenSource(ct, term.Lost);
                await LeadAsync(lead.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // The term was lost while working.
            }
            catch (LeadershipLostException)
            {
                // A commit found a later leader before the term's own check did.
            }
            catch (HsmException e) when (e.IsTransient)
            {
                // The store went away (a restart, a lost connection): the term is given up, and won again once it is back.
                pause = true;
            }
            finally
            {
                await campaign.ResignAsync();
            }

            if (pause)
            {
                pause = false;
                try
                {
                    await Task.Delay(campaign.RetryInterval, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }
    }

    /// <summary>The work of the active dispatcher: start-up reconcile, then rounds until <paramref name="ct"/> ends.</summary>
    private async Task LeadAsync(CancellationToken ct)
    {
        await _relay.RelayAsync(ct: ct);
        await _dispatcher.StartAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            (int handled, DateTimeOffset? next) = await PumpOnceAsync(ct);
            if (handled > 0)
            {
                continue;
            }

            TimeSpan wait = _options.PollInterval;
            if (next is { } due)
            {
                TimeSpan untilDue = due - _catalog.Time.GetUtcNow();
                wait = untilDue < wait ? (untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero) : wait;
            }

            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task first = await Task.WhenAny(
                _bus.WaitAsync(HsmTopology.DispatcherEventsQueue, wait, cts.Token),
                _bus.WaitAsync(ReplyQueue, wait, cts.Token));
            await cts.CancelAsync();
            await first.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    /// <summary>
    /// One round: relay, take a batch from the events queue and then from the reply queue (each applied in one
    /// transaction and acknowledged with it or after it), run the timers, relay again.
    /// </summary>
    /// <param name="ct">Cancels the round.</param>
    /// <returns>How many deliveries were handled and when the next timer is due.</returns>
    public async ValueTask<(int Handled, DateTimeOffset? NextDue)> PumpOnceAsync(CancellationToken ct = default)
    {
        await _relay.RelayAsync(ct: ct);
        var receive = new ReceiveOptions(_options.ConsumerId ?? _options.DispatcherId, _options.BatchSize, _options.MessageLease);
        int handled = 0;
        // One transaction per queue, not one for both: a batch of events sends the lists it fills (a per-state counter
        // row, which sessions may share, counts them ACTIVE) and a reply updates a list that a migrator may be committing
        // (whose commit takes the list row, then the counter); in one transaction the dispatcher would take the two in
        // the opposite order and deadlock with that commit (seen on PostgreSQL with 4 bench workers).
        foreach (string queue in new[] { HsmTopology.DispatcherEventsQueue, ReplyQueue })
        {
            IReadOnlyList<IDelivery> batch = await _bus.ReceiveAsync(queue, receive, ct);
            await _dispatcher.HandleManyAsync(batch, _bus, ct);
            handled += batch.Count;
        }

        DateTimeOffset? next = await _dispatcher.TickAsync(ct);
        await _relay.RelayAsync(ct: ct);
        await PruneWhenDueAsync(ct);
        return (handled, next);
    }

    /// <summary>Prunes the catalogue's history once per retention interval (the first time at the first round).</summary>
    private async ValueTask PruneWhenDueAsync(CancellationToken ct)
    {
        DateTimeOffset now = _catalog.Time.GetUtcNow();
        if (_options.Retention is not { } retention || (_prunedAt is { } last && now - last < retention.Interval))
        {
            return;
        }

        // A bounded share per round, so that a catalogue with a long history (the first run after an upgrade) is pruned
        // over many rounds without holding up the dispatcher's own work; the interval restarts once all is done.
        HistoryPruned pruned = await CatalogHistory.PruneAsync(_catalog, retention, PruneBatchesPerRound, ct);
        if (!pruned.MayHaveMore)
        {
            _prunedAt = now;
        }
    }
}
