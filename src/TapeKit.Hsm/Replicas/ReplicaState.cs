namespace TapeKit.Hsm.Replicas;

/// <summary>
/// The state of a replica (docs/hsm/replicas.md#the-state-machine): a disk copy of a file on a storage node (a Chelonia Shepherd). Every value
/// but <see cref="Offline"/> is stored in the replica row; <see cref="Offline"/> is only ever derived — a replica is
/// effectively offline while its node row is <see cref="NodeState.Offline"/> (<see cref="ReplicaRecord.EffectiveState"/>),
/// so a late node costs one row update, not one per file. A store refuses to write it.
/// </summary>
public enum ReplicaState
{
    /// <summary>Allocated for a transfer (P1): the target may receive bytes under the row's transfer id. Does not count.</summary>
    Creating,

    /// <summary>Received whole, checksum-verified, stored durably and registered (P2, P4). Counts toward the needed replicas when its node is online.</summary>
    Alive,

    /// <summary>A checksum scan or a read found it damaged or missing (P6); repaired in place (P7) or dropped (P13).</summary>
    Invalid,

    /// <summary>A <see cref="Creating"/> row whose deadline passed (P3): a late registration may still make it alive (P4).</summary>
    Stalled,

    /// <summary>Derived, never stored: the replica's node is offline (P8, P9).</summary>
    Offline,

    /// <summary>Surplus, to be deleted by its node (P10); back to <see cref="Alive"/> if the file falls short (P12).</summary>
    ThirdWheel,

    /// <summary>Gone: the row stays as a tombstone, so that a late message about it is answered "discard" (P5, P11, P13).</summary>
    Deleted,
}

/// <summary>The liveness of a storage node, kept in its node row (docs/hsm/replicas.md#reporting-without-overload rule 1).</summary>
public enum NodeState
{
    /// <summary>Heartbeating within its deadline: its <see cref="ReplicaState.Alive"/> replicas count.</summary>
    Online,

    /// <summary>Missed its heartbeat deadline (P8): every replica on it is effectively <see cref="ReplicaState.Offline"/>.</summary>
    Offline,
}

/// <summary>Where the bytes of a <see cref="ReplicaState.Creating"/> replica come from.</summary>
public enum ReplicaSourceKind
{
    /// <summary>A client's upload through the front end (the Bartender).</summary>
    Upload,

    /// <summary>Another node's alive replica (<see cref="ReplicaRecord.SourceNodeId"/>): re-replication or repair.</summary>
    Node,

    /// <summary>A tape copy (an archived segment of the catalogue), the copy of last resort: the host reads it back.</summary>
    Tape,
}

/// <summary>Who makes a replica transition (docs/hsm/rules.md#rules-common-to-every-machine-r1r7 R2, the Actor column of docs/hsm/replicas.md#the-state-machine).</summary>
public enum ReplicaActor
{
    /// <summary>The Librarian: planner, checker, and the calls it serves for the others.</summary>
    Librarian,

    /// <summary>A storage node, through a Librarian call (registration, report).</summary>
    Shepherd,

    /// <summary>The front end, allocating an upload.</summary>
    Bartender,

    /// <summary>An operator (audited).</summary>
    Operator,
}

/// <summary>The text forms of the replica and node states, as stored and as the spec spells them (<c>THIRDWHEEL</c>).</summary>
public static class ReplicaStateNames
{
    /// <summary>The stored name of a replica state.</summary>
    /// <param name="state">The state.</param>
    public static string Of(ReplicaState state) => state switch
    {
        ReplicaState.Creating => "CREATING",
        ReplicaState.Alive => "ALIVE",
        ReplicaState.Invalid => "INVALID",
        ReplicaState.Stalled => "STALLED",
        ReplicaState.Offline => "OFFLINE",
        ReplicaState.ThirdWheel => "THIRDWHEEL",
        ReplicaState.Deleted => "DELETED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The stored name of a node state.</summary>
    /// <param name="state">The state.</param>
    public static string Of(NodeState state) => state switch
    {
        NodeState.Online => "ONLINE",
        NodeState.Offline => "OFFLINE",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    /// <summary>The stored name of a source kind.</summary>
    /// <param name="kind">The kind.</param>
    public static string Of(ReplicaSourceKind kind) => kind switch
    {
        ReplicaSourceKind.Upload => "UPLOAD",
        ReplicaSourceKind.Node => "NODE",
        ReplicaSourceKind.Tape => "TAPE",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>Parses a stored replica state.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="FormatException">Not a replica state.</exception>
    public static ReplicaState ParseReplicaState(string text) => text switch
    {
        "CREATING" => ReplicaState.Creating,
        "ALIVE" => ReplicaState.Alive,
        "INVALID" => ReplicaState.Invalid,
        "STALLED" => ReplicaState.Stalled,
        "OFFLINE" => ReplicaState.Offline,
        "THIRDWHEEL" => ReplicaState.ThirdWheel,
        "DELETED" => ReplicaState.Deleted,
        _ => throw new FormatException($"'{text}' is not a replica state."),
    };

    /// <summary>Parses a stored node state.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="FormatException">Not a node state.</exception>
    public static NodeState ParseNodeState(string text) => text switch
    {
        "ONLINE" => NodeState.Online,
        "OFFLINE" => NodeState.Offline,
        _ => throw new FormatException($"'{text}' is not a node state."),
    };

    /// <summary>Parses a stored source kind.</summary>
    /// <param name="text">The text.</param>
    /// <exception cref="FormatException">Not a source kind.</exception>
    public static ReplicaSourceKind ParseSourceKind(string text) => text switch
    {
        "UPLOAD" => ReplicaSourceKind.Upload,
        "NODE" => ReplicaSourceKind.Node,
        "TAPE" => ReplicaSourceKind.Tape,
        _ => throw new FormatException($"'{text}' is not a replica source kind."),
    };
}
