using System.Collections.Frozen;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.StateMachines;

/// <summary>
/// A normative transition table: (state, event) → (state, rule, allowed actors). Looking up a pair that is not
/// in the table, or applying it as an actor the rule does not name, throws <see cref="IllegalTransitionException"/>.
/// The dispatcher's sweeper may make an owner's (migrator's) transitions (R2).
/// </summary>
/// <typeparam name="TState">The state type.</typeparam>
/// <typeparam name="TEvent">The event type.</typeparam>
public sealed class TransitionTable<TState, TEvent>
    where TState : struct, Enum
    where TEvent : struct, Enum
{
    private readonly FrozenDictionary<(TState, TEvent), TransitionRule<TState, TEvent>> _rules;

    /// <summary>Builds a table; two rules for one (state, event) pair are a configuration error.</summary>
    /// <param name="machine">The machine name used in messages and the audit table.</param>
    /// <param name="rules">The rules.</param>
    public TransitionTable(string machine, IEnumerable<TransitionRule<TState, TEvent>> rules)
    {
        ArgumentException.ThrowIfNullOrEmpty(machine);
        ArgumentNullException.ThrowIfNull(rules);
        Machine = machine;
        var map = new Dictionary<(TState, TEvent), TransitionRule<TState, TEvent>>();
        foreach (TransitionRule<TState, TEvent> rule in rules)
        {
            if (!map.TryAdd((rule.From, rule.Event), rule))
            {
                throw new ArgumentException($"Rules {map[(rule.From, rule.Event)].Id} and {rule.Id} both handle {rule.Event} in {rule.From}.", nameof(rules));
            }
        }

        _rules = map.ToFrozenDictionary();
        Rules = [.. map.Values];
    }

    /// <summary>The machine name (<c>file.cache</c>, <c>file.archive</c>, <c>list</c>, <c>aggregation</c>).</summary>
    public string Machine { get; }

    /// <summary>All rules.</summary>
    public IReadOnlyList<TransitionRule<TState, TEvent>> Rules { get; }

    /// <summary>The rule for <paramref name="event"/> in <paramref name="from"/>, or <see langword="null"/>.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="event">The event.</param>
    public TransitionRule<TState, TEvent>? Find(TState from, TEvent @event) => _rules.GetValueOrDefault((from, @event));

    /// <summary>True when the table has a rule for the pair and the actor may apply it.</summary>
    /// <param name="from">The current state.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    public bool IsAllowed(TState from, TEvent @event, HsmActor actor) =>
        Find(from, @event) is { } rule && Permits(rule, actor);

    /// <summary>Validates a transition and returns its rule.</summary>
    /// <param name="entityId">The entity's id, for the exception message.</param>
    /// <param name="from">The current state.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <exception cref="IllegalTransitionException">The pair is not in the table, or the actor may not apply it.</exception>
    public TransitionRule<TState, TEvent> Apply(string entityId, TState from, TEvent @event, HsmActor actor)
    {
        TransitionRule<TState, TEvent>? rule = Find(from, @event);
        if (rule is null)
        {
            throw new IllegalTransitionException(Machine, entityId, StateNames.Of(from), @event.ToString(), actor.ToString(),
                $"The table has no transition for {@event} from {StateNames.Of(from)}.");
        }

        if (!Permits(rule, actor))
        {
            throw new IllegalTransitionException(Machine, entityId, StateNames.Of(from), @event.ToString(), actor.ToString(),
                $"Rule {rule.Id} may only be applied by {string.Join(" or ", rule.Actors)}.");
        }

        return rule;
    }

    private static bool Permits(TransitionRule<TState, TEvent> rule, HsmActor actor) =>
        rule.Actors.Contains(actor) || (actor == HsmActor.Sweeper && rule.Actors.Contains(HsmActor.Migrator));
}
