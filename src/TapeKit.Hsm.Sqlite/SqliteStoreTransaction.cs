using System.Globalization;
using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// What every transaction on the SQLite store shares, the catalogue's and the replica store's: the store's writer lock,
/// one <c>BEGIN IMMEDIATE</c> transaction (deferred on a read-only store) on a lent <see cref="SqliteSession"/> whose
/// compiled statements outlive the transaction, errors translated into the HSM's exception family
/// (<see cref="SqliteErrors"/>), batches under a savepoint, and the end: commit, or roll back on dispose.
/// </summary>
internal abstract class SqliteStoreTransaction : IAsyncDisposable
{
    private const string BatchSavepoint = "tapekit_batch";

    private protected readonly SqliteTransaction _txn;
    private readonly SqliteHsmStore _store;
    private readonly SqliteSession _session;
    private readonly IDisposable _writer;
    private bool _done;

    private protected SqliteStoreTransaction(SqliteHsmStore store, SqliteSession session, SqliteTransaction txn, IDisposable writer, DateTimeOffset now)
    {
        _store = store;
        _session = session;
        _txn = txn;
        _writer = writer;
        Now = now;
    }

    /// <summary>The transaction's time: every row written in it uses this instant.</summary>
    public DateTimeOffset Now { get; }

    /// <summary>The lent session, for helpers that write in this transaction (<see cref="SqliteQueueWriter"/>).</summary>
    private protected SqliteSession Session => _session;

    /// <summary>
    /// Takes the writer lock and begins a transaction on a lent session; <paramref name="create"/> wraps them. On failure
    /// everything taken is given back.
    /// </summary>
    internal static async ValueTask<T> BeginAsync<T>(
        SqliteHsmStore store, Func<SqliteSession, SqliteTransaction, IDisposable, DateTimeOffset, T> create, CancellationToken ct)
    {
        IDisposable writer = await store.EnterWriterAsync(ct);
        SqliteSession? session = null;
        try
        {
            session = store.RentSession();
            // A read-only connection cannot take the write lock of BEGIN IMMEDIATE; a deferred transaction reads one snapshot.
            SqliteTransaction txn = session.Connection.BeginTransaction(deferred: store.Options.ReadOnly);
            return create(session, txn, writer, store.Time.GetUtcNow());
        }
        catch (SqliteException e)
        {
            Abandon(store, session, writer);
            throw SqliteErrors.Translate(e, store.Options.Path);
        }
        catch
        {
            Abandon(store, session, writer);
            throw;
        }
    }

    /// <summary>Commits durably (<c>synchronous = FULL</c>), then runs <see cref="Committed"/>.</summary>
    /// <param name="ct">Cancels before the commit starts.</param>
    public ValueTask CommitAsync(CancellationToken ct = default)
    {
        Live();
        ct.ThrowIfCancellationRequested();
        try
        {
            _txn.Commit();
        }
        catch (SqliteException e)
        {
            // SQLite rolls back what it could not commit; the connection is not trusted further.
            Finish(reusable: false);
            throw SqliteErrors.Translate(e, _store.Options.Path);
        }

        Finish(reusable: true);
        Committed();
        return ValueTask.CompletedTask;
    }

    /// <summary>Rolls back unless committed, and gives the session and the writer lock back.</summary>
    public ValueTask DisposeAsync()
    {
        if (_done)
        {
            return ValueTask.CompletedTask;
        }

        bool reusable = true;
        try
        {
            _txn.Rollback();
        }
        catch (SqliteException)
        {
            // The connection is in an unknown state: closing it ends whatever is left of the transaction.
            reusable = false;
        }
        finally
        {
            Finish(reusable);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Runs after a successful commit (wake-ups of the queues written).</summary>
    private protected virtual void Committed()
    {
    }

    /// <summary>Runs after a batch was rolled back to its savepoint (cached reads of the transaction are stale).</summary>
    private protected virtual void RolledBack()
    {
    }

    /// <summary>Refuses use after the end.</summary>
    private protected void Live() => ObjectDisposedException.ThrowIf(_done, this);

    /// <summary>
    /// The compiled command of <paramref name="sql"/> with <paramref name="args"/> bound (a parameter the text does not name
    /// is left out). It belongs to the session: dispose its reader, never the command.
    /// </summary>
    private protected SqliteCommand Command(string sql, params (string Name, object? Value)[] args)
    {
        Live();
        SqliteCommand cmd = _session.Command(sql, _txn, args, out bool created);
        if (created)
        {
            try
            {
                cmd.Prepare();
            }
            catch (SqliteException e)
            {
                _session.Forget(sql);
                throw SqliteErrors.Translate(e, _store.Options.Path);
            }
        }

        return cmd;
    }

    /// <summary>Whether this transaction is one of <paramref name="store"/>'s.</summary>
    internal bool IsOf(SqliteHsmStore store) => ReferenceEquals(_store, store);

    /// <summary>Runs a statement of another part of the store (its queues) as part of this transaction.</summary>
    internal int ExecuteHere(string sql, params (string Name, object? Value)[] args) => Execute(sql, args);

    private protected int Execute(string sql, params (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        return Translated(cmd.ExecuteNonQuery);
    }

    private protected object? Scalar(string sql, params (string Name, object? Value)[] args)
    {
        SqliteCommand cmd = Command(sql, args);
        return Translated(cmd.ExecuteScalar);
    }

    /// <summary>Runs a statement with SQLite's errors translated into the HSM's (<see cref="SqliteErrors"/>).</summary>
    private protected T Translated<T>(Func<T> run)
    {
        try
        {
            return run();
        }
        catch (SqliteException e)
        {
            throw SqliteErrors.Translate(e, _store.Options.Path);
        }
    }

    /// <summary>Runs a batch write under a savepoint; when it throws, the savepoint is rolled back (the batch undone) and released.</summary>
    private protected async ValueTask<T> AtomicAsync<T>(Func<ValueTask<T>> write)
    {
        Live();
        _txn.Save(BatchSavepoint);
        try
        {
            T result = await write();
            _txn.Release(BatchSavepoint);
            return result;
        }
        catch
        {
            _txn.Rollback(BatchSavepoint);
            _txn.Release(BatchSavepoint);
            RolledBack();
            throw;
        }
    }

    private protected static string Placeholders(int n) =>
        string.Join(", ", Enumerable.Range(0, n).Select(i => "$p" + i.ToString(CultureInfo.InvariantCulture)));

    private static void Abandon(SqliteHsmStore store, SqliteSession? session, IDisposable writer)
    {
        if (session is not null)
        {
            store.ReturnSession(session, reusable: false);
        }

        writer.Dispose();
    }

    private void Finish(bool reusable)
    {
        _done = true;
        try
        {
            _txn.Dispose();
        }
        finally
        {
            _store.ReturnSession(_session, reusable);
            _writer.Dispose();
        }
    }
}
