using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Sqlite;

/// <summary>Enqueues a message inside a caller's transaction, resolving the direct exchange's bindings there (C3).</summary>
internal static class SqliteQueueWriter
{
    private const string FindBindings = "SELECT queue FROM bindings WHERE exchange = $x AND routing_key = $k ORDER BY queue";

    private const string Insert = """
        INSERT INTO queue_messages (message_id, queue, priority, enqueued_at, visible_at, envelope)
        VALUES ($id, $q, $p, $now, $visible, $env)
        """;

    /// <summary>Writes one row per bound queue with the session's compiled statements; returns the queues written.</summary>
    public static IReadOnlyList<string> Enqueue(
        SqliteSession session, SqliteTransaction txn, string exchange, string routingKey, Envelope message, long nowMs, long? notBeforeMs)
    {
        var queues = new List<string>();
        SqliteCommand find = session.Command(FindBindings, txn, [("$x", exchange), ("$k", routingKey)], out _);
        using (SqliteDataReader r = find.ExecuteReader())
        {
            while (r.Read())
            {
                queues.Add(r.GetString(0));
            }
        }

        if (queues.Count == 0)
        {
            throw new UnroutableMessageException(exchange, routingKey, message.Type);
        }

        string json = HsmMessages.SerializeEnvelope(message);
        long visible = notBeforeMs is { } nb && nb > nowMs ? nb : nowMs;
        string id = message.MessageId.ToString("N");
        foreach (string queue in queues)
        {
            SqliteCommand insert = session.Command(Insert, txn,
                [("$id", id), ("$q", queue), ("$p", (int)message.Priority), ("$now", nowMs), ("$visible", visible), ("$env", json)], out _);
            insert.ExecuteNonQuery();
        }

        return queues;
    }
}
