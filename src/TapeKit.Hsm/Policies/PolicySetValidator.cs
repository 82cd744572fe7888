using System.Globalization;
using System.Text.RegularExpressions;

namespace TapeKit.Hsm.Policies;

/// <summary>Load-time validation of a policy set (docs/hsm/overview.md#policies).</summary>
internal static class PolicySetValidator
{
    public static (CompiledRule[] Rules, IReadOnlyList<string> Warnings) Compile(PolicySet set, PolicyEnvironment environment)
    {
        var errors = new List<string>();
        var warnings = new List<string>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var compiled = new List<CompiledRule>();
        if (set.Rules.Count == 0)
        {
            throw new PolicyValidationException(["The set has no rules; it must end with a catch-all rule."]);
        }

        PolicyRule[] ordered = [.. set.Rules.Select((r, i) => (r, i)).OrderBy(p => p.r.Order).ThenBy(p => p.i).Select(p => p.r)];
        for (int i = 0; i < ordered.Length; i++)
        {
            PolicyRule rule = ordered[i];
            string where = string.IsNullOrWhiteSpace(rule.Name) ? $"Rule #{i + 1}" : $"Rule '{rule.Name}'";
            if (string.IsNullOrWhiteSpace(rule.Name))
            {
                errors.Add($"{where} has no Name.");
            }
            else if (!names.Add(rule.Name))
            {
                errors.Add($"{where}: the name is used twice.");
            }

            if (string.IsNullOrWhiteSpace(rule.DiskLibrary))
            {
                errors.Add($"{where}: DiskLibrary is empty.");
            }
            else if (environment.DiskLibraries.Count > 0 && !environment.DiskLibraries.Contains(rule.DiskLibrary))
            {
                errors.Add($"{where}: DiskLibrary '{rule.DiskLibrary}' does not exist.");
            }

            if (rule.MaxMemberSize > rule.SmallFileThreshold)
            {
                errors.Add($"{where}: MaxMemberSize {rule.MaxMemberSize} exceeds SmallFileThreshold {rule.SmallFileThreshold}.");
            }

            CheckPositive(errors, where, "SmallFileThreshold", rule.SmallFileThreshold);
            CheckPositive(errors, where, "MaxMemberSize", rule.MaxMemberSize);
            CheckPositive(errors, where, "MaxFilesPerAggregation", rule.MaxFilesPerAggregation);
            CheckPositive(errors, where, "MaxBytes", rule.MaxBytes);
            CheckPositive(errors, where, "CopyCount", rule.CopyCount);
            if (rule.MaxWaitingTime <= TimeSpan.Zero)
            {
                errors.Add($"{where}: MaxWaitingTime must be positive, not {rule.MaxWaitingTime}.");
            }

            if (rule.Format == Model.AggregationPayloadFormat.None)
            {
                errors.Add($"{where}: Format must be Il or Tar (direct files are chosen by size routing).");
            }

            if (environment.TapePoolCapacities.Count > 0)
            {
                if (!environment.TapePoolCapacities.TryGetValue(rule.EffectiveTapePool, out long capacity))
                {
                    errors.Add($"{where}: TapePool '{rule.EffectiveTapePool}' does not exist.");
                }
                else if (rule.MaxBytes > capacity * environment.MaxBytesShareOfCartridge)
                {
                    errors.Add(string.Create(CultureInfo.InvariantCulture,
                        $"{where}: MaxBytes {rule.MaxBytes} exceeds {environment.MaxBytesShareOfCartridge:P0} of the smallest cartridge of pool '{rule.EffectiveTapePool}' ({capacity} bytes)."));
                }
            }

            bool patternsOk = true;
            foreach ((string attribute, string pattern) in rule.Match)
            {
                try
                {
                    _ = CompiledRule.Compile(pattern);
                }
                catch (ArgumentException e)
                {
                    patternsOk = false;
                    errors.Add($"{where}: the pattern of '{attribute}' does not compile: {e.Message}");
                }
            }

            if (patternsOk)
            {
                var candidate = new CompiledRule(rule, i);
                CompiledRule? twin = compiled.FirstOrDefault(c => SamePatterns(c.Rule, rule));
                if (twin is not null)
                {
                    warnings.Add($"{where} can never match: rule '{twin.Rule.Name}' comes first with identical patterns.");
                }

                compiled.Add(candidate);
            }
        }

        if (compiled.Count > 0 && !compiled[^1].IsCatchAll && errors.Count == 0)
        {
            errors.Add($"The last rule '{compiled[^1].Rule.Name}' is not a catch-all; a set must end with a rule without Match.");
        }

        if (errors.Count > 0)
        {
            throw new PolicyValidationException(errors);
        }

        return ([.. compiled], warnings);
    }

    private static bool SamePatterns(PolicyRule a, PolicyRule b) =>
        a.Match.Count == b.Match.Count && a.Match.All(p => b.Match.TryGetValue(p.Key, out string? v) && v == p.Value);

    private static void CheckPositive(List<string> errors, string where, string field, long value)
    {
        if (value <= 0)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{where}: {field} must be positive, not {value}."));
        }
    }
}
