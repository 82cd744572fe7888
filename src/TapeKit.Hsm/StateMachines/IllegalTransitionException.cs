namespace TapeKit.Hsm.StateMachines;

/// <summary>
/// Thrown when an event is applied to an entity in a state whose normative table (docs/hsm/rules.md) has no
/// transition for it, or by an actor the table does not allow. Always a programming or operator error:
/// a lost race shows up as a failed compare-and-set (R3), never as this exception.
/// </summary>
public sealed class IllegalTransitionException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="machine">The machine (<c>file.cache</c>, <c>list</c>, …).</param>
    /// <param name="entityId">The entity's id.</param>
    /// <param name="from">The current state.</param>
    /// <param name="event">The event that was applied.</param>
    /// <param name="actor">The actor that applied it.</param>
    /// <param name="detail">Why it is illegal.</param>
    public IllegalTransitionException(string machine, string entityId, string from, string @event, string actor, string detail)
        : base($"Illegal transition of {machine} {entityId}: event {@event} by {actor} in state {from}. {detail}")
    {
        Machine = machine;
        EntityId = entityId;
        From = from;
        Event = @event;
        Actor = actor;
    }

    /// <summary>The machine.</summary>
    public string Machine { get; }

    /// <summary>The entity's id.</summary>
    public string EntityId { get; }

    /// <summary>The state the entity was in.</summary>
    public string From { get; }

    /// <summary>The event that was applied.</summary>
    public string Event { get; }

    /// <summary>The actor that applied it.</summary>
    public string Actor { get; }
}
