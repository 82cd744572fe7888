using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>
/// The rule-based policy selector (docs/hsm/overview.md#policies): anchored patterns, AND over attributes, first match in
/// explicit order wins, then size routing. Construction validates the set and fails fast with every problem.
/// Immutable and thread-safe; reload by building a new selector and swapping it atomically.
/// </summary>
public sealed class PolicySelector : IPolicySelector
{
    private readonly CompiledRule[] _rules;

    /// <summary>Compiles and validates a policy set.</summary>
    /// <param name="set">The policy set.</param>
    /// <param name="environment">Existing disk libraries and pools to validate against; <see langword="null"/> skips those checks.</param>
    /// <exception cref="PolicyValidationException">The set is invalid; the message names each rule and field.</exception>
    public PolicySelector(PolicySet set, PolicyEnvironment? environment = null)
    {
        ArgumentNullException.ThrowIfNull(set);
        (_rules, Warnings) = PolicySetValidator.Compile(set, environment ?? new PolicyEnvironment());
        Version = set.Version;
    }

    /// <inheritdoc />
    public int Version { get; }

    /// <summary>Non-fatal findings, e.g. a rule shadowed by an earlier rule with identical patterns.</summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>The rule names in evaluation order.</summary>
    public IReadOnlyList<string> RuleNames => [.. _rules.Select(r => r.Rule.Name)];

    /// <inheritdoc />
    public PolicyDecision Decide(HsmFileAttributes file)
    {
        ArgumentNullException.ThrowIfNull(file);
        foreach (CompiledRule rule in _rules)
        {
            if (Matches(rule, file))
            {
                return Build(rule, file, out _);
            }
        }

        throw new InvalidOperationException("Unreachable: a validated policy set ends with a catch-all rule.");
    }

    /// <inheritdoc />
    public PolicyExplanation Explain(HsmFileAttributes file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var traces = new List<RuleTrace>();
        foreach (CompiledRule rule in _rules)
        {
            var attributes = new List<AttributeTrace>();
            bool all = true;
            if (rule.LibraryPattern is { } lib)
            {
                bool ok = lib.Regex.IsMatch(file.Library);
                attributes.Add(new AttributeTrace(HsmFileAttributes.LibraryName, file.Library, lib.Pattern, ok));
                all &= ok;
            }

            foreach ((string attribute, string pattern, System.Text.RegularExpressions.Regex regex) in rule.Patterns)
            {
                string value = file.Get(attribute);
                bool ok = regex.IsMatch(value);
                attributes.Add(new AttributeTrace(attribute, value, pattern, ok));
                all &= ok;
            }

            traces.Add(new RuleTrace(rule.Rule.Name, all, attributes));
            if (all)
            {
                PolicyDecision decision = Build(rule, file, out string routing);
                return new PolicyExplanation(traces, rule.Rule.Name, routing, decision);
            }
        }

        throw new InvalidOperationException("Unreachable: a validated policy set ends with a catch-all rule.");
    }

    private static bool Matches(CompiledRule rule, HsmFileAttributes file)
    {
        if (rule.LibraryPattern is { } lib && !lib.Regex.IsMatch(file.Library))
        {
            return false;
        }

        foreach ((string attribute, _, System.Text.RegularExpressions.Regex regex) in rule.Patterns)
        {
            if (!regex.IsMatch(file.Get(attribute)))
            {
                return false;
            }
        }

        return true;
    }

    private PolicyDecision Build(CompiledRule compiled, HsmFileAttributes file, out string routing)
    {
        PolicyRule rule = compiled.Rule;
        bool aggregate = file.Size < rule.SmallFileThreshold && file.Size <= rule.MaxMemberSize;
        routing = aggregate
            ? $"size {file.Size} < smallFileThreshold {rule.SmallFileThreshold} and ≤ maxMemberSize {rule.MaxMemberSize}: aggregate as {rule.Format}"
            : $"size {file.Size} ≥ smallFileThreshold {rule.SmallFileThreshold} or > maxMemberSize {rule.MaxMemberSize}: direct tape file";
        var parts = new List<string>(compiled.Patterns.Length + rule.CollocateBy.Count + 3) { rule.Name, file.Library };
        foreach ((string attribute, _, _) in compiled.Patterns)
        {
            parts.Add(file.Get(attribute));
        }

        foreach (string attribute in rule.CollocateBy)
        {
            parts.Add(file.Get(attribute));
        }

        // Direct files of a rule form their own lists: one list never mixes strategies.
        if (!aggregate)
        {
            parts.Add("direct");
        }

        return new PolicyDecision(
            rule.Name,
            string.Join('|', parts),
            rule.DiskLibrary,
            aggregate ? ArchiveStrategy.Aggregate : ArchiveStrategy.Direct,
            aggregate ? rule.Format : AggregationPayloadFormat.None,
            rule.Limits,
            rule.EffectiveTapePool,
            rule.CopyCount,
            rule.Priority,
            Version);
    }
}
