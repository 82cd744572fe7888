using Npgsql;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

public sealed partial class PostgresMessageBus
{
    /// <summary>
    /// One claim: locks up to <c>$3</c> visible rows of the queue in the claim's order, skipping rows other claims hold,
    /// and leases them — or, for a row already delivered <c>$4</c> times, dead-letters it instead.
    /// </summary>
    private const string ClaimSql = """
        WITH picked AS (
            SELECT seq FROM queue_messages
            WHERE queue = $1 AND dead_reason IS NULL AND visible_at <= $2 AND (lease_until IS NULL OR lease_until <= $2)
            ORDER BY priority DESC, seq
            LIMIT $3
            FOR UPDATE SKIP LOCKED)
        UPDATE queue_messages m SET
            delivery_count = CASE WHEN m.delivery_count >= $4 THEN m.delivery_count ELSE m.delivery_count + 1 END,
            dead_reason = CASE WHEN m.delivery_count >= $4 THEN format('delivered %s times (MaxDeliveries %s)', m.delivery_count, $4) END,
            lease_owner = CASE WHEN m.delivery_count >= $4 THEN NULL ELSE $5 END,
            lease_token = CASE WHEN m.delivery_count >= $4 THEN NULL ELSE $6 END,
            lease_until = CASE WHEN m.delivery_count >= $4 THEN NULL ELSE $7 END
        FROM picked WHERE m.seq = picked.seq
        RETURNING m.seq, m.priority, m.envelope, m.delivery_count, m.dead_reason IS NOT NULL
        """;

    /// <summary>At most this many claims per receive when claims keep finding messages to dead-letter instead.</summary>
    private const int MaxClaimsPerReceive = 8;

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMessages);
        TimeSpan lease = options.Lease ?? _catalog.Options.DefaultLease;
        var claimed = new List<ClaimedRow>();
        DateTimeOffset now = Now();
        DateTimeOffset leaseUntil = now + lease;
        Guid token = Guid.NewGuid();
        for (int round = 0; round < MaxClaimsPerReceive && claimed.Count < options.MaxMessages; round++)
        {
            (List<ClaimedRow> rows, int deadLettered) = await ClaimAsync(queue, options.ConsumerId, options.MaxMessages - claimed.Count, now, leaseUntil, token, ct);
            claimed.AddRange(rows);
            if (deadLettered == 0)
            {
                break;
            }
        }

        var result = new List<IDelivery>(claimed.Count);
        foreach (ClaimedRow row in claimed.OrderByDescending(r => r.Priority).ThenBy(r => r.Seq))
        {
            Envelope message;
            try
            {
                message = HsmMessages.DeserializeEnvelope(row.Envelope);
            }
            catch (PoisonMessageException e)
            {
                _ = await new Delivery(this, queue, row.Seq, token, new Envelope { MessageId = Guid.Empty, Type = "unreadable" }, row.DeliveryCount, leaseUntil)
                    .DeadLetterAsync(e.Message, ct);
                continue;
            }

            result.Add(new Delivery(this, queue, row.Seq, token, message, row.DeliveryCount, leaseUntil));
        }

        return result;
    }

    private async ValueTask<(List<ClaimedRow> Rows, int DeadLettered)> ClaimAsync(
        string queue, string consumer, int max, DateTimeOffset now, DateTimeOffset leaseUntil, Guid token, CancellationToken ct)
    {
        var rows = new List<ClaimedRow>();
        int deadLettered = 0;
        try
        {
            await using NpgsqlCommand claim = Command(ClaimSql, queue, now, max, _catalog.Options.MaxDeliveries, consumer, token, leaseUntil);
            await using NpgsqlDataReader r = await claim.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct))
            {
                if (r.GetBoolean(4))
                {
                    deadLettered++;
                    continue;
                }

                rows.Add(new ClaimedRow(r.GetInt64(0), r.GetInt32(1), r.GetString(2), r.GetInt32(3)));
            }
        }
        catch (NpgsqlException e)
        {
            throw Translate(e);
        }

        return (rows, deadLettered);
    }

    /// <summary>A row a claim leased.</summary>
    private readonly record struct ClaimedRow(long Seq, int Priority, string Envelope, int DeliveryCount);
}
