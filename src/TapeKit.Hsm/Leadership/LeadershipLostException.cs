namespace TapeKit.Hsm.Leadership;

/// <summary>
/// A leader's commit was refused because its term ended: another candidate was elected since (a higher epoch), or this
/// process holds no term at all. Nothing of the transaction was kept. Never transient for the refused leader: it must
/// stop and campaign again.
/// </summary>
public sealed class LeadershipLostException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="election">The election's name.</param>
    /// <param name="candidateId">The refused candidate.</param>
    /// <param name="epoch">The epoch of its last term, or <see langword="null"/> when it held none.</param>
    public LeadershipLostException(string election, string candidateId, long? epoch)
        : base(epoch is { } e
            ? $"'{candidateId}' is no longer the leader of '{election}' (its term {e} ended): its catalogue change was not committed."
            : $"'{candidateId}' is not the leader of '{election}': its catalogue change was not committed.")
    {
        Election = election;
        CandidateId = candidateId;
        Epoch = epoch;
    }

    /// <summary>The election's name.</summary>
    public string Election { get; }

    /// <summary>The refused candidate.</summary>
    public string CandidateId { get; }

    /// <summary>The epoch of its last term, if it held one.</summary>
    public long? Epoch { get; }
}
