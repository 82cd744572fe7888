using Npgsql;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Enqueues messages inside a caller's transaction: resolves each direct exchange's bindings there (C3: a routing key
/// without a binding fails the whole transaction), inserts one row per bound queue in one statement, and notifies the
/// queues' listeners, which PostgreSQL delivers only once the transaction commits.
/// </summary>
internal static class PostgresQueueWriter
{
    /// <summary>Enqueues <paramref name="messages"/>; returns the queues that received a message.</summary>
    /// <param name="c">The connection.</param>
    /// <param name="txn">The transaction.</param>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="now">The transaction's time (microseconds).</param>
    /// <param name="channel">The notification channel of the queue's schema.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">A routing key has no binding: nothing is enqueued.</exception>
    public static async ValueTask<IReadOnlyCollection<string>> EnqueueAsync(
        NpgsqlConnection c, NpgsqlTransaction txn, IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages,
        DateTimeOffset now, string channel, CancellationToken ct)
    {
        Dictionary<(string, string), List<string>> routes = await ReadBindingsAsync(c, txn, messages, ct);
        var ids = new List<Guid>(messages.Count);
        var queues = new List<string>(messages.Count);
        var priorities = new List<int>(messages.Count);
        var visible = new List<DateTimeOffset>(messages.Count);
        var envelopes = new List<string>(messages.Count);
        foreach ((string exchange, string key, Envelope message, DateTimeOffset? notBefore) in messages)
        {
            ArgumentNullException.ThrowIfNull(message);
            if (!routes.TryGetValue((exchange, key), out List<string>? bound))
            {
                throw new UnroutableMessageException(exchange, key, message.Type);
            }

            string json = HsmMessages.SerializeEnvelope(message);
            DateTimeOffset visibleAt = notBefore is { } nb && nb > now ? PostgresCatalog.TruncateToMicroseconds(nb.ToUniversalTime()) : now;
            foreach (string queue in bound)
            {
                ids.Add(message.MessageId);
                queues.Add(queue);
                priorities.Add((int)message.Priority);
                visible.Add(visibleAt);
                envelopes.Add(json);
            }
        }

        if (ids.Count == 0)
        {
            return [];
        }

        await using (var insert = new NpgsqlCommand("""
            INSERT INTO queue_messages (message_id, queue, priority, enqueued_at, visible_at, envelope)
            SELECT id, q, p, $6, v, e FROM unnest($1::uuid[], $2::text[], $3::integer[], $4::timestamptz[], $5::text[]) AS t(id, q, p, v, e)
            """, c, txn))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = queues.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = priorities.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = visible.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = envelopes.ToArray() });
            insert.Parameters.Add(new NpgsqlParameter { Value = now });
            await insert.ExecuteNonQueryAsync(ct);
        }

        string[] woken = [.. queues.Distinct(StringComparer.Ordinal)];
        await using (var notify = new NpgsqlCommand("SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q", c, txn))
        {
            notify.Parameters.Add(new NpgsqlParameter { Value = channel });
            notify.Parameters.Add(new NpgsqlParameter { Value = woken });
            await notify.ExecuteNonQueryAsync(ct);
        }

        return woken;
    }

    private static async ValueTask<Dictionary<(string, string), List<string>>> ReadBindingsAsync(
        NpgsqlConnection c, NpgsqlTransaction txn, IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages,
        CancellationToken ct)
    {
        (string Exchange, string RoutingKey)[] pairs = [.. messages.Select(m => (m.Exchange, m.RoutingKey)).Distinct()];
        var routes = new Dictionary<(string, string), List<string>>();
        await using var find = new NpgsqlCommand("""
            SELECT b.exchange, b.routing_key, b.queue FROM bus_bindings b
            JOIN unnest($1::text[], $2::text[]) AS p(exchange, routing_key) ON b.exchange = p.exchange AND b.routing_key = p.routing_key
            ORDER BY b.queue
            """, c, txn);
        find.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p.Exchange).ToArray() });
        find.Parameters.Add(new NpgsqlParameter { Value = pairs.Select(p => p.RoutingKey).ToArray() });
        await using NpgsqlDataReader r = await find.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            (string, string) route = (r.GetString(0), r.GetString(1));
            if (!routes.TryGetValue(route, out List<string>? bound))
            {
                routes[route] = bound = [];
            }

            bound.Add(r.GetString(2));
        }

        return routes;
    }
}
