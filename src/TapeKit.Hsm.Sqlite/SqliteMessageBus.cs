using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The SQLite durable queue (docs/hsm/overview.md#messaging): <c>queue_messages</c> rows claimed with one
/// <c>UPDATE … RETURNING</c> over the oldest visible rows by priority in a <c>BEGIN IMMEDIATE</c> transaction;
/// leases and delays on the store's clock; dead letters stay in the table with their reason; in-process wake-ups.
/// Every settle operation is conditional on the delivery's lease token.
/// </summary>
public sealed partial class SqliteMessageBus : IMessageBus, ICatalogAcknowledgingBus
{
    private const string DeadSql = """
        UPDATE queue_messages
        SET dead_reason = 'delivered ' || delivery_count || ' times (MaxDeliveries ' || $max || ')', lease_owner = NULL, lease_token = NULL, lease_until = NULL
        WHERE queue = $q AND dead_reason IS NULL AND visible_at <= $now AND (lease_until IS NULL OR lease_until <= $now) AND delivery_count >= $max
        """;

    private const string ClaimSql = """
        UPDATE queue_messages
        SET delivery_count = delivery_count + 1, lease_owner = $owner, lease_token = $token, lease_until = $until
        WHERE seq IN (
            SELECT seq FROM queue_messages
            WHERE queue = $q AND dead_reason IS NULL AND visible_at <= $now AND (lease_until IS NULL OR lease_until <= $now)
            ORDER BY priority DESC, seq
            LIMIT $n)
        RETURNING seq, priority, envelope, delivery_count
        """;

    private const string AckSql = "DELETE FROM queue_messages WHERE seq = $seq AND lease_token = $t";

    private const string StatsSql = """
            SELECT
              COALESCE(SUM(dead_reason IS NULL AND visible_at <= $now AND (lease_until IS NULL OR lease_until <= $now)), 0),
              COALESCE(SUM(dead_reason IS NULL AND lease_until > $now), 0),
              COALESCE(SUM(dead_reason IS NULL AND visible_at > $now AND (lease_until IS NULL OR lease_until <= $now)), 0),
              COALESCE(SUM(dead_reason IS NOT NULL), 0),
              MIN(CASE WHEN dead_reason IS NULL AND visible_at <= $now AND (lease_until IS NULL OR lease_until <= $now) THEN enqueued_at END)
            FROM queue_messages WHERE queue = $q
            """;

    private readonly SqliteHsmStore _store;

    internal SqliteMessageBus(SqliteHsmStore store) => _store = store;

    /// <inheritdoc />
    public async ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        using IDisposable _ = await _store.EnterWriterAsync(ct);
        using SqliteConnection c = _store.Open();
        using SqliteTransaction txn = c.BeginTransaction(deferred: false);
        using SqliteCommand cmd = c.CreateCommand();
        cmd.Transaction = txn;
        cmd.CommandText = "INSERT OR IGNORE INTO bindings (exchange, routing_key, queue) VALUES ($x, $k, $q)";
        SqliteParameter x = cmd.Parameters.Add("$x", SqliteType.Text);
        SqliteParameter k = cmd.Parameters.Add("$k", SqliteType.Text);
        SqliteParameter q = cmd.Parameters.Add("$q", SqliteType.Text);
        foreach (QueueBinding b in topology.Bindings)
        {
            x.Value = b.Exchange;
            k.Value = b.RoutingKey;
            q.Value = b.Queue;
            cmd.ExecuteNonQuery();
        }

        txn.Commit();
    }

    /// <inheritdoc />
    public async ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        await PublishManyAsync([(exchange, routingKey, message, notBefore)], ct);
    }

    /// <summary>Publishes several messages in one transaction (all or none).</summary>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask PublishManyAsync(IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var woken = new HashSet<string>(StringComparer.Ordinal);
        using (IDisposable _ = await _store.EnterWriterAsync(ct))
        {
            SqliteSession session = _store.RentSession();
            bool reusable = false;
            try
            {
                using SqliteTransaction txn = session.Connection.BeginTransaction(deferred: false);
                long now = _store.NowMs();
                foreach ((string exchange, string key, Envelope message, DateTimeOffset? notBefore) in messages)
                {
                    woken.UnionWith(SqliteQueueWriter.Enqueue(session, txn, exchange, key, message, now, notBefore?.ToUnixTimeMilliseconds()));
                }

                txn.Commit();
                reusable = true;
            }
            finally
            {
                _store.ReturnSession(session, reusable);
            }
        }

        foreach (string q in woken)
        {
            _store.Wake(q);
        }
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMessages);
        TimeSpan lease = options.Lease ?? _store.Options.DefaultLease;
        (List<(long Seq, int Priority, string Envelope, int Count, string Token)> rows, long now) = await ClaimAsync(queue, options, lease, ct);
        DateTimeOffset leaseUntil = DateTimeOffset.FromUnixTimeMilliseconds(now + (long)lease.TotalMilliseconds);
        var result = new List<IDelivery>(rows.Count);
        foreach ((long seq, _, string json, int count, string t) in rows.OrderByDescending(r => r.Priority).ThenBy(r => r.Seq))
        {
            Envelope message;
            try
            {
                message = HsmMessages.DeserializeEnvelope(json);
            }
            catch (PoisonMessageException e)
            {
                await new Delivery(this, queue, seq, t, new Envelope { MessageId = Guid.Empty, Type = "unreadable" }, count, leaseUntil).DeadLetterAsync(e.Message, ct);
                continue;
            }

            result.Add(new Delivery(this, queue, seq, t, message, count, leaseUntil));
        }

        return result;
    }

    private async ValueTask<(List<(long Seq, int Priority, string Envelope, int Count, string Token)> Rows, long Now)> ClaimAsync(
        string queue, ReceiveOptions options, TimeSpan lease, CancellationToken ct)
    {
        using IDisposable writer = await _store.EnterWriterAsync(ct);
        return _store.WithSession(session =>
        {
            using SqliteTransaction txn = session.Connection.BeginTransaction(deferred: false);
            long now = _store.NowMs();
            _ = session.Command(DeadSql, txn, [("$q", queue), ("$now", now), ("$max", _store.Options.MaxDeliveries)], out _).ExecuteNonQuery();
            var rows = new List<(long Seq, int Priority, string Envelope, int Count, string Token)>();
            string token = Guid.NewGuid().ToString("N");
            SqliteCommand claim = session.Command(ClaimSql, txn,
            [
                ("$owner", options.ConsumerId), ("$token", token), ("$until", now + (long)lease.TotalMilliseconds), ("$q", queue), ("$now", now),
                ("$n", options.MaxMessages),
            ], out _);
            using (SqliteDataReader r = claim.ExecuteReader())
            {
                while (r.Read())
                {
                    rows.Add((r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetInt32(3), token));
                }
            }

            txn.Commit();
            return (rows, now);
        });
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

        using IDisposable writer = await _store.EnterWriterAsync(ct);
        return _store.WithSession(session =>
        {
            using SqliteTransaction txn = session.Connection.BeginTransaction(deferred: false);
            int acked = 0;
            foreach (Delivery d in mine)
            {
                acked += session.Command(AckSql, txn, [("$seq", d.Seq), ("$t", d.Token)], out _).ExecuteNonQuery();
            }

            txn.Commit();
            return acked;
        });
    }

    /// <inheritdoc />
    /// <remarks>The queues are tables of the catalogue's file: a transaction of this store's catalogue deletes the rows itself.</remarks>
    public ValueTask<bool> TryAckInAsync(ICatalogTransaction txn, IReadOnlyList<IDelivery> deliveries)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(deliveries);
        if (txn is not SqliteStoreTransaction here || !here.IsOf(_store) || !deliveries.All(d => d is Delivery x && ReferenceEquals(x.Bus, this)))
        {
            return ValueTask.FromResult(false);
        }

        foreach (Delivery d in deliveries.Cast<Delivery>())
        {
            _ = here.ExecuteHere(AckSql, ("$seq", d.Seq), ("$t", d.Token));
        }

        return ValueTask.FromResult(true);
    }

    /// <inheritdoc />
    public async Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default)
    {
        Task signal = _store.Signal(queue);
        QueueStats stats = await GetStatsAsync(queue, ct);
        if (stats.Ready > 0)
        {
            return;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task delay = Task.Delay(timeout, _store.Time, cts.Token);
        _ = await Task.WhenAny(signal, delay);
        await cts.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        long now = _store.NowMs();
        return ValueTask.FromResult(_store.WithSession(session =>
        {
            SqliteCommand cmd = session.Command(StatsSql, null, [("$q", queue), ("$now", now)], out _);
            using SqliteDataReader r = cmd.ExecuteReader();
            r.Read();
            TimeSpan oldest = r.IsDBNull(4) ? TimeSpan.Zero : TimeSpan.FromMilliseconds(now - r.GetInt64(4));
            return new QueueStats((int)r.GetInt64(0), (int)r.GetInt64(1), (int)r.GetInt64(2), (int)r.GetInt64(3), oldest);
        }));
    }



    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default)
    {
        using SqliteConnection c = _store.Open();
        using SqliteCommand cmd = c.CreateCommand();
        cmd.CommandText = "SELECT envelope, dead_reason, delivery_count FROM queue_messages WHERE queue = $q AND dead_reason IS NOT NULL ORDER BY seq";
        cmd.Parameters.AddWithValue("$q", queue);
        using SqliteDataReader r = cmd.ExecuteReader();
        var result = new List<DeadLetter>();
        while (r.Read())
        {
            result.Add(new DeadLetter(HsmMessages.DeserializeEnvelopeOrUnreadable(r.GetString(0)), r.GetString(1), r.GetInt32(2)));
        }

        return ValueTask.FromResult<IReadOnlyList<DeadLetter>>(result);
    }

    /// <inheritdoc />
    public async ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default)
    {
        int changed = await ExecuteAsync("""
            UPDATE queue_messages SET dead_reason = NULL, delivery_count = 0, visible_at = $now, lease_owner = NULL, lease_token = NULL, lease_until = NULL
            WHERE queue = $q AND message_id = $id AND dead_reason IS NOT NULL
            """, ct, ("$q", queue), ("$id", messageId.ToString("N")));
        if (changed > 0)
        {
            _store.Wake(queue);
        }

        return changed > 0;
    }

    private async ValueTask<int> ExecuteAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        using IDisposable writer = await _store.EnterWriterAsync(ct);
        (string, object?)[] args = [("$now", _store.NowMs()), .. parameters.Select(p => (p.Name, (object?)p.Value))];
        return _store.WithSession(session => session.Command(sql, null, args, out _).ExecuteNonQuery());
    }

    private sealed class Delivery(SqliteMessageBus bus, string queue, long seq, string token, Envelope message, int count, DateTimeOffset leaseUntil) : IDelivery
    {
        public SqliteMessageBus Bus => bus;

        public long Seq => seq;

        public string Token => token;

        public Envelope Message { get; } = message;

        public string Queue { get; } = queue;

        public int DeliveryCount { get; } = count;

        public DateTimeOffset LeaseUntil { get; private set; } = leaseUntil;

        public async ValueTask<bool> AckAsync(CancellationToken ct = default) =>
            await bus.ExecuteAsync(AckSql, ct, ("$seq", seq), ("$t", token)) > 0;

        public async ValueTask<bool> NackAsync(bool requeue, TimeSpan? delay = null, string? reason = null, CancellationToken ct = default)
        {
            if (!requeue)
            {
                return await DeadLetterAsync(reason ?? "rejected", ct);
            }

            bool ok = await bus.ExecuteAsync("""
                UPDATE queue_messages SET lease_owner = NULL, lease_token = NULL, lease_until = NULL, visible_at = $now + $delay
                WHERE seq = $seq AND lease_token = $t
                """, ct, ("$seq", seq), ("$t", token), ("$delay", (long)(delay ?? TimeSpan.Zero).TotalMilliseconds)) > 0;
            if (ok)
            {
                bus._store.Wake(Queue);
            }

            return ok;
        }

        public async ValueTask<bool> ExtendLeaseAsync(TimeSpan by, CancellationToken ct = default)
        {
            long until = bus._store.NowMs() + (long)by.TotalMilliseconds;
            bool ok = await bus.ExecuteAsync("UPDATE queue_messages SET lease_until = $until WHERE seq = $seq AND lease_token = $t", ct,
                ("$seq", seq), ("$t", token), ("$until", until)) > 0;
            if (ok)
            {
                LeaseUntil = DateTimeOffset.FromUnixTimeMilliseconds(until);
            }

            return ok;
        }

        public async ValueTask<bool> DeadLetterAsync(string reason, CancellationToken ct = default) =>
            await bus.ExecuteAsync("""
                UPDATE queue_messages SET dead_reason = $r, lease_owner = NULL, lease_token = NULL, lease_until = NULL
                WHERE seq = $seq AND lease_token = $t
                """, ct, ("$seq", seq), ("$t", token), ("$r", reason)) > 0;
    }
}
