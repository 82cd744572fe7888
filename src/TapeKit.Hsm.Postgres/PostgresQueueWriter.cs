using Npgsql;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Enqueues messages inside a caller's transaction with one statement: it resolves each direct exchange's bindings (C3:
/// a routing key without a binding fails the whole transaction) and inserts one row per bound queue, in the messages'
/// order. It does not notify: a <c>NOTIFY</c> in the transaction would take PostgreSQL's global notification lock from
/// its commit until the commit record is flushed, so that concurrent publishers would commit one after the other, each
/// waiting for its own WAL flush; the bus notifies once the transaction committed (<see cref="PostgresQueueNotifier"/>).
/// </summary>
internal static class PostgresQueueWriter
{
    /// <summary>Resolves the bindings and inserts, in one round trip; answers the first unroutable message (1-based) and the queues written to.</summary>
    private const string EnqueueSql = """
        WITH t AS (
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::integer[], $5::timestamptz[], $6::text[]) WITH ORDINALITY AS t(id, x, k, p, v, e, n)),
        ins AS (
            INSERT INTO queue_messages (message_id, queue, priority, enqueued_at, visible_at, envelope)
            SELECT t.id, b.queue, t.p, $7, t.v, t.e FROM t JOIN bus_bindings b ON b.exchange = t.x AND b.routing_key = t.k
            ORDER BY t.n, b.queue
            RETURNING queue)
        SELECT (SELECT min(t.n) FROM t WHERE NOT EXISTS (SELECT 1 FROM bus_bindings b WHERE b.exchange = t.x AND b.routing_key = t.k)),
               ARRAY(SELECT DISTINCT queue FROM ins)
        """;

    /// <summary>Enqueues <paramref name="messages"/>; returns the queues that received a message.</summary>
    /// <param name="c">The connection.</param>
    /// <param name="txn">The transaction; the caller rolls it back when this throws.</param>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="now">The transaction's time (microseconds).</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">A routing key has no binding: the transaction must be rolled back.</exception>
    public static async ValueTask<IReadOnlyCollection<string>> EnqueueAsync(
        NpgsqlConnection c, NpgsqlTransaction txn, IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages,
        DateTimeOffset now, CancellationToken ct)
    {
        var ids = new Guid[messages.Count];
        var exchanges = new string[messages.Count];
        var keys = new string[messages.Count];
        var priorities = new int[messages.Count];
        var visible = new DateTimeOffset[messages.Count];
        var envelopes = new string[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            (string exchange, string key, Envelope message, DateTimeOffset? notBefore) = messages[i];
            ArgumentNullException.ThrowIfNull(message);
            ids[i] = message.MessageId;
            exchanges[i] = exchange;
            keys[i] = key;
            priorities[i] = (int)message.Priority;
            visible[i] = notBefore is { } nb && nb > now ? PostgresCatalog.TruncateToMicroseconds(nb.ToUniversalTime()) : now;
            envelopes[i] = HsmMessages.SerializeEnvelope(message);
        }

        if (messages.Count == 0)
        {
            return [];
        }

        await using var insert = new NpgsqlCommand(EnqueueSql, c, txn);
        foreach (object value in new object[] { ids, exchanges, keys, priorities, visible, envelopes, now })
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = value });
        }

        await using NpgsqlDataReader r = await insert.ExecuteReaderAsync(ct);
        _ = await r.ReadAsync(ct);
        if (!r.IsDBNull(0))
        {
            (string exchange, string key, Envelope message, _) = messages[(int)r.GetInt64(0) - 1];
            throw new UnroutableMessageException(exchange, key, message.Type);
        }

        return r.GetFieldValue<string[]>(1);
    }
}
