using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Sqlite;

/// <summary>Enqueues a message inside a caller's transaction, resolving the direct exchange's bindings there (C3).</summary>
internal static class SqliteQueueWriter
{
    public static IReadOnlyList<string> Enqueue(
        SqliteConnection c, SqliteTransaction txn, string exchange, string routingKey, Envelope message, long nowMs, long? notBeforeMs)
    {
        var queues = new List<string>();
        using (SqliteCommand find = c.CreateCommand())
        {
            find.Transaction = txn;
            find.CommandText = "SELECT queue FROM bindings WHERE exchange = $x AND routing_key = $k ORDER BY queue";
            find.Parameters.AddWithValue("$x", exchange);
            find.Parameters.AddWithValue("$k", routingKey);
            using SqliteDataReader r = find.ExecuteReader();
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
        using SqliteCommand insert = c.CreateCommand();
        insert.Transaction = txn;
        insert.CommandText = """
            INSERT INTO queue_messages (message_id, queue, priority, enqueued_at, visible_at, envelope)
            VALUES ($id, $q, $p, $now, $visible, $env)
            """;
        SqliteParameter q = insert.Parameters.Add("$q", SqliteType.Text);
        insert.Parameters.AddWithValue("$id", message.MessageId.ToString("N"));
        insert.Parameters.AddWithValue("$p", (int)message.Priority);
        insert.Parameters.AddWithValue("$now", nowMs);
        insert.Parameters.AddWithValue("$visible", visible);
        insert.Parameters.AddWithValue("$env", json);
        foreach (string queue in queues)
        {
            q.Value = queue;
            insert.ExecuteNonQuery();
        }

        return queues;
    }
}
