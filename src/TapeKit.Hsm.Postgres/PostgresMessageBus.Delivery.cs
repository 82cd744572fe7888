using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

public sealed partial class PostgresMessageBus
{
    /// <summary>A leased message; every operation is conditional on its lease token still being the row's.</summary>
    private sealed class Delivery(PostgresMessageBus bus, string queue, long seq, Guid token, Envelope message, int count, DateTimeOffset leaseUntil) : IDelivery
    {
        public PostgresMessageBus Bus => bus;

        public long Seq => seq;

        public Guid Token => token;

        public Envelope Message { get; } = message;

        public string Queue { get; } = queue;

        public int DeliveryCount { get; } = count;

        public DateTimeOffset LeaseUntil { get; private set; } = leaseUntil;

        public async ValueTask<bool> AckAsync(CancellationToken ct = default) =>
            await bus.ExecuteAsync("DELETE FROM queue_messages WHERE seq = $1 AND lease_token = $2", ct, seq, token) > 0;

        public async ValueTask<bool> NackAsync(bool requeue, TimeSpan? delay = null, string? reason = null, CancellationToken ct = default)
        {
            if (!requeue)
            {
                return await DeadLetterAsync(reason ?? "rejected", ct);
            }

            DateTimeOffset visibleAt = bus.Now() + (delay ?? TimeSpan.Zero);
            bool requeued = await bus.ExecuteAsync("""
                UPDATE queue_messages SET lease_owner = NULL, lease_token = NULL, lease_until = NULL, visible_at = $3
                WHERE seq = $1 AND lease_token = $2
                """, ct, seq, token, visibleAt) > 0;
            if (requeued)
            {
                await bus.NotifyAsync([Queue], ct);
            }

            return requeued;
        }

        public async ValueTask<bool> ExtendLeaseAsync(TimeSpan by, CancellationToken ct = default)
        {
            DateTimeOffset until = bus.Now() + by;
            bool extended = await bus.ExecuteAsync("UPDATE queue_messages SET lease_until = $3 WHERE seq = $1 AND lease_token = $2", ct, seq, token, until) > 0;
            if (extended)
            {
                LeaseUntil = until;
            }

            return extended;
        }

        public async ValueTask<bool> DeadLetterAsync(string reason, CancellationToken ct = default)
        {
            ArgumentNullException.ThrowIfNull(reason);
            return await bus.ExecuteAsync("""
                UPDATE queue_messages SET dead_reason = $3, lease_owner = NULL, lease_token = NULL, lease_until = NULL
                WHERE seq = $1 AND lease_token = $2
                """, ct, seq, token, reason) > 0;
        }
    }
}
