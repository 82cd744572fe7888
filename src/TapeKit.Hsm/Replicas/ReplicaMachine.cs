using System.Collections.Frozen;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Replicas;

/// <summary>One row of the replica machine: a rule of docs/hsm/replicas.md#the-state-machine (or a TapeKit addition), its source states, target and actors.</summary>
/// <param name="Id">The rule id (<c>P1</c>…<c>P13</c>; <c>D1</c>, <c>D2</c> for the copies of a deleted file).</param>
/// <param name="From">The stored states it leaves (empty for the creation P1).</param>
/// <param name="To">The stored state it reaches.</param>
/// <param name="Actors">Who may make it.</param>
/// <param name="Description">The trigger, in words.</param>
public sealed record ReplicaRule(string Id, IReadOnlyList<ReplicaState> From, ReplicaState To, IReadOnlyList<ReplicaActor> Actors, string Description);

/// <summary>
/// The replica machine of docs/hsm/replicas.md#the-state-machine as a table. P8 and P9 (offline and back) are node-row changes and have no
/// row here: a replica's <see cref="ReplicaState.Offline"/> is derived. D1 and D2 are TapeKit's: when a file is deleted
/// all of its copies go, the last alive one included, which P10 and P13 would refuse.
/// </summary>
public static class ReplicaMachine
{
    private static readonly ReplicaActor[] Librarian = [ReplicaActor.Librarian];

    /// <summary>The rules, in the spec's order.</summary>
    public static IReadOnlyList<ReplicaRule> Rules { get; } =
    [
        new("P1", [], ReplicaState.Creating, [ReplicaActor.Librarian, ReplicaActor.Bartender], "upload or replication allocated"),
        new("P2", [ReplicaState.Creating], ReplicaState.Alive, [ReplicaActor.Shepherd], "received, verified, stored and registered"),
        new("P3", [ReplicaState.Creating], ReplicaState.Stalled, Librarian, "deadline passed"),
        new("P4", [ReplicaState.Stalled], ReplicaState.Alive, [ReplicaActor.Librarian, ReplicaActor.Shepherd], "late registration with the same transfer id and checksum"),
        new("P5", [ReplicaState.Creating, ReplicaState.Stalled], ReplicaState.Deleted, Librarian, "transfer failed, cancelled, or stalled longer than StalledGrace"),
        new("P6", [ReplicaState.Alive], ReplicaState.Invalid, [ReplicaActor.Shepherd], "checksum scan or read mismatch"),
        new("P7", [ReplicaState.Invalid], ReplicaState.Creating, Librarian, "repair from a good copy (new transfer id)"),
        new("P10", [ReplicaState.Alive], ReplicaState.ThirdWheel, Librarian, "more alive replicas on online nodes than needed"),
        new("P11", [ReplicaState.ThirdWheel], ReplicaState.Deleted, [ReplicaActor.Shepherd], "the node deleted the data and reported"),
        new("P12", [ReplicaState.ThirdWheel], ReplicaState.Alive, Librarian, "the file fell below its needed replicas before deletion"),
        new("P13", [ReplicaState.Invalid], ReplicaState.Deleted, Librarian, "surplus or unrepairable, not the last copy of any kind"),
        new("D1", [ReplicaState.Alive], ReplicaState.ThirdWheel, Librarian, "the file was deleted"),
        new("D2", [ReplicaState.Invalid], ReplicaState.Deleted, Librarian, "the file was deleted"),
    ];

    private static readonly FrozenDictionary<string, ReplicaRule> ById = Rules.ToFrozenDictionary(r => r.Id, StringComparer.Ordinal);

    /// <summary>The rule with this id.</summary>
    /// <param name="id">The rule id.</param>
    /// <exception cref="KeyNotFoundException">No such rule.</exception>
    public static ReplicaRule Rule(string id) => ById[id];

    /// <summary>True when <paramref name="rule"/> leaves <paramref name="from"/> and <paramref name="actor"/> may make it.</summary>
    /// <param name="rule">The rule id.</param>
    /// <param name="from">The stored state.</param>
    /// <param name="actor">The actor.</param>
    public static bool Allows(string rule, ReplicaState? from, ReplicaActor actor) =>
        ById.TryGetValue(rule, out ReplicaRule? r)
        && (from is { } f ? r.From.Contains(f) : r.From.Count == 0)
        && (r.Actors.Contains(actor) || actor == ReplicaActor.Operator);

    /// <summary>Validates a transition.</summary>
    /// <param name="rule">The rule id.</param>
    /// <param name="from">The stored state (<see langword="null"/> for a creation).</param>
    /// <param name="actor">The actor.</param>
    /// <param name="entityId">The replica, for the message.</param>
    /// <returns>The rule.</returns>
    /// <exception cref="IllegalTransitionException">The rule does not leave <paramref name="from"/>, or the actor may not make it.</exception>
    public static ReplicaRule Check(string rule, ReplicaState? from, ReplicaActor actor, string entityId)
    {
        if (!ById.TryGetValue(rule, out ReplicaRule? r) || !Allows(rule, from, actor))
        {
            throw new IllegalTransitionException("replica", entityId, from is { } f ? ReplicaStateNames.Of(f) : "(none)", rule, actor.ToString(),
                r is null ? $"There is no rule {rule}." : $"Rule {rule} leaves {string.Join(" or ", r.From.Select(ReplicaStateNames.Of))} and is made by {string.Join(" or ", r.Actors)}.");
        }

        return r;
    }
}
