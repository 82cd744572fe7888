namespace TapeKit.Hsm.Replicas;

/// <summary>One audit row of the replica machine (docs/hsm/rules.md#rules-common-to-every-machine-r1r7 R7).</summary>
/// <param name="FileId">The file.</param>
/// <param name="NodeId">The replica's node.</param>
/// <param name="TransferId">The replica's transfer id after the transition.</param>
/// <param name="From">The state before (<see langword="null"/> for a creation).</param>
/// <param name="To">The state after.</param>
/// <param name="Rule">The rule of docs/hsm/replicas.md#the-state-machine (<c>P1</c>…<c>P13</c>, <c>D1</c> for a deleted file's copies).</param>
/// <param name="Actor">Who made it.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="At">When.</param>
public sealed record ReplicaTransitionRecord(
    long FileId, string NodeId, Guid TransferId, ReplicaState? From, ReplicaState To, string Rule, ReplicaActor Actor, string? Reason, DateTimeOffset At);
