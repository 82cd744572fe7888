using Npgsql;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Leadership;

namespace TapeKit.Hsm.Postgres;

/// <summary>
/// A term won in a <see cref="PostgresLeaderElection"/>: the session that holds the advisory lock, watched every
/// <see cref="PostgresHsmOptions.LeadershipCheckInterval"/> (wall clock) — when a check fails (the session broke) or finds
/// a later epoch, <see cref="Lost"/> is cancelled. Disposing resigns: the lock is released and the session closed.
/// </summary>
internal sealed class PostgresLeaderTerm : ILeaderTerm
{
    private readonly PostgresLeaderElection _election;
    private readonly PostgresCatalog _catalog;
    private readonly NpgsqlConnection _session;
    private readonly CancellationTokenSource _lost = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _watch = Task.CompletedTask;
    private int _disposed;

    private PostgresLeaderTerm(PostgresLeaderElection election, PostgresCatalog catalog, NpgsqlConnection session, string candidateId, long epoch)
    {
        _election = election;
        _catalog = catalog;
        _session = session;
        CandidateId = candidateId;
        Epoch = epoch;
        SessionProcessId = session.ProcessID;
    }

    public string CandidateId { get; }

    public long Epoch { get; }

    public CancellationToken Lost => _lost.Token;

    /// <summary>The server process of the session that holds the lock (tests end it on purpose).</summary>
    internal int SessionProcessId { get; }

    /// <summary>Starts a term on the session that won the lock and starts watching it.</summary>
    public static PostgresLeaderTerm Begin(PostgresLeaderElection election, PostgresCatalog catalog, NpgsqlConnection session, string candidateId, long epoch)
    {
        var term = new PostgresLeaderTerm(election, catalog, session, candidateId, epoch);
        term._watch = Task.Run(() => term.WatchAsync(term._stop.Token));
        return term;
    }

    public async ValueTask<bool> IsCurrentAsync(ICatalogTransaction txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        if (_lost.IsCancellationRequested)
        {
            return false;
        }

        long epoch = txn is PostgresCatalogTransaction postgres
            ? await postgres.LockInstanceEpochAsync(_election.EpochRow)
            : await txn.GetInstanceEpochAsync(_election.EpochRow);
        return epoch == Epoch && !_lost.IsCancellationRequested;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        await _watch;
        await _lost.CancelAsync();
        try
        {
            if (_session.State == System.Data.ConnectionState.Open)
            {
                await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended($1, 0))", _session);
                unlock.Parameters.Add(new NpgsqlParameter { Value = _election.LockName });
                _ = await unlock.ExecuteScalarAsync();
            }
        }
        catch (NpgsqlException)
        {
            // The session broke: the server released the lock with it.
        }
        finally
        {
            await _session.DisposeAsync();
            _stop.Dispose();
        }
    }

    private async Task WatchAsync(CancellationToken stop)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_catalog.Options.LeadershipCheckInterval, stop);
                await using var check = new NpgsqlCommand("SELECT epoch FROM instances WHERE name = $1", _session);
                check.Parameters.Add(new NpgsqlParameter { Value = _election.EpochRow });
                if (await check.ExecuteScalarAsync(stop) is not long epoch || epoch != Epoch)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e) when (e is NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            // The session broke (terminated, server restarted, network lost): the lock went with it.
        }

        await _lost.CancelAsync();
    }
}
