using Npgsql;
using TapeKit.Hsm.Leadership;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// Leader election on PostgreSQL: the leader holds a session-level advisory lock (<c>pg_try_advisory_lock</c>, keyed by
/// the schema and the election's name) on a session of its own, outside the pool, for its whole term; the server
/// releases the lock when that session ends — the leader resigns, its process dies, its connection is terminated or
/// the server restarts — and the next candidate to try wins. Each new term advances the election's epoch in the
/// catalogue's <c>instances</c> table (row <c>election:&lt;name&gt;</c>); the leader's transactions check that epoch,
/// share-locked until they commit (<see cref="ILeaderTerm.IsCurrentAsync"/>), so a leader that lost its session commits
/// nothing once another was elected, and the new term begins only after the old leader's checked commits ended.
/// </summary>
public sealed class PostgresLeaderElection : ILeaderElection
{
    private readonly PostgresCatalog _catalog;
    private readonly string _sessionConnectionString;

    /// <summary>Creates an election in the catalogue's database and schema.</summary>
    /// <param name="catalog">The catalogue that holds the election's epoch (the one its leader writes).</param>
    /// <param name="name">The election's name (<c>tapekit.hsm.dispatcher</c> for the dispatcher).</param>
    public PostgresLeaderElection(PostgresCatalog catalog, string name)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(catalog.Options.LeadershipCheckInterval, TimeSpan.Zero, nameof(catalog));
        _catalog = catalog;
        Name = name;
        _sessionConnectionString = new NpgsqlConnectionStringBuilder(catalog.ConnectionString)
        {
            // The session is the leadership: closing it must end it at the server, not return it to a pool.
            Pooling = false,
            KeepAlive = 15,
        }.ToString();
    }

    /// <summary>The election of the dispatcher: <c>tapekit.hsm.dispatcher</c>.</summary>
    public const string DispatcherElection = "tapekit.hsm.dispatcher";

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The catalogue row whose epoch counts the terms.</summary>
    internal string EpochRow => "election:" + Name;

    /// <inheritdoc />
    public async ValueTask<ILeaderTerm?> TryAcquireAsync(string candidateId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(candidateId);
        var session = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_sessionConnectionString)
        {
            // Operators see the leader in pg_stat_activity.
            ApplicationName = Truncate($"TapeKit leader {candidateId}", 63),
        }.ToString());
        try
        {
            await session.OpenAsync(ct);
            await using (var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", session))
            {
                tryLock.Parameters.Add(new NpgsqlParameter { Value = LockName });
                if (await tryLock.ExecuteScalarAsync(ct) is not true)
                {
                    await session.DisposeAsync();
                    return null;
                }
            }

            // Waits for the commits that checked the previous epoch (they share-lock its row), then starts the new term.
            long epoch;
            await using (var advance = new NpgsqlCommand("""
                INSERT INTO instances AS i (name, epoch, started_at) VALUES ($1, 1, $2)
                ON CONFLICT (name) DO UPDATE SET epoch = i.epoch + 1, started_at = excluded.started_at
                RETURNING epoch
                """, session))
            {
                advance.Parameters.Add(new NpgsqlParameter { Value = EpochRow });
                advance.Parameters.Add(new NpgsqlParameter { Value = PostgresCatalog.TruncateToMicroseconds(_catalog.Time.GetUtcNow()) });
                epoch = (long)(await advance.ExecuteScalarAsync(ct))!;
            }

            return PostgresLeaderTerm.Begin(this, _catalog, session, candidateId, epoch);
        }
        catch (NpgsqlException e)
        {
            await session.DisposeAsync();
            throw PostgresErrors.Translate(e, _catalog.StoreName);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>The advisory lock's name (hashed to its key): the schema and the election, so catalogues sharing a database elect apart.</summary>
    internal string LockName => $"tapekit.hsm.leader:{_catalog.Options.Schema}:{Name}";

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}
