using System.Globalization;
using Npgsql;
using NpgsqlTypes;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// What every transaction on the PostgreSQL store shares, the catalogue's and the replica store's: one READ COMMITTED
/// transaction on its own pooled connection, statements with positional parameters, errors translated into the HSM's
/// exception family (a statement the server refused aborts the transaction, which then can only be disposed), writes
/// under savepoints so that a refused write leaves the transaction usable, conditional updates on row versions, and a
/// commit whose outcome is resolved when the connection breaks while it is in flight.
/// </summary>
internal abstract class PostgresTransaction : IAsyncDisposable
{
    private const string Savepoint = "tapekit_write";

    private protected readonly PostgresCatalog _catalog;
    private protected readonly NpgsqlConnection _c;
    private protected readonly NpgsqlTransaction _txn;
    private protected Exception? _failure;
    private bool _done;

    private protected PostgresTransaction(PostgresCatalog catalog, NpgsqlConnection connection, NpgsqlTransaction txn, DateTimeOffset now)
    {
        _catalog = catalog;
        _c = connection;
        _txn = txn;
        Now = now;
    }

    /// <summary>The transaction's time: every row written in it uses this instant.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The server process serving this transaction (tests break its connection on purpose).</summary>
    internal int ProcessId => _c.ProcessID;

    /// <summary>Commits durably; a commit cut off by a broken connection is resolved on a new one.</summary>
    /// <param name="ct">Cancels before the commit starts.</param>
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

    /// <summary>Rolls back unless committed, and returns the connection to the pool.</summary>
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
    private protected void Live()
    {
        ObjectDisposedException.ThrowIf(_done, this);
        if (_failure is not null)
        {
            throw new InvalidOperationException("An earlier statement of this catalogue transaction failed and aborted it; it can only be disposed.", _failure);
        }
    }

    /// <summary>A value bound as <c>jsonb</c>.</summary>
    /// <param name="Text">The JSON text.</param>
    private protected readonly record struct Jsonb(string Text);

    private protected NpgsqlCommand Command(string sql, object?[] args)
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

    /// <summary>Whether this transaction is one of <paramref name="catalog"/>'s.</summary>
    internal bool IsOf(PostgresCatalog catalog) => ReferenceEquals(_catalog, catalog);

    /// <summary>Runs a statement of another part of the database (its queues) as part of this transaction.</summary>
    internal ValueTask<int> ExecuteHereAsync(string sql, params object?[] args) => ExecuteAsync(sql, args);

    private protected async ValueTask<int> ExecuteAsync(string sql, params object?[] args)
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

    private protected async ValueTask<object?> ScalarAsync(string sql, params object?[] args)
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

    private protected async ValueTask<List<T>> QueryAsync<T>(string sql, Func<NpgsqlDataReader, T> map, params object?[] args)
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

    /// <summary>Translates a failed statement and remembers that the server aborted the transaction.</summary>
    private protected Exception Failed(NpgsqlException e)
    {
        Exception translated = PostgresErrors.Translate(e, _catalog.StoreName);
        _failure = translated;
        return translated;
    }

    /// <summary>The connection broke or the server ended the session: whether a COMMIT sent before it applied is unknown.</summary>
    private protected static bool IsConnectionLoss(NpgsqlException e) =>
        e is not PostgresException p || p.SqlState.StartsWith("08", StringComparison.Ordinal) || p.SqlState.StartsWith("57P", StringComparison.Ordinal);

    private protected static string? Text(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private protected static DateTimeOffset? At(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);

    private protected static long? Long(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private protected static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Runs a batch write under a savepoint: when it throws (a refused row, a conflict, a bad argument half-way through),
    /// everything it wrote is rolled back to the savepoint and the error rethrown — with <paramref name="refusal"/> as the
    /// message of a constraint the server reported — and the transaction stays usable. A failure of the store itself (a
    /// lost connection, a serialization failure) leaves the transaction aborted.
    /// </summary>
    private protected async ValueTask<T> AtomicAsync<T>(Func<ValueTask<T>> write, string? refusal)
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
        catch (Exception e) when (e is not NpgsqlException and not CatalogStoreException && _c.State == System.Data.ConnectionState.Open)
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

            bool reportedByServer = _failure is not null;
            _failure = null;
            if (reportedByServer && refusal is not null && e is CatalogConstraintException)
            {
                throw new CatalogConstraintException(refusal, e);
            }

            throw;
        }
        catch (NpgsqlException e)
        {
            throw Failed(e);
        }
    }

    /// <summary>
    /// The text of one conditional update of a versioned row: every column but the key (and <paramref name="skipColumns"/>
    /// more) is set from <c>$2</c>…<c>$N</c>, <c>row_version</c> moves on by one, and the statement applies only to the
    /// version bound last (<c>$N+1</c>). It returns the row as stored.
    /// </summary>
    /// <param name="table">The table.</param>
    /// <param name="columns">The columns, the key first, in the order of the values bound.</param>
    /// <param name="skipColumns">Columns after the key that are part of the identity and never written.</param>
    /// <param name="extraPredicate">A further condition, or <see langword="null"/>.</param>
    /// <param name="returning">The columns returned (before <c>row_version</c>), when not <paramref name="columns"/>.</param>
    private protected static string VersionedUpdate(string table, string[] columns, int skipColumns = 0, string? extraPredicate = null, string[]? returning = null)
    {
        string set = string.Join(", ", columns.Select((c, i) => (c, i)).Skip(1 + skipColumns).Select(c => $"{c.c} = ${c.i + 1}"));
        string version = "$" + (columns.Length + 1).ToString(CultureInfo.InvariantCulture);
        string where = $"{columns[0]} = $1 AND row_version = {version}" + (extraPredicate is null ? "" : $" AND {extraPredicate}");
        return $"UPDATE {table} SET {set}, row_version = row_version + 1 WHERE {where} RETURNING {string.Join(", ", returning ?? columns)}, row_version";
    }

    /// <summary>
    /// Runs a <see cref="VersionedUpdate"/>. No row changed means no such row (a constraint error), a row whose identity
    /// would change (a constraint error), or another writer's committed update since the caller's read (a conflict:
    /// under READ COMMITTED the statement waited for that writer's lock and re-checked the version on its row).
    /// </summary>
    private protected async ValueTask<T> UpdateVersionedAsync<T>(
        string sql, object?[] values, long version, Func<NpgsqlDataReader, T> read, string table, string key, string entity, string id,
        string identity = "its identity would change")
    {
        List<T> rows = await QueryAsync(sql, read, [.. values, version]);
        if (rows.Count == 1)
        {
            return rows[0];
        }

        object? stored = await ScalarAsync($"SELECT row_version FROM {table} WHERE {key} = $1", values[0]);
        if (stored is not long storedVersion)
        {
            throw new CatalogConstraintException($"The {entity} row {id} does not exist.");
        }

        if (storedVersion == version)
        {
            throw new CatalogConstraintException($"The {entity} row {id} cannot be written: {identity}.");
        }

        _catalog.Contention.Lost(table, values[0]!);
        throw new CatalogConflictException(entity, id, version);
    }

    /// <summary>The row lock clause for a read by key of a row that recently lost a race (<see cref="ContendedRows"/>), else nothing.</summary>
    private protected string LockIfHot(string table, object key) => _catalog.Contention.IsHot(table, key) ? " FOR NO KEY UPDATE" : "";

    private protected static string Placeholders(int n) => string.Join(", ", Enumerable.Range(1, n).Select(i => "$" + i.ToString(CultureInfo.InvariantCulture)));
}
