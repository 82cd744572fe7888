using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>The trace of one policy evaluation (docs/hsm/overview.md#policies, "Explain").</summary>
/// <param name="Rules">Each rule tried, in order, up to and including the first match.</param>
/// <param name="MatchedRule">The first matching rule.</param>
/// <param name="SizeRouting">Why the file is aggregated or written directly.</param>
/// <param name="Decision">The resulting decision.</param>
public sealed record PolicyExplanation(IReadOnlyList<RuleTrace> Rules, string MatchedRule, string SizeRouting, PolicyDecision Decision)
{
    /// <inheritdoc />
    public override string ToString() =>
        string.Join(Environment.NewLine, Rules.Select(r => r.ToString()))
        + Environment.NewLine + $"→ rule {MatchedRule}: {SizeRouting}; key {Decision.PolicyKey}, disk library {Decision.DiskLibrary}";
}

/// <summary>One rule tried during an explanation.</summary>
/// <param name="Rule">The rule name.</param>
/// <param name="Matched">True when every pattern matched.</param>
/// <param name="Attributes">Each attribute checked with its value, pattern and result.</param>
public sealed record RuleTrace(string Rule, bool Matched, IReadOnlyList<AttributeTrace> Attributes)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"{Rule}: {(Matched ? "match" : "no match")}" + (Attributes.Count == 0 ? " (catch-all)" : " [" + string.Join(", ", Attributes) + "]");
}

/// <summary>One attribute checked against one pattern.</summary>
/// <param name="Attribute">The attribute name.</param>
/// <param name="Value">The file's value (empty when missing).</param>
/// <param name="Pattern">The rule's pattern.</param>
/// <param name="Matched">The result.</param>
public sealed record AttributeTrace(string Attribute, string Value, string Pattern, bool Matched)
{
    /// <inheritdoc />
    public override string ToString() => $"{Attribute}='{Value}' ~ /{Pattern}/ {(Matched ? "yes" : "no")}";
}
