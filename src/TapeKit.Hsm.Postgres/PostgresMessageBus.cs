using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// The durable work queue on PostgreSQL (docs/hsm/overview.md#messaging), in the catalogue's schema: direct-exchange bindings in
/// <c>bus_bindings</c>, messages in <c>queue_messages</c>. A receive claims a bounded batch of the visible rows of one
/// queue, highest priority first and then oldest, in one statement with <c>FOR UPDATE SKIP LOCKED</c>, so competing
/// consumers in any number of processes never wait for each other nor take one message twice; each claim sets a lease
/// (owner, random token, expiry on the catalogue's clock) and every settle operation is conditional on that token. A
/// message already delivered <see cref="PostgresHsmOptions.MaxDeliveries"/> times is dead-lettered when it is next
/// claimed; dead letters stay in the table with their reason. A publish is one statement (bindings resolved and rows
/// inserted) and its commit; once committed, it notifies the queue's listeners (<c>LISTEN/NOTIFY</c>, in a transaction
/// of its own that does not wait for a WAL flush: see <see cref="PostgresQueueNotifier"/>), so <see cref="WaitAsync"/>
/// returns when another process publishes.
/// </summary>
/// <remarks>
/// Store errors reach callers as the catalogue translates them: a lost connection or a restarted server is a transient
/// <see cref="CatalogStoreException"/> and the next call runs on a new connection. A settle operation whose connection
/// broke during its commit may have applied; calling it again then answers <see langword="false"/> (at-least-once
/// delivery; consumers de-duplicate by message id).
/// </remarks>
public sealed partial class PostgresMessageBus : IMessageBus, ICatalogAcknowledgingBus, IAsyncDisposable
{
    private readonly PostgresCatalog _catalog;
    private readonly PostgresQueueWakeups _wakeups;

    /// <summary>Creates the work queue in the schema of <paramref name="catalog"/> (its migrations created the tables).</summary>
    /// <param name="catalog">The catalogue: its connections, clock and settings.</param>
    public PostgresMessageBus(PostgresCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentOutOfRangeException.ThrowIfLessThan(catalog.Options.MaxDeliveries, 1, nameof(catalog));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(catalog.Options.DefaultLease, TimeSpan.Zero, nameof(catalog));
        _catalog = catalog;
        _wakeups = new PostgresQueueWakeups(catalog.ConnectionString, catalog.Options.Schema);
    }

    /// <inheritdoc />
    public async ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        if (topology.Bindings.Count == 0)
        {
            return;
        }

