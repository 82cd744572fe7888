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
internal sealed partial class PostgresCatalogTransaction : ICatalogTransaction
{
    private const string Savepoint = "tapekit_write";

    private readonly PostgresCatalog _catalog;
    private readonly NpgsqlConnection _c;
    private readonly NpgsqlTransaction _txn;
    private Exception? _failure;
    private bool _done;

    public PostgresCatalogTransaction(PostgresCatalog catalog, NpgsqlConnection connection, NpgsqlTransaction txn, DateTimeOffset now)
    {
        _catalog = catalog;
        _c = connection;
        _txn = txn;
        Now = now;
    }

    public DateTimeOffset Now { get; }

    /// <summary>The server process serving this transaction (tests break its connection on purpose).</summary>
    internal int ProcessId => _c.ProcessID;

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

    public async ValueTask CommitAsync(CancellationToken ct = default)
    {
        Live();
        ct.ThrowIfCancellationRequested();
        // The transaction's id, if it wrote anything: should the connection break before the server answers the COMMIT,
        // the id is how a new connection finds out whether it committed (PostgresCatalog.ResolveInDoubtCommitAsync).
        object? xid = await ScalarAsync("SELECT pg_current_xact_id_if_assigned()::text");
        try
        {
            await _txn.CommitAsync(CancellationToken.None);
        }
        catch (NpgsqlException e) when (xid is string id && IsConnectionLoss(e))
        {
            await FinishAsync();
            await _catalog.ResolveInDoubtCommitAsync(ulong.Parse(id, CultureInfo.InvariantCulture), e);
            return;
        }
        catch (NpgsqlException e)
        {
            await FinishAsync();
            throw PostgresErrors.Translate(e, _catalog.StoreName);
        }

        await FinishAsync();
    }

    public async ValueTask DisposeAsync()
    {
        if (_done)
        {
            return;
        }

        try
        {
            if (_c.State == System.Data.ConnectionState.Open)
            {
                await _txn.RollbackAsync();
            }
        }
        catch (NpgsqlException)
        {
            // The connection broke: the server rolls the transaction back itself.
        }
        finally
        {
            await FinishAsync();
        }
    }

    private async ValueTask FinishAsync()
    {
        _done = true;
        await _txn.DisposeAsync();
        await _c.DisposeAsync();
    }

    /// <summary>Refuses use after the end, or after a statement failed in a way that aborted the transaction on the server.</summary>
    private void Live()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (_failure is not null)
        {
            throw new InvalidOperationException("An earlier statement of this catalogue transaction failed and aborted it; it can only be disposed.", _failure);
        }
    }

    /// <summary>A value bound as <c>jsonb</c>.</summary>
    /// <param name="Text">The JSON text.</param>
    private readonly record struct Jsonb(string Text);

    private NpgsqlCommand Command(string sql, object?[] args)
    {
        Live();
        var cmd = new NpgsqlCommand(sql, _c, _txn);
        foreach (object? arg in args)
        {
            cmd.Parameters.Add(arg switch
            {
                null => new NpgsqlParameter { Value = DBNull.Value },
                Jsonb j => new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = j.Text },
                // timestamptz takes UTC only.
                DateTimeOffset t => new NpgsqlParameter { Value = t.ToUniversalTime() },
                _ => new NpgsqlParameter { Value = arg },
            });
        }

        return cmd;
    }

    private async ValueTask<int> ExecuteAsync(string sql, params object?[] args)
    {
        await using NpgsqlCommand cmd = Command(sql, args);
        try
        {
            return await cmd.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException e)
        {
            throw Failed(e);
        }
    }

    private async ValueTask<object?> ScalarAsync(string sql, params object?[] args)
    {
        await using NpgsqlCommand cmd = Command(sql, args);
        try
        {
            object? value = await cmd.ExecuteScalarAsync();
            return value is DBNull ? null : value;
        }
        catch (NpgsqlException e)
        {
            throw Failed(e);
        }
    }

    private async ValueTask<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, params object?[] args)
    {
        await using NpgsqlCommand cmd = Command(sql, args);
        try
        {
            await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync();
            var rows = new List<T>();
            while (await r.ReadAsync())
            {
                rows.Add(map(r));
            }

            return rows;
        }
        catch (NpgsqlException e)
        {
            throw Failed(e);
        }
    }

    /// <summary>
    /// Runs writes under a savepoint: a constraint they break is rolled back to it and rethrown with
    /// <paramref name="refusal"/> as the message, and the transaction stays usable.
    /// </summary>
    private async ValueTask<T> GuardedAsync<T>(Func<ValueTask<T>> write, string refusal)
    {
        Live();
        try
        {
            await _txn.SaveAsync(Savepoint);
        }
        catch (NpgsqlException e)
        {
            throw Failed(e);
        }

        try
        {
            T result = await write();
            await _txn.ReleaseAsync(Savepoint);
            return result;
        }
        catch (CatalogConstraintException e) when (_c.State == System.Data.ConnectionState.Open)
        {
            try
            {
                await _txn.RollbackAsync(Savepoint);
                await _txn.ReleaseAsync(Savepoint);
            }
            catch (NpgsqlException inner)
            {
                throw Failed(inner);
            }

            _failure = null;
            throw new CatalogConstraintException(refusal, e);
        }
        catch (NpgsqlException e)
        {
            throw Failed(e);
        }
    }

    /// <summary>Translates a failed statement and remembers that the server aborted the transaction.</summary>
    private Exception Failed(NpgsqlException e)
    {
        Exception translated = PostgresErrors.Translate(e, _catalog.StoreName);
        _failure = translated;
        return translated;
    }

    /// <summary>The connection broke or the server ended the session: whether a COMMIT sent before it applied is unknown.</summary>
    private static bool IsConnectionLoss(NpgsqlException e) =>
        e is not PostgresException p || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal);

    private static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset? At(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
}
