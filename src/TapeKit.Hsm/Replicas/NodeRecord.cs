namespace TapeKit.Hsm.Replicas;

/// <summary>
/// A storage node's row (docs/hsm/overview.md#the-catalogue <c>nodes</c>): its liveness, the deadline of its next heartbeat, and where its
/// report stream stands. Liveness changes write this row alone (docs/hsm/replicas.md#reporting-without-overload rule 1).
/// </summary>
public sealed record NodeRecord
{
    /// <summary>The node's stable name.</summary>
    public required string NodeId { get; init; }

    /// <summary>Online or offline.</summary>
    public NodeState State { get; init; } = NodeState.Online;

    /// <summary>When <see cref="State"/> last changed (registration counts as a change).</summary>
    public DateTimeOffset StateSince { get; init; }

    /// <summary>The checker turns the node offline once this passes without a heartbeat (P8).</summary>
    public DateTimeOffset NextHeartbeatDue { get; init; }

    /// <summary>The sequence number of the last report applied and acknowledged (0 before the first).</summary>
    public long ReportSeq { get; init; }

    /// <summary>
    /// The Librarian wants the node's digest (docs/hsm/replicas.md#reporting-without-overload rule 4): set when the node went offline or its report stream broke,
    /// cleared when a digest was compared.
    /// </summary>
    public bool DigestWanted { get; init; }

    /// <summary>Where the node is reached (a URL for the HTTP host), if the host records one.</summary>
    public string? Address { get; init; }

    /// <summary>When the node first registered.</summary>
    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>The row version; every update is conditional on it and moves it on.</summary>
    public long RowVersion { get; init; }

    /// <summary>True when the node is online.</summary>
    public bool IsOnline => State == NodeState.Online;
}
