using System.Data;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// The shared catalogue on PostgreSQL (docs/hsm/overview.md#the-catalogue): several hosts write one catalogue at once. The schema is
/// versioned and migrated forward on open. Outbox rows stay in the catalogue's <c>outbox</c> table until a relay
/// (<see cref="OutboxRelay"/>) has handed them to the bus; a relay leases the rows it reads, so relays in several
/// processes never publish one row at once, and consumers de-duplicate a message re-sent after a lease ran out by its id.
/// The durable work queue (<see cref="PostgresMessageBus"/>) lives in the same schema.
/// </summary>
/// <remarks>
/// <para>
/// <b>Isolation: READ COMMITTED with conditional writes and row locks</b>, as docs/hsm/postgresql-catalogue.md describes. The contract makes
/// every decision safe without a serialisable snapshot: a row read in one statement and written in another is written
/// with its <c>row_version</c> in the <c>WHERE</c> clause, so a concurrent change makes the write miss and the
/// transaction fail with <see cref="CatalogConflictException"/> (PostgreSQL re-evaluates the predicate on the newest row
/// version after waiting for its lock, so the check cannot be raced); tape counters move with a single
/// <c>GREATEST</c>/addition on the newest row; ids come from sequences; and the one decision that rests on another row
/// (a list member's liveness flag for invariant I4 follows its list's state) locks that list row in the same statement.
/// REPEATABLE READ or SERIALIZABLE would add nothing to that but turn the maintained counters and the waits on a
/// locked row into serialization failures and retries. A row that keeps losing races (many writers on one tape or list)
/// is read with its row lock for a few seconds after a lost race (<see cref="ContendedRows"/>), so its writers queue
/// instead of retrying in turn.
/// </para>
/// <para>
/// A consequence: two reads in one transaction may see two different committed states (each statement its own
/// snapshot), so a check that compares several reads (<c>hsm check</c>) is exact on a quiet catalogue.
/// </para>
/// </remarks>
public sealed class PostgresCatalog : ICatalog, IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;

    private PostgresCatalog(PostgresHsmOptions options, TimeProvider time, NpgsqlDataSource dataSource, string storeName, string connectionString)
    {
        Options = options;
        Time = time;
        _dataSource = dataSource;
        StoreName = storeName;
        ConnectionString = connectionString;
    }

    /// <summary>The settings.</summary>
    public PostgresHsmOptions Options { get; }

    /// <inheritdoc />
    public TimeProvider Time { get; }

    /// <summary>The schema version of the open catalogue.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>Rows of this catalogue that recently lost optimistic races in this process.</summary>
    internal ContendedRows Contention { get; } = new();

    /// <summary>How the store is named in messages: <c>'host:port/database' schema 'name'</c> (never the password).</summary>
    internal string StoreName { get; }

    /// <summary>The pooled connections of the catalogue (its search path is the schema); the work queue shares them.</summary>
    internal NpgsqlDataSource DataSource => _dataSource;

    /// <summary>The connection string with the schema's search path, for sessions held outside the pool (leadership, wake-ups).</summary>
    internal string ConnectionString { get; }

    /// <summary>Who holds the outbox rows this catalogue's relays read (unique per opened catalogue, so per process).</summary>
    internal string RelayOwner { get; } = $"relay-{Environment.ProcessId}-{Guid.NewGuid():N}";

    /// <summary>
    /// Connects to the database, creates the schema if it is missing and migrates it to the version this build writes.
    /// </summary>
    /// <param name="options">Settings; <see cref="PostgresHsmOptions.ConnectionString"/> names the database.</param>
    /// <param name="time">The clock of leases and audit rows (the catalogue's clock, R6).</param>
    /// <param name="ct">Cancels opening.</param>
    /// <exception cref="PostgresSchemaException">The schema is newer than this build.</exception>
    /// <exception cref="CatalogStoreException">The server cannot be reached, or refused the migration.</exception>
    public static async ValueTask<PostgresCatalog> OpenAsync(PostgresHsmOptions options, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(options.ConnectionString);
        ArgumentException.ThrowIfNullOrEmpty(options.Schema);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.InDoubtCommitTimeout, TimeSpan.Zero);

        var builder = new NpgsqlDataSourceBuilder(options.ConnectionString);
        // Unqualified names resolve in the catalogue's schema only, so one database can hold several catalogues.
        builder.ConnectionStringBuilder.SearchPath = QuoteIdentifier(options.Schema);
        builder.ConnectionStringBuilder.ApplicationName ??= "TapeKit.Hsm";
        string storeName = string.Create(CultureInfo.InvariantCulture,
            $"'{builder.ConnectionStringBuilder.Host}:{builder.ConnectionStringBuilder.Port}/{builder.ConnectionStringBuilder.Database}' schema '{options.Schema}'");
        NpgsqlDataSource dataSource = builder.Build();
        var catalog = new PostgresCatalog(options, time, dataSource, storeName, builder.ConnectionString);
        try
        {
            catalog.SchemaVersion = await PostgresMigrator.MigrateAsync(dataSource, options.Schema, storeName, ct);
        }
        catch (NpgsqlException e)
        {
            await dataSource.DisposeAsync();
            throw PostgresErrors.Translate(e, storeName);
        }
        catch
        {
            await dataSource.DisposeAsync();
            throw;
        }

        return catalog;
    }

    /// <inheritdoc />
    public async ValueTask<ICatalogTransaction> BeginAsync(CancellationToken ct = default) =>
        await BeginTransactionAsync((c, txn, now) => new PostgresCatalogTransaction(this, c, txn, now), ct);

    /// <summary>The replica store in this catalogue's schema (Chelonia's nodes and replicas).</summary>
    public PostgresReplicaCatalog Replicas => field ??= new PostgresReplicaCatalog(this);

    /// <summary>
    /// Opens a pooled connection and begins a READ COMMITTED transaction on it, stamped with the catalogue's time
    /// (microseconds, as the server keeps it); a failure returns the connection and is translated.
    /// </summary>
    internal async ValueTask<T> BeginTransactionAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction, DateTimeOffset, T> create, CancellationToken ct)
    {
        NpgsqlConnection? connection = null;
        try
        {
            connection = await _dataSource.OpenConnectionAsync(ct);
            NpgsqlTransaction txn = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
            return create(connection, txn, TruncateToMicroseconds(Time.GetUtcNow()));
        }
        catch (NpgsqlException e)
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            throw PostgresErrors.Translate(e, StoreName);
        }
        catch
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>
    /// Reads and reserves up to <paramref name="max"/> outbox rows, oldest first, for this relay: each row is leased for
    /// <see cref="PostgresHsmOptions.OutboxRelayLease"/>, and rows another relay holds are skipped (<c>FOR UPDATE SKIP
    /// LOCKED</c>), so relays in several processes never publish one row at the same time. A row whose lease ran out (its
    /// relay died, or the bus refused it) is read again; its consumers de-duplicate the re-sent message by its id.
    /// </summary>
    /// <param name="max">At most this many.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        try
        {
            DateTimeOffset now = TruncateToMicroseconds(Time.GetUtcNow());
            await using NpgsqlCommand cmd = _dataSource.CreateCommand("""
                UPDATE outbox o SET relay_owner = $2, relay_until = $3
                FROM (SELECT seq FROM outbox WHERE relay_until IS NULL OR relay_until <= $4 ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED) free
                WHERE o.seq = free.seq
                RETURNING o.seq, o.exchange, o.routing_key, o.envelope, o.not_before
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = max });
            cmd.Parameters.Add(new NpgsqlParameter { Value = RelayOwner });
            cmd.Parameters.Add(new NpgsqlParameter { Value = now + Options.OutboxRelayLease });
            cmd.Parameters.Add(new NpgsqlParameter { Value = now });
            await using NpgsqlDataReader r = await cmd.ExecuteReaderAsync(ct);
            var rows = new List<OutboxEntry>();
            while (await r.ReadAsync(ct))
            {
                var message = new OutboundMessage(r.GetString(1), r.GetString(2), HsmMessages.DeserializeEnvelope(r.GetString(3)),
                    r.IsDBNull(4) ? null : r.GetFieldValue<DateTimeOffset>(4));
                rows.Add(new OutboxEntry(r.GetInt64(0), message));
            }

            rows.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
            return rows;
        }
        catch (NpgsqlException e)
        {
            throw PostgresErrors.Translate(e, StoreName);
        }
    }

    /// <summary>
    /// Removes the rows the bus confirmed durable: the message now lives in the bus, and a consumer's inbox, not the
    /// outbox, remembers that it was processed.
    /// </summary>
    /// <param name="sequences">The rows.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask MarkOutboxSentAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
        {
            return;
        }

        try
        {
            await using NpgsqlCommand cmd = _dataSource.CreateCommand("DELETE FROM outbox WHERE seq = ANY($1)");
            cmd.Parameters.Add(new NpgsqlParameter { Value = sequences.ToArray() });
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (NpgsqlException e)
        {
            throw PostgresErrors.Translate(e, StoreName);
        }
    }

    /// <summary>Closes the pooled connections.</summary>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    /// <summary>
    /// Finds out whether a transaction whose commit lost its connection committed: returns when it did, throws a
    /// transient <see cref="CatalogStoreException"/> when it did not (running the unit again is then safe). Asks the
    /// server (<c>pg_xact_status</c>) on new connections until it answers or <see cref="PostgresHsmOptions.InDoubtCommitTimeout"/>
    /// passed; the wait is wall-clock time, since it waits for a real server.
    /// </summary>
    /// <param name="transactionId">The transaction's id (<c>pg_current_xact_id()</c>).</param>
    /// <param name="cause">The error that broke the commit.</param>
    internal async ValueTask ResolveInDoubtCommitAsync(ulong transactionId, NpgsqlException cause)
    {
        var waited = Stopwatch.StartNew();
        Exception last = cause;
        while (true)
        {
            try
            {
                await using NpgsqlCommand cmd = _dataSource.CreateCommand("SELECT pg_xact_status($1::text::xid8)");
                cmd.Parameters.Add(new NpgsqlParameter { Value = transactionId.ToString(CultureInfo.InvariantCulture) });
                switch (await cmd.ExecuteScalarAsync() as string)
                {
                    case "committed":
                        return;
                    case "aborted":
                        throw new CatalogStoreException(CatalogStoreErrorKind.Unavailable,
                            $"The connection to the catalogue {StoreName} broke during a commit, which the server then rolled back; the unit of work must run again.", cause);
                    case "in progress":
                        // The old backend has not finished yet: ask again.
                        break;
                    default:
                        throw new CatalogStoreException(CatalogStoreErrorKind.Unavailable,
                            $"The connection to the catalogue {StoreName} broke during a commit, and the server no longer knows transaction {transactionId}: the commit is in doubt.", cause);
                }
            }
            catch (NpgsqlException e)
            {
                last = e;
            }

            if (waited.Elapsed >= Options.InDoubtCommitTimeout)
            {
                throw new CatalogStoreException(CatalogStoreErrorKind.Unavailable,
                    $"The connection to the catalogue {StoreName} broke during a commit, and the server did not say within {Options.InDoubtCommitTimeout} whether transaction {transactionId} committed: the commit is in doubt.", last);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }

    /// <summary>PostgreSQL keeps microseconds: a transaction's time is cut to them, so what it writes reads back equal.</summary>
    internal static DateTimeOffset TruncateToMicroseconds(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % 10), TimeSpan.Zero);

    /// <summary>Quotes an identifier for SQL text.</summary>
    internal static string QuoteIdentifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
