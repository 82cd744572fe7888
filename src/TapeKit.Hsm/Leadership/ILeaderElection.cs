namespace TapeKit.Hsm.Leadership;

/// <summary>
/// An election of one leader among candidates in several processes (the dispatcher: one active at a time, docs/hsm/overview.md#roles). A term is held for as long as the candidate's hold on the shared store lasts — a database session, a lease —
/// and carries an epoch that grows with every election, so that the writes of a leader that lost its term without
/// noticing are refused by the store (<see cref="ILeaderTerm.IsCurrentAsync"/>, <see cref="LeaderFencedCatalog"/>).
/// </summary>
public interface ILeaderElection
{
    /// <summary>The election's name: one leader per name.</summary>
    string Name { get; }

    /// <summary>Tries once, without waiting, to become the leader.</summary>
    /// <param name="candidateId">Who asks (recorded as the leader; e.g. the dispatcher's worker id).</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The term won, or <see langword="null"/> while another candidate leads.</returns>
    ValueTask<ILeaderTerm?> TryAcquireAsync(string candidateId, CancellationToken ct = default);
}
