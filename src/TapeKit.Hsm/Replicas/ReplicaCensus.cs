namespace TapeKit.Hsm.Replicas;

/// <summary>
/// A count of every replicated file by how well it is replicated, and of every replica row by its effective state
/// (<see cref="ReplicaLibrarian.GetCensusAsync"/>): what an operator, a dashboard or a demo waits on ("every file back
/// at its needed copies", "no surplus left", "no invalid copy left").
/// </summary>
public sealed record ReplicaCensus
{
    /// <summary>Files not deleted.</summary>
    public int Files { get; init; }

    /// <summary>Files with exactly their needed number of alive replicas on online nodes.</summary>
    public int Complete { get; init; }

    /// <summary>Files with fewer alive replicas on online nodes than they need.</summary>
    public int Underreplicated { get; init; }

    /// <summary>Files with more alive replicas on online nodes than they need, or with a copy being retired.</summary>
    public int Surplus { get; init; }

    /// <summary>Files with no alive replica on any node, online or not (not counting tape copies).</summary>
    public int WithoutAliveCopy { get; init; }

    /// <summary>Deleted files whose rows are still there.</summary>
    public int DeletedFiles { get; init; }

    /// <summary>Live replica rows by effective state (<see cref="ReplicaState.Offline"/> for the rows of offline nodes).</summary>
    public IReadOnlyDictionary<ReplicaState, int> Replicas { get; init; } = new Dictionary<ReplicaState, int>();

    /// <summary>
    /// Audit rows by rule (<c>P1</c>…<c>P13</c>, <c>D1</c>, <c>D2</c>) made at or after the instant the census was asked
    /// about; empty when it was not asked.
    /// </summary>
    public IReadOnlyDictionary<string, int> TransitionsSince { get; init; } = new Dictionary<string, int>();

    /// <summary>The count of live rows in <paramref name="state"/> (0 when none).</summary>
    /// <param name="state">The effective state.</param>
    public int Count(ReplicaState state) => Replicas.GetValueOrDefault(state);

    /// <summary>The audit rows of <paramref name="rule"/> since the instant asked about (0 when none).</summary>
    /// <param name="rule">The rule, e.g. <c>P2</c>.</param>
    public int Transitions(string rule) => TransitionsSince.GetValueOrDefault(rule);
}