        _ = await ExecuteAsync("""
            INSERT INTO bus_bindings (exchange, routing_key, queue)
            SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING
            """, ct,
            topology.Bindings.Select(b => b.Exchange).ToArray(), topology.Bindings.Select(b => b.RoutingKey).ToArray(), topology.Bindings.Select(b => b.Queue).ToArray());
    }

    /// <inheritdoc />
    public async ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await PublishManyAsync([(exchange, routingKey, message, notBefore)], ct);
    }

    /// <summary>Publishes several messages in one transaction (all or none); returns once it committed.</summary>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">A routing key has no binding: nothing is published.</exception>
    public async ValueTask PublishManyAsync(IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (messages.Count == 0)
        {
            return;
        }

        IReadOnlyCollection<string> woken;
        try
        {
            await using NpgsqlConnection c = await _catalog.DataSource.OpenConnectionAsync(ct);
            await using (NpgsqlTransaction txn = await c.BeginTransactionAsync(ct))
            {
                woken = await PostgresQueueWriter.EnqueueAsync(c, txn, messages, Now(), ct);
                await txn.CommitAsync(CancellationToken.None);
            }

            // Durable now; this process's waiters are woken at once, other processes' through the server.
            foreach (string queue in woken)
            {
                _wakeups.Wake(queue);
            }

            await NotifyCommittedAsync(c, woken);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>
    /// Notifies other processes of queues whose messages a committed transaction made visible. A failure here is not
    /// the publish's: its messages are durable, and a waiter that misses the notification finds them at its next look.
    /// </summary>
    private async ValueTask NotifyCommittedAsync(NpgsqlConnection c, IReadOnlyCollection<string> queues)
    {
        try
        {
            await PostgresQueueNotifier.NotifyAsync(c, _wakeups.Channel, queues, CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            // Notifications are a shortcut, never a guarantee (WaitAsync's timeout bounds every wait).
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> AckManyAsync(IReadOnlyList<IDelivery> deliveries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        var mine = new List<Delivery>(deliveries.Count);
        foreach (IDelivery d in deliveries)
        {
            mine.Add(d is Delivery x && ReferenceEquals(x.Bus, this)
                ? x
                : throw new ArgumentException("A delivery of another bus cannot be acknowledged here.", nameof(deliveries)));
        }

        if (mine.Count == 0)
        {
            return 0;
        }

        return await ExecuteAsync(AckManySql, ct, mine.Select(d => d.Seq).ToArray(), mine.Select(d => d.Token).ToArray());
    }

    /// <inheritdoc />
    /// <remarks>The queues are tables of the catalogue's database: a transaction of this bus's catalogue deletes the rows itself.</remarks>
    public async ValueTask<bool> TryAckInAsync(ICatalogTransaction txn, IReadOnlyList<IDelivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(deliveries);
        if (txn is not PostgresTransaction here || !here.IsOf(_catalog) || !deliveries.All(d => d is Delivery x && ReferenceEquals(x.Bus, this)))
        {
            return false;
        }

        if (deliveries.Count > 0)
        {
            Delivery[] mine = [.. deliveries.Cast<Delivery>()];
            _ = await here.ExecuteHereAsync(AckManySql, mine.Select(d => d.Seq).ToArray(), mine.Select(d => d.Token).ToArray());
        }

        return true;
    }

    private const string AckManySql = """
        DELETE FROM queue_messages m USING unnest($1::bigint[], $2::uuid[]) AS d(seq, token)
        WHERE m.seq = d.seq AND m.lease_token = d.token
        """;

    /// <summary>
    /// Completes when a message may have become visible in <paramref name="queue"/> — a notification from any process, a
    /// publish of this one, a visible message found at the start, or a broken listening session — or after
    /// <paramref name="timeout"/> on the catalogue's clock. Never throws a store error: when the queue cannot be looked
    /// at, it returns at once and the caller's next receive meets the error itself.
    /// </summary>
    /// <param name="queue">The queue.</param>
    /// <param name="timeout">The longest wait.</param>
    /// <param name="ct">Cancels the wait.</param>
    public async Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task delay = Task.Delay(timeout, _catalog.Time, cts.Token);
        Task listening = _wakeups.Listening();
        try
        {
            // The session listens, then the waiter registers, then it looks at the queue: a message made visible after the
            // look is notified to a registered waiter, one made visible before it is seen by the look.
            if (await Task.WhenAny(listening, delay) == listening)
            {
                Task signal = _wakeups.Signal(queue);
                if (await NothingReadyAsync(queue, cts.Token))
                {
                    _ = await Task.WhenAny(signal, delay);
                }
            }
        }
        finally
        {
            await cts.CancelAsync();
        }

        ct.ThrowIfCancellationRequested();
    }

    /// <summary>Whether the queue has no visible message; <see langword="false"/> when the store cannot tell now.</summary>
    private async ValueTask<bool> NothingReadyAsync(string queue, CancellationToken ct)
    {
        try
        {
            return (await GetStatsAsync(queue, ct)).Ready == 0;
        }
        catch (CatalogStoreException e) when (e.IsTransient)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public async ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        DateTimeOffset now = Now();
        try
        {
            await using NpgsqlCommand cmd = Command("""
                SELECT
                  count(*) FILTER (WHERE dead_reason IS NULL AND visible_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)),
                  count(*) FILTER (WHERE dead_reason IS NULL AND lease_until > $2),
                  count(*) FILTER (WHERE dead_reason IS NULL AND visible_at > $2 AND (lease_until IS NULL OR lease_until <= $2)),
                  count(*) FILTER (WHERE dead_reason IS NOT NULL),
                  min(enqueued_at) FILTER (WHERE dead_reason IS NULL AND visible_at <= $2 AND (lease_until IS NULL OR lease_until <= $2))
                FROM queue_messages WHERE queue = $1
                """, queue, now);
            await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct);
            _ = await r.ReadAsync(ct);
            TimeSpan oldest = r.IsDBNull(4) ? TimeSpan.Zero : now - r.GetFieldValue<DateTimeOffset>(4);
            return new QueueStats((int)r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3), oldest);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default)
    {
        try
        {
            await using NpgsqlCommand cmd = Command(
                "SELECT envelope, dead_reason, delivery_count FROM queue_messages WHERE queue = $1 AND dead_reason IS NOT NULL ORDER BY seq", queue);
            await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct);
            var result = new List<DeadLetter>();
            while (await r.ReadAsync(ct))
            {
                result.Add(new DeadLetter(HsmMessages.DeserializeEnvelopeOrUnreadable(r.GetString(0)), r.GetString(1), r.GetInt32(2)));
            }

            return result;
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default)
    {
        bool replayed = await ExecuteAsync("""
            UPDATE queue_messages SET dead_reason = NULL, delivery_count = 0, visible_at = $3, lease_owner = NULL, lease_token = NULL, lease_until = NULL
            WHERE queue = $1 AND message_id = $2 AND dead_reason IS NOT NULL
            """, ct, queue, messageId, Now()) > 0;
        if (replayed)
        {
            await NotifyAsync([queue], ct);
        }

        return replayed;
    }

    /// <summary>Stops listening for wake-ups (once; further calls do nothing). The catalogue, whose connections the queue uses, stays open.</summary>
    public ValueTask DisposeAsync() => _wakeups.DisposeAsync();

    /// <summary>The queue's time: the catalogue's clock, cut to PostgreSQL's microseconds.</summary>
    private DateTimeOffset Now() => PostgresCatalog.TruncateToMicroseconds(_catalog.Time.GetUtcNow());

    /// <summary>Wakes the waiters of <paramref name="queues"/> here and, through the server, in every other process.</summary>
    private async ValueTask NotifyAsync(IReadOnlyCollection<string> queues, CancellationToken ct)
    {
        foreach (string queue in queues)
        {
            _wakeups.Wake(queue);
        }

        try
        {
            await using NpgsqlConnection c = await _catalog.DataSource.OpenConnectionAsync(ct);
            await NotifyCommittedAsync(c, queues);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    /// <summary>Runs one statement on a pooled connection (its own transaction); returns the rows it changed.</summary>
    private async ValueTask<int> ExecuteAsync(string sql, CancellationToken ct, params object[] args)
    {
        try
        {
            await using NpgsqlCommand cmd = Command(sql, args);
            return await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }
    }

    private NpgsqlCommand Command(string sql, params object[] args)
    {
        NpgsqlCommand cmd = _catalog.DataSource.CreateCommand(sql);
        foreach (object arg in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg });
        }

        return cmd;
    }

    private Exception Translate(NpgsqlException e) => PostgresErrors.Translate(e, _catalog.StoreName);
}
