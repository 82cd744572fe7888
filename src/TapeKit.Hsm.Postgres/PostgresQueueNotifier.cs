using Npgsql;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Notifies the listeners of queues after the transaction that made their messages visible committed. The
/// notification goes in a transaction of its own with <c>synchronous_commit = off</c>: a notification is not durable
/// anyway (listeners that miss one find the message at their next look, at the latest after their timeout), and so its
/// commit does not wait for a WAL flush while it holds PostgreSQL's global notification lock — concurrent publishers
/// then flush their own commits together (group commit) instead of one after another. One round trip.
/// </summary>
internal static class PostgresQueueNotifier
{
    /// <summary>Sends a notification per queue on <paramref name="channel"/> (its payload: the queue's name).</summary>
    /// <param name="c">An open connection with no transaction in progress.</param>
    /// <param name="channel">The schema's channel.</param>
    /// <param name="queues">The queues.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask NotifyAsync(NpgsqlConnection c, string channel, IReadOnlyCollection<string> queues, CancellationToken ct)
    {
        if (queues.Count == 0)
        {
            return;
        }

        await using var batch = new NpgsqlBatch(c);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("SET LOCAL synchronous_commit TO off"));
        var notify = new NpgsqlBatchCommand("SELECT pg_notify($1, q) FROM unnest($2::text[]) AS q");
        notify.Parameters.Add(new NpgsqlParameter { Value = channel });
        notify.Parameters.Add(new NpgsqlParameter { Value = queues.ToArray() });
        batch.BatchCommands.Add(notify);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));
        _ = await batch.ExecuteNonQueryAsync(ct);
    }
}
