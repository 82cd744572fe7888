using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Leadership;

/// <summary>
/// One term of leadership won in an <see cref="ILeaderElection"/>. Disposing it resigns: the hold on the store is
/// released and another candidate may win.
/// </summary>
public interface ILeaderTerm : IAsyncDisposable
{
    /// <summary>The leader.</summary>
    string CandidateId { get; }

    /// <summary>The fencing token: greater than the epoch of every earlier term of the election.</summary>
    long Epoch { get; }

    /// <summary>Cancelled once this process learns that the term ended (its hold on the store broke, or a later leader was elected).</summary>
    CancellationToken Lost { get; }

    /// <summary>
    /// Whether this term is still the election's latest, decided inside <paramref name="txn"/>: a transaction that
    /// commits after a <see langword="true"/> answer commits before any later leader's term begins where the store can
    /// order them (the PostgreSQL election locks the epoch it reads until the commit).
    /// </summary>
    /// <param name="txn">A transaction of the catalogue that holds the election's epochs.</param>
    ValueTask<bool> IsCurrentAsync(ICatalogTransaction txn);
}
