using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.StateMachines;

/// <summary>One row of a normative transition table.</summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TEvent">The event type.</typeparam>
/// <param name="Id">The rule id of the spec (<c>C2</c>, <c>L7</c>, …).</param>
/// <param name="From">The source state.</param>
/// <param name="Event">The event.</param>
/// <param name="To">The target state.</param>
/// <param name="Actors">The roles allowed to make the transition.</param>
public sealed record TransitionRule<TState, TEvent>(string Id, TState From, TEvent Event, TState To, IReadOnlyList<HsmActor> Actors)
    where TState : struct, Enum
    where TEvent : struct, Enum;
