using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

/// <summary>
/// A replica row (docs/hsm/overview.md#the-catalogue <c>replicas</c>): one copy of a file on one node, with the transfer that fills it.
/// The key is <c>(file id, node id, reference id)</c>; a node holds at most one row of a file that is not
/// <see cref="ReplicaState.Deleted"/> (never two copies on one node), and a transfer id names one row only.
/// </summary>
public sealed record ReplicaRecord
{
    /// <summary>The file.</summary>
    public required long FileId { get; init; }

    /// <summary>The node holding (or receiving) the copy.</summary>
    public required string NodeId { get; init; }

    /// <summary>The node's own name for the copy (by default the first transfer id's text).</summary>
    public required string ReferenceId { get; init; }

    /// <summary>The stored state; never <see cref="ReplicaState.Offline"/>.</summary>
    public ReplicaState State { get; init; }

    /// <summary>The transfer that fills (or filled) this copy; a repair (P7) gives the row a new one.</summary>
    public required Guid TransferId { get; init; }

    /// <summary>The expected size in bytes.</summary>
    public long Size { get; init; }

    /// <summary>The expected checksum; an alive replica was verified against it.</summary>
    public required Checksum Checksum { get; init; }

    /// <summary>Where the transfer's bytes come from.</summary>
    public ReplicaSourceKind SourceKind { get; init; }

    /// <summary>The source node when <see cref="SourceKind"/> is <see cref="ReplicaSourceKind.Node"/>.</summary>
    public string? SourceNodeId { get; init; }

    /// <summary>When the row was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the row last changed.</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// When the current state times out: a <see cref="ReplicaState.Creating"/> row turns <see cref="ReplicaState.Stalled"/>
    /// (P3), a stalled one <see cref="ReplicaState.Deleted"/> (P5). Extended by a Librarian outage (docs/hsm/replicas.md#deadlines-and-librarian-outages).
    /// </summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>When the source started sending; a transfer not yet started may be cancelled as unnecessary.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the node last verified the copy's checksum.</summary>
    public DateTimeOffset? LastCheckedAt { get; init; }

    /// <summary>The row version; every update is conditional on it and moves it on.</summary>
    public long RowVersion { get; init; }

    /// <summary>True unless <see cref="ReplicaState.Deleted"/>.</summary>
    public bool IsLive => State != ReplicaState.Deleted;

    /// <summary>
    /// The effective state: <see cref="ReplicaState.Offline"/> while the node is offline (or unknown), otherwise the stored
    /// state. A deleted replica stays deleted.
    /// </summary>
    /// <param name="node">The replica's node row.</param>
    public ReplicaState EffectiveState(NodeRecord? node) =>
        State == ReplicaState.Deleted ? ReplicaState.Deleted : node is { State: NodeState.Online } ? State : ReplicaState.Offline;
}
