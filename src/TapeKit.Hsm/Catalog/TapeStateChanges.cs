using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// A tape row's state changed by a worker (a device error, a refused append, end of medium), together with an audit
/// row of entity <see cref="TapeEntity"/> that carries the reason — so an operator who finds a tape
/// <c>NEEDS_ATTENTION</c> reads why from the tape's transitions, without the logs of the host that flagged it.
/// </summary>
public static class TapeStateChanges
{
    /// <summary>The audit entity name of tape state changes (the entity id is the VSN).</summary>
    public const string TapeEntity = "tape";

    /// <summary>Sets a tape's state and records the change with its reason, in one transaction; an unknown tape is left alone.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="vsn">The tape.</param>
    /// <param name="state">The new state.</param>
    /// <param name="rule">The failure rule or cause behind the change (<c>F3</c>, <c>F15</c>, <c>F16</c>, …), the audit row's rule.</param>
    /// <param name="actor">Who changes it.</param>
    /// <param name="reason">Why, in words an operator can act on.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask SetTapeStateAsync(
        this ICatalog catalog, string vsn, TapeState state, string rule, HsmActor actor, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(rule);
        await catalog.RunAsync(async txn =>
        {
            if (await txn.GetTapeAsync(vsn) is not { } tape)
            {
                return;
            }

            _ = await txn.UpdateTapeAsync(tape with { State = state });
            await txn.AddTransitionAsync(new TransitionRecord(TapeEntity, vsn, StateNames.Of(tape.State), StateNames.Of(state), rule, actor, reason, txn.Now));
        }, ct);
    }
}
