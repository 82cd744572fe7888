namespace TapeKit.Hsm.Model;

/// <summary>One row of the audit table (docs/hsm/rules.md#rules-common-to-every-machine-r1r7, R7): every transition of every machine.</summary>
/// <param name="Entity">The machine: <c>file.cache</c>, <c>file.archive</c>, <c>list</c>, <c>aggregation</c>, …</param>
/// <param name="EntityId">The entity's id in text form.</param>
/// <param name="From">The state before, or <see langword="null"/> on creation.</param>
/// <param name="To">The state after.</param>
/// <param name="Rule">The rule id of the normative table (<c>C2</c>, <c>L7</c>, …).</param>
/// <param name="Actor">The role that made the transition.</param>
/// <param name="Reason">Why, in words.</param>
/// <param name="At">When, from the injected clock.</param>
public sealed record TransitionRecord(
    string Entity, string EntityId, string? From, string To, string Rule, HsmActor Actor, string? Reason, DateTimeOffset At);
