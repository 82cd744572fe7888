using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The embedded default (docs/hsm/overview.md#the-catalogue): one SQLite file holding the catalogue and the durable queue. WAL
/// journal, <c>synchronous = FULL</c> (P5 relies on durable commits), writers serialised with <c>BEGIN IMMEDIATE</c>
/// and a busy timeout, schema versioned and migrated forward on open. Because the queue lives in the catalogue
/// file, a state change and the messages it implies are one local transaction: the outbox needs no relay.
/// </summary>
public sealed class SqliteHsmStore : IAsyncDisposable, IDisposable
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<SqliteSession> _idleSessions = [];
    private volatile bool _disposed;

    private SqliteHsmStore(SqliteHsmOptions options, TimeProvider time, string connectionString)
    {
        Options = options;
        Time = time;
        _connectionString = connectionString;
        Catalog = new SqliteCatalog(this);
        Bus = new SqliteMessageBus(this);
        Replicas = new SqliteReplicaCatalog(this);
    }

    /// <summary>The settings.</summary>
    public SqliteHsmOptions Options { get; }

    /// <summary>The clock of leases, audit rows and message times (the catalogue's clock, R6).</summary>
    public TimeProvider Time { get; }

    /// <summary>The catalogue over this file.</summary>
    public SqliteCatalog Catalog { get; }

    /// <summary>The durable queue over this file.</summary>
    public SqliteMessageBus Bus { get; }

    /// <summary>The replica store over this file (nodes, replicated files and their disk copies, docs/hsm/replicas.md#the-state-machine).</summary>
    public SqliteReplicaCatalog Replicas { get; }

    /// <summary>The schema version of the open file.</summary>
    public int SchemaVersion { get; private set; }

    /// <summary>
    /// Opens (creating if needed) and migrates a store; with <see cref="SqliteHsmOptions.ReadOnly"/>, opens an existing
    /// store as it is and changes nothing.
    /// </summary>
    /// <param name="options">Settings; <see cref="SqliteHsmOptions.Path"/> names the file.</param>
    /// <param name="time">The clock.</param>
    /// <param name="ct">Cancels opening.</param>
    /// <exception cref="SqliteSchemaException">The file's schema is newer than this build; or, read-only, the file is not a
    /// TapeKit HSM store or its schema is not the version this build writes.</exception>
    /// <exception cref="FileNotFoundException">Read-only, and the file does not exist.</exception>
    public static async ValueTask<SqliteHsmStore> OpenAsync(SqliteHsmOptions options, TimeProvider time, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentException.ThrowIfNullOrEmpty(options.Path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.WalCheckpointPages, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.CacheSizeMiB, nameof(options));
        if (options.ReadOnly && !File.Exists(options.Path))
        {
            throw new FileNotFoundException($"The HSM store '{options.Path}' does not exist.", options.Path);
        }

        if (!options.ReadOnly)
        {
            CreatePrivately(options.Path, options.FileMode);
        }

        var builder = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            // Read-only is ReadWrite (never Create) plus query_only: a connection opened SQLITE_OPEN_READONLY cannot remove
            // the -wal and -shm files of a WAL database when it closes, and would leave them behind.
            Mode = options.ReadOnly ? SqliteOpenMode.ReadWrite : SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        };
        var store = new SqliteHsmStore(options, time, builder.ToString());
        try
        {
            if (options.ReadOnly)
            {
                store.CheckSchema();
            }
            else
            {
                await store.MigrateAsync(ct);
            }
        }
        catch (SqliteException e)
        {
            store.Dispose();
            throw SqliteErrors.Translate(e, options.Path);
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>
    /// Creates the (empty) database file with <paramref name="mode"/> before SQLite would create it <c>0644</c>: the
    /// catalogue names every file of the site and is nobody else's to read. Others' bits are never given.
    /// </summary>
    private static void CreatePrivately(string path, UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows() || path == ":memory:" || path.StartsWith("file:", StringComparison.Ordinal) || File.Exists(path))
        {
            return;
        }

        var create = new FileStreamOptions
        {
            Mode = System.IO.FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = mode & ~(UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute | UnixFileMode.SetUser | UnixFileMode.SetGroup | UnixFileMode.StickyBit),
        };
        try
        {
            using var file = new FileStream(path, create);
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another process created it first: it is the file to open.
        }
    }

    /// <summary>Opens a pooled connection with the store's per-connection settings.</summary>
    internal SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using SqliteCommand pragmas = connection.CreateCommand();
        // temp_store = MEMORY: statement journals (one statement's undo pages) and sorts stay in memory; spilled to temporary
        // files they wrote ≈ 13 KB per file over its life, as much again as the catalogue itself.
        pragmas.CommandText = string.Create(CultureInfo.InvariantCulture,
            $"PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA temp_store = MEMORY; PRAGMA wal_autocheckpoint = {Options.WalCheckpointPages}; PRAGMA cache_size = -{Options.CacheSizeMiB * 1024}; PRAGMA busy_timeout = {(int)Options.BusyTimeout.TotalMilliseconds};{(Options.ReadOnly ? " PRAGMA query_only = ON;" : "")}");
        pragmas.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Lends an open connection with its compiled statements (<see cref="SqliteSession"/>); give it back with <see cref="ReturnSession"/>.</summary>
    internal SqliteSession RentSession()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _idleSessions.TryTake(out SqliteSession? session) ? session : new SqliteSession(Open());
    }

    /// <summary>
    /// Takes back a lent session after its transaction ended: kept for the next transaction when <paramref name="reusable"/>
    /// (its connection is in a known state, no transaction open) and the store is open, else closed.
    /// </summary>
    internal void ReturnSession(SqliteSession session, bool reusable)
    {
        if (!reusable || _disposed)
        {
            session.Dispose();
            return;
        }

        session.Trim();
        _idleSessions.Add(session);
        while (_disposed && _idleSessions.TryTake(out SqliteSession? late))
        {
            late.Dispose();
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a lent session, given back for reuse when the work returns, closed when it throws
    /// (the connection's state is then unknown). SQLite's errors are reported as the catalogue's transactions report them
    /// (<see cref="SqliteErrors"/>: a full disk, a lock held too long, an I/O error, a damaged file), so that the queues and
    /// the catalogue fail alike.
    /// </summary>
    internal T WithSession<T>(Func<SqliteSession, T> work)
    {
        SqliteSession session = RentSession();
        bool reusable = false;
        try
        {
            T result = work(session);
            reusable = true;
            return result;
        }
        catch (SqliteException e) when (SqliteErrors.HasMeaning(e))
        {
            throw SqliteErrors.Translate(e, Options.Path);
        }
        finally
        {
            ReturnSession(session, reusable);
        }
    }

    /// <summary>Serialises writers of this process (other processes wait on SQLite's lock with the busy timeout).</summary>
    internal async ValueTask<IDisposable> EnterWriterAsync(CancellationToken ct)
    {
        await _writer.WaitAsync(ct);
        return new Releaser(_writer);
    }

    /// <summary>Milliseconds since the Unix epoch of the store's clock.</summary>
    internal long NowMs() => Time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The task that completes on the next <see cref="Wake"/> of the queue.</summary>
    internal Task Signal(string queue) =>
        _signals.GetOrAdd(queue, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    /// <summary>Wakes waiters of a queue after a commit made a message visible.</summary>
    internal void Wake(string queue)
    {
        if (_signals.TryRemove(queue, out TaskCompletionSource? tcs))
        {
            tcs.TrySetResult();
        }
    }

    /// <summary>Writes an online backup of the file (<c>VACUUM INTO</c>).</summary>
    /// <param name="path">The backup file; must not exist.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask BackupAsync(string path, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using IDisposable _ = await EnterWriterAsync(ct);
        if (File.Exists(path))
        {
            throw new IOException($"The backup '{path}' already exists; a backup never replaces a file.");
        }

        try
        {
            using SqliteConnection c = Open();
            VacuumInto(c, path, replace: false);
        }
        catch (SqliteException e) when (SqliteErrors.HasMeaning(e))
        {
            throw SqliteErrors.Translate(e, Options.Path);
        }
    }

    /// <summary>
    /// Writes a complete copy of the database to <paramref name="path"/> (<c>VACUUM INTO</c>): into a sibling
    /// <c>.partial</c> file first, flushed to disk and renamed when whole, so that a copy cut short by an error or a killed
    /// process never lies under the final name (a later attempt starts the sibling afresh).
    /// </summary>
    private void VacuumInto(SqliteConnection c, string path, bool replace)
    {
        string partial = path + ".partial";
        File.Delete(partial);
        CreatePrivately(partial, Options.FileMode); // VACUUM INTO accepts an empty file, and then keeps its permissions.
        try
        {
            using (SqliteCommand cmd = c.CreateCommand())
            {
                cmd.CommandText = "VACUUM INTO $path";
                cmd.Parameters.AddWithValue("$path", partial);
                cmd.ExecuteNonQuery();
            }

            using (var written = new FileStream(partial, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(partial, path, replace);
        }
        catch
        {
            File.Delete(partial);
            throw;
        }
    }

    private void CheckSchema()
    {
        try
        {
            using SqliteConnection c = Open();
            using SqliteCommand read = c.CreateCommand();
            read.CommandText = "SELECT version FROM schema_version";
            SchemaVersion = read.ExecuteScalar() is long v ? (int)v : 0;
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 1 or 26)
        {
            // 1: no such table (another SQLite database); 26: SQLITE_NOTADB.
            throw new SqliteSchemaException($"'{Options.Path}' is not a TapeKit HSM store: {e.Message}");
        }

        if (SchemaVersion != SqliteSchema.LatestVersion)
        {
            throw new SqliteSchemaException(SchemaVersion > SqliteSchema.LatestVersion
                ? $"The HSM store '{Options.Path}' has schema version {SchemaVersion}; this build knows up to {SqliteSchema.LatestVersion}. Use a newer TapeKit."
                : $"The HSM store '{Options.Path}' has schema version {SchemaVersion}; read-only access needs version {SqliteSchema.LatestVersion}: open it once read-write to migrate it.");
        }
    }

    private async ValueTask MigrateAsync(CancellationToken ct)
    {
        using IDisposable _ = await EnterWriterAsync(ct);
        using SqliteConnection c = Open();
        Exec(c, "PRAGMA journal_mode = WAL");
        Exec(c, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
        using (SqliteCommand read = c.CreateCommand())
        {
            read.CommandText = "SELECT version FROM schema_version";
            SchemaVersion = read.ExecuteScalar() is long v ? (int)v : 0;
        }

        if (SchemaVersion > SqliteSchema.LatestVersion)
        {
            throw new SqliteSchemaException($"The HSM store '{Options.Path}' has schema version {SchemaVersion}; this build knows up to {SqliteSchema.LatestVersion}. Use a newer TapeKit.");
        }

        if (SchemaVersion > 0 && SchemaVersion < SqliteSchema.LatestVersion && Options.BackupBeforeMigration)
        {
            // Replaces the copy an earlier, interrupted migration from the same version made: that one is not newer.
            VacuumInto(c, string.Create(CultureInfo.InvariantCulture, $"{Options.Path}.v{SchemaVersion}.bak"), replace: true);
        }

        // A migration may rebuild a table that others reference (SQLite's procedure: foreign keys off outside the
        // transaction, then checked before it commits).
        Exec(c, "PRAGMA foreign_keys = OFF");
        for (int version = SchemaVersion; version < SqliteSchema.LatestVersion; version++)
        {
            using SqliteTransaction txn = c.BeginTransaction(deferred: false);
            foreach (string sql in SqliteSchema.Migrations[version])
            {
                Exec(c, sql, txn);
            }

            using (SqliteCommand check = c.CreateCommand())
            {
                check.Transaction = txn;
                check.CommandText = "PRAGMA foreign_key_check";
                if (check.ExecuteScalar() is string table)
                {
                    throw new SqliteSchemaException(string.Create(CultureInfo.InvariantCulture,
                        $"Migrating '{Options.Path}' to schema version {version + 1} left rows of table '{table}' without the rows they reference; the file is unchanged."));
                }
            }

            Exec(c, "DELETE FROM schema_version", txn);
            Exec(c, string.Create(CultureInfo.InvariantCulture, $"INSERT INTO schema_version (version) VALUES ({version + 1})"), txn);
            txn.Commit();
            SchemaVersion = version + 1;
        }

        Exec(c, "PRAGMA foreign_keys = ON");

        // Statistics for the planner where they are missing or stale (0x10002: analyse tables that need it, with a
        // bounded effort), so that the indexes of the bounded reads are chosen on a large catalogue too.
        Exec(c, "PRAGMA optimize = 0x10002");
    }

    private static void Exec(SqliteConnection c, string sql, SqliteTransaction? txn = null)
    {
        using SqliteCommand cmd = c.CreateCommand();
        cmd.Transaction = txn;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _disposed = true;
        while (_idleSessions.TryTake(out SqliteSession? session))
        {
            session.Dispose();
        }

        _writer.Dispose();
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private sealed class Releaser(SemaphoreSlim gate) : IDisposable
    {
        private SemaphoreSlim? _gate = gate;

        public void Dispose() => Interlocked.Exchange(ref _gate, null)?.Release();
    }
}
