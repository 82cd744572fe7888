using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

/// <summary>What a Librarian call about one replica did.</summary>
public enum ReplicaCallOutcome
{
    /// <summary>The transition asked for was made.</summary>
    Applied,

    /// <summary>A late registration was accepted: <see cref="ReplicaState.Stalled"/> → <see cref="ReplicaState.Alive"/> (P4).</summary>
    AppliedLate,

    /// <summary>The call was made before (a replay): the row already is where it would take it. Nothing changed.</summary>
    Replayed,

    /// <summary>The row's state does not call for a change (see the result's state). Nothing changed.</summary>
    Unchanged,

    /// <summary>No replica has this transfer id (or this node has no row of the file). Nothing changed; the caller discards the data.</summary>
    UnknownTransfer,

    /// <summary>The node is not known. Nothing changed.</summary>
    UnknownNode,

    /// <summary>The replica is deleted (cancelled, stalled too long, or its file deleted): the caller discards the data or stops the transfer.</summary>
    Cancelled,

    /// <summary>Refused: the data does not match (size, checksum) or the call came from the wrong node. The caller discards the data.</summary>
    Refused,
}

/// <summary>The result of a Librarian call about one replica.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="State">The replica's stored state after the call, when there is a row.</param>
/// <param name="Changed">True when the call wrote the row.</param>
/// <param name="Detail">Why, in words.</param>
public readonly record struct ReplicaCallResult(ReplicaCallOutcome Outcome, ReplicaState? State, bool Changed, string Detail)
{
    /// <summary>True when the caller must delete the bytes it holds for the transfer.</summary>
    public bool DiscardData => Outcome is ReplicaCallOutcome.UnknownTransfer or ReplicaCallOutcome.Cancelled or ReplicaCallOutcome.Refused;
}

/// <summary>An upload to allocate (P1 for a client's upload).</summary>
public sealed record UploadRequest
{
    /// <summary>The file (the catalogue's id).</summary>
    public required long FileId { get; init; }

    /// <summary>The file's size in bytes.</summary>
    public required long Size { get; init; }

    /// <summary>The file's checksum, as the client declares it; the receiving node verifies it.</summary>
    public required Checksum Checksum { get; init; }

    /// <summary>How many alive replicas the file needs; the default of the options when not given.</summary>
    public int? NeededReplicas { get; init; }

    /// <summary>A node to receive the upload if it is online and holds no copy of the file.</summary>
    public string? PreferredNodeId { get; init; }
}

/// <summary>How an upload allocation ended.</summary>
public enum UploadOutcome
{
    /// <summary>A <see cref="ReplicaState.Creating"/> row was written; its transfer id may be handed out.</summary>
    Allocated,

    /// <summary>No online node without a copy of the file: try again later.</summary>
    NoNodeAvailable,

    /// <summary>The file exists with another size or checksum.</summary>
    FileMismatch,

    /// <summary>The file is deleted.</summary>
    FileDeleted,
}

/// <summary>An upload allocation: the <see cref="ReplicaState.Creating"/> row (target node, transfer id, deadline).</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="Replica">The new row, when allocated.</param>
/// <param name="Detail">Why, in words.</param>
public sealed record UploadTicket(UploadOutcome Outcome, ReplicaRecord? Replica, string Detail);

/// <summary>The Librarian's answer to a heartbeat (docs/hsm/replicas.md#reporting-without-overload rules 1 and 2).</summary>
/// <param name="Known">False when the node is not registered (nothing was written).</param>
/// <param name="NextHeartbeatDue">The node must heartbeat again before this.</param>
/// <param name="AcknowledgedSequence">The last report sequence applied: the node's next report carries this plus one.</param>
/// <param name="DigestWanted">The node must send a digest of its replica set (after a gap).</param>
/// <param name="CameBack">This heartbeat turned the node online again (P9).</param>
public sealed record HeartbeatAck(bool Known, DateTimeOffset NextHeartbeatDue, long AcknowledgedSequence, bool DigestWanted, bool CameBack);

/// <summary>A replica as the Librarian sees it: the row and its effective state (offline derived from the node).</summary>
/// <param name="Replica">The row.</param>
/// <param name="Effective">The effective state.</param>
public readonly record struct ReplicaView(ReplicaRecord Replica, ReplicaState Effective);

/// <summary>What one checker run did.</summary>
/// <param name="Outage">The gap since the previous run that was taken as an outage (zero when none).</param>
/// <param name="DeadlinesExtended">How many transfer deadlines were moved on by the outage.</param>
/// <param name="NodesOffline">How many nodes turned offline (P8), one row each.</param>
/// <param name="Stalled">How many transfers stalled (P3).</param>
/// <param name="Deleted">How many stalled transfers were deleted after <see cref="ReplicaOptions.StalledGrace"/> (P5).</param>
public sealed record CheckSummary(TimeSpan Outage, int DeadlinesExtended, int NodesOffline, int Stalled, int Deleted);

/// <summary>What one planning pass decided (docs/hsm/replicas.md#the-state-machine, docs/hsm/replicas.md).</summary>
public sealed record PlanSummary
{
    /// <summary>Files looked at.</summary>
    public int FilesExamined { get; init; }

    /// <summary>New <see cref="ReplicaState.Creating"/> rows from another node's copy (P1).</summary>
    public int TransfersCreated { get; init; }

    /// <summary>New <see cref="ReplicaState.Creating"/> rows to be filled from tape (P1 with <see cref="ReplicaSourceKind.Tape"/>).</summary>
    public int FromTape { get; init; }

    /// <summary>Invalid replicas repaired in place (P7).</summary>
    public int Repairs { get; init; }

    /// <summary>Transfers not yet started that became unnecessary and were cancelled (P5).</summary>
    public int Cancelled { get; init; }

    /// <summary>Surplus replicas retired (P10).</summary>
    public int Retired { get; init; }

    /// <summary>Retiring replicas taken back because the file fell short (P12).</summary>
    public int Restored { get; init; }

    /// <summary>Invalid replicas dropped as surplus or unrepairable (P13).</summary>
    public int InvalidDropped { get; init; }

    /// <summary>Copies of deleted files sent away (D1, D2, P5).</summary>
    public int DeletedFileCopies { get; init; }

    /// <summary>Files short of replicas whose only alive copies are on offline nodes (and not on tape): waiting for a node.</summary>
    public IReadOnlyList<long> WaitingForNode { get; init; } = [];

    /// <summary>Files with no alive copy anywhere and no tape copy: lost unless a node brings one back.</summary>
    public IReadOnlyList<long> Lost { get; init; } = [];

    /// <summary>Files short of replicas for want of an online node to put a copy on.</summary>
    public int NoTarget { get; init; }
}
