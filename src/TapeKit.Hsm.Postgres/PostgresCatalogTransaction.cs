using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// One READ COMMITTED transaction of <see cref="PostgresCatalog"/> on its own pooled connection (see the catalogue's
/// remarks for why that level is enough). Writes that can break a constraint either check it in the statement itself
/// (<c>ON CONFLICT DO NOTHING</c>, reporting a refusal without an error) or run under a savepoint, so that a refused
/// write leaves the transaction usable, as it is on the other stores.
/// </summary>
internal sealed partial class PostgresCatalogTransaction(PostgresCatalog catalog, NpgsqlConnection connection, NpgsqlTransaction txn, DateTimeOffset now)
    : PostgresTransaction(catalog, connection, txn, now), ICatalogTransaction
{
    public async ValueTask AddOutboxAsync(OutboundMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        await ExecuteAsync("""
            INSERT INTO outbox (message_id, exchange, routing_key, envelope, not_before, created_at) VALUES ($1, $2, $3, $4, $5, $6)
            """, message.Message.MessageId, message.Exchange, message.RoutingKey, HsmMessages.SerializeEnvelope(message.Message), message.NotBefore, Now);
    }

    public async ValueTask<bool> TryMarkInboxAsync(string consumer, Guid messageId) =>
        await ExecuteAsync("INSERT INTO inbox (consumer, message_id, processed_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            consumer, messageId, Now) > 0;

    public async ValueTask AddTransitionAsync(TransitionRecord transition)
    {
        ArgumentNullException.ThrowIfNull(transition);
        TransitionRecord t = transition;
        await ExecuteAsync("""
            INSERT INTO transitions (entity, entity_id, from_state, to_state, rule, actor, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
            """, t.Entity, t.EntityId, t.From, t.To, t.Rule, t.Actor.ToString(), t.Reason, t.At);
    }

    public async ValueTask<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string entity, string entityId) =>
        await QueryAsync("""
            SELECT entity, entity_id, from_state, to_state, rule, actor, reason, at FROM transitions
            WHERE entity = $1 AND entity_id = $2 ORDER BY seq
            """, r => new TransitionRecord(r.GetString(0), r.GetString(1), Text(r, 2), r.GetString(3), r.GetString(4),
                Enum.Parse<HsmActor>(r.GetString(5)), Text(r, 6), r.GetFieldValue<DateTimeOffset>(7)), entity, entityId);
}
