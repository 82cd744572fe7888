using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>
/// Evaluates a candidate policy set over catalogue files without changing anything (docs/hsm/overview.md#policies, "dry-run")
/// and reports, per candidate rule, how many files would change disk library, key, strategy or limits.
/// </summary>
public static class PolicyDryRun
{
    /// <summary>Compares each file's stored decision with the candidate's decision.</summary>
    /// <param name="candidate">The compiled candidate set.</param>
    /// <param name="files">The files to evaluate (by default the host passes those not yet archived).</param>
    /// <param name="samplesPerRule">How many example file ids to keep per rule.</param>
    /// <param name="ct">Cancels the enumeration.</param>
    public static async ValueTask<PolicyDiff> CompareAsync(
        IPolicySelector candidate, IAsyncEnumerable<FileRecord> files, int samplesPerRule = 5, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(files);
        var perRule = new Dictionary<string, RuleDiffBuilder>(StringComparer.Ordinal);
        int total = 0;
        await foreach (FileRecord file in files.WithCancellation(ct))
        {
            total++;
            PolicyDecision next = candidate.Decide(file.Attributes with { Size = file.Size });
            PolicyDecision old = file.Decision;
            if (!perRule.TryGetValue(next.RuleName, out RuleDiffBuilder? b))
            {
                perRule[next.RuleName] = b = new RuleDiffBuilder();
            }

            b.Files++;
            bool changed = false;
            if (old.DiskLibrary != next.DiskLibrary) { b.DiskLibrary++; changed = true; }
            if (old.PolicyKey != next.PolicyKey) { b.Key++; changed = true; }
            if (old.Strategy != next.Strategy || old.Format != next.Format) { b.Strategy++; changed = true; }
            if (old.Limits != next.Limits) { b.Limits++; changed = true; }
            if (changed && b.Samples.Count < samplesPerRule)
            {
                b.Samples.Add(file.FileId);
            }
        }

        return new PolicyDiff(candidate.Version, total,
            perRule.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new RuleDiff(p.Key, p.Value.Files, p.Value.DiskLibrary, p.Value.Key, p.Value.Strategy, p.Value.Limits, p.Value.Samples))
                .ToArray());
    }

    private sealed class RuleDiffBuilder
    {
        public int Files;
        public int DiskLibrary;
        public int Key;
        public int Strategy;
        public int Limits;
        public List<long> Samples { get; } = [];
    }
}

/// <summary>The result of a dry run.</summary>
/// <param name="CandidateVersion">The candidate set's version.</param>
/// <param name="FilesEvaluated">How many files were evaluated.</param>
/// <param name="Rules">Per candidate rule that matched at least one file.</param>
public sealed record PolicyDiff(int CandidateVersion, int FilesEvaluated, IReadOnlyList<RuleDiff> Rules);

/// <summary>What a candidate rule would change.</summary>
/// <param name="Rule">The candidate rule.</param>
/// <param name="Files">Files it would decide.</param>
/// <param name="DiskLibraryChanges">Files whose disk library would change.</param>
/// <param name="KeyChanges">Files whose policy key would change.</param>
/// <param name="StrategyChanges">Files whose strategy or format would change.</param>
/// <param name="LimitChanges">Files whose list limits would change.</param>
/// <param name="SampleFileIds">Example files with a change.</param>
public sealed record RuleDiff(string Rule, int Files, int DiskLibraryChanges, int KeyChanges, int StrategyChanges, int LimitChanges, IReadOnlyList<long> SampleFileIds);
