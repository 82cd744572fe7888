using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Leadership;

/// <summary>
/// One candidate's standing in an <see cref="ILeaderElection"/>: campaigns until it wins a term, holds that term, and
/// fences the candidate's catalogue commits with it (<see cref="EnsureLeaderAsync"/>, used by
/// <see cref="LeaderFencedCatalog"/>). The dispatcher's loop campaigns before it works and again after a term ends.
/// </summary>
public sealed class LeaderCampaign
{
    private readonly TimeProvider _time;
    private ILeaderTerm? _term;

    /// <summary>Creates a campaign.</summary>
    /// <param name="election">The election.</param>
    /// <param name="candidateId">Who campaigns.</param>
    /// <param name="retryInterval">The pause between attempts while another candidate leads.</param>
    /// <param name="time">The clock of the pauses; <see langword="null"/> = the wall clock (an election is held on real servers).</param>
    public LeaderCampaign(ILeaderElection election, string candidateId, TimeSpan retryInterval, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(election);
        ArgumentException.ThrowIfNullOrEmpty(candidateId);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryInterval, TimeSpan.Zero);
        Election = election;
        CandidateId = candidateId;
        RetryInterval = retryInterval;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The election.</summary>
    public ILeaderElection Election { get; }

    /// <summary>Who campaigns.</summary>
    public string CandidateId { get; }

    /// <summary>The pause between attempts while another candidate leads.</summary>
    public TimeSpan RetryInterval { get; }

    /// <summary>The term held now, or <see langword="null"/>.</summary>
    public ILeaderTerm? Term => Volatile.Read(ref _term);

    /// <summary>
    /// Tries until this candidate wins a term (or returns the term it holds); transient store errors (the server
    /// restarting) only delay the next attempt.
    /// </summary>
    /// <param name="ct">Ends the campaign.</param>
    public async ValueTask<ILeaderTerm> WinAsync(CancellationToken ct)
    {
        while (true)
        {
            if (Term is { } held && !held.Lost.IsCancellationRequested)
            {
                return held;
            }

            await ResignAsync();
            try
            {
                if (await Election.TryAcquireAsync(CandidateId, ct) is { } won)
                {
                    Volatile.Write(ref _term, won);
                    return won;
                }
            }
            catch (HsmException e) when (e.IsTransient)
            {
                // The store is away (a restart, a lost connection): a candidate keeps campaigning until it is back.
            }

            await Task.Delay(RetryInterval, _time, ct);
        }
    }

    /// <summary>Gives the term up (if one is held): another candidate may win.</summary>
    public async ValueTask ResignAsync()
    {
        if (Interlocked.Exchange(ref _term, null) is { } term)
        {
            await term.DisposeAsync();
        }
    }

    /// <summary>Refuses a commit unless this candidate holds the election's latest term, decided inside <paramref name="txn"/>.</summary>
    /// <param name="txn">The transaction about to commit.</param>
    /// <exception cref="LeadershipLostException">No term is held, or a later leader was elected.</exception>
    public async ValueTask EnsureLeaderAsync(ICatalogTransaction txn)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ILeaderTerm? term = Term;
        if (term is null)
        {
            throw new LeadershipLostException(Election.Name, CandidateId, null);
        }

        if (!await term.IsCurrentAsync(txn))
        {
            throw new LeadershipLostException(Election.Name, CandidateId, term.Epoch);
        }
    }
}
