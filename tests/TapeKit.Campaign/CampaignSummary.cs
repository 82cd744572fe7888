using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TapeKit.Campaign;

/// <summary>The campaign's figures: a row per fault kind, the totals, which steps the kills hit, and every failure with its replay command.</summary>
internal sealed class CampaignSummary(CampaignOptions options, IReadOnlyList<CaseResult> cases, IReadOnlyList<KillSeriesResult> series, IReadOnlyList<CampaignFault> notRun, TimeSpan wall)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Cases (and kill series) that failed.</summary>
    public IEnumerable<CaseResult> Failures => cases.Where(c => c.Failed);

    /// <summary>The rows: one per kind that ran, then the totals.</summary>
    public IReadOnlyList<Row> Rows()
    {
        var rows = cases.GroupBy(c => c.Kind).OrderBy(g => g.Key).Select(g => Row.Of(g.Key.Name(), [.. g])).ToList();
        rows.Add(Row.Of("total", cases));
        return rows;
    }

    /// <summary>The summary as text: the table, the kills' steps, failures with their replay commands.</summary>
    public string ToText()
    {
        var s = new StringBuilder();
        s.AppendLine(Invariant($"campaign seed {options.Seed}: {cases.Count(c => c.Kind != CampaignFault.Kill)} in-process cases, {cases.Where(c => c.Kind == CampaignFault.Kill).Sum(c => c.Faults)} kills in {series.Count} series, {wall.TotalMinutes:F1} min"));
        s.AppendLine();
        s.AppendLine("| kind | cases | faults | fault seen | files | lost | duplicated | failed | recovery p50 | recovery max |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (Row r in Rows())
        {
            s.AppendLine(Invariant($"| {r.Kind} | {r.Cases} | {r.Faults} | {r.FaultSeen} | {r.Files} | {r.Lost} | {r.Duplicated} | {r.Failed} | {Seconds(r.RecoveryP50)} | {Seconds(r.RecoveryMax)} |"));
        }

        foreach (CampaignFault k in notRun)
        {
            s.AppendLine($"| {k.Name()} | not run: the campaign could not get a mount namespace of its own (unshare -rm) for its small areas | | | | | | | | |");
        }

        if (series.Count > 0)
        {
            s.AppendLine();
            s.AppendLine("Kills by the step they interrupted (read from the catalogue right after each kill; one kill can interrupt several):");
            s.AppendLine();
            s.AppendLine("| step | kills |");
            s.AppendLine("|---|---:|");
            foreach (var step in Steps())
            {
                s.AppendLine(Invariant($"| {step.Key} | {step.Value} |"));
            }
        }

        s.AppendLine();
        if (!Failures.Any())
        {
            s.AppendLine("No case failed.");
        }

        foreach (CaseResult f in Failures)
        {
            s.AppendLine(Invariant($"FAILED {f.Kind.Name()} seed {f.Seed}: replay with `{f.ReplayCommand}`"));
            foreach (string line in f.Failures.Take(8))
            {
                s.AppendLine("  - " + line.Replace("\n", "\n    ", StringComparison.Ordinal));
            }
        }

        return s.ToString();
    }

    /// <summary>The summary as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(new
    {
        seed = options.Seed,
        wallSeconds = Math.Round(wall.TotalSeconds, 1),
        rows = Rows(),
        notRun = notRun.Select(k => k.Name()),
        killSteps = Steps(),
        failures = Failures.Select(f => new { kind = f.Kind.Name(), seed = f.Seed, replay = f.ReplayCommand, checks = f.Failures }),
    }, Indented);

    private SortedDictionary<string, int> Steps()
    {
        var steps = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var step in series.SelectMany(s => s.Steps))
        {
            steps[step.Key] = steps.GetValueOrDefault(step.Key) + step.Value;
        }

        return steps;
    }

    private static string Seconds(double? s) => s is double v ? v.ToString("F1", CultureInfo.InvariantCulture) + " s" : "-";

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    /// <summary>One row of the table.</summary>
    internal sealed record Row(string Kind, int Cases, int Faults, int FaultSeen, int Files, int Lost, int Duplicated, int Failed, double? RecoveryP50, double? RecoveryMax)
    {
        public static Row Of(string kind, IReadOnlyList<CaseResult> cases)
        {
            double[] recoveries = [.. cases.Select(c => c.RecoverySeconds).OfType<double>().Order()];
            return new Row(kind, cases.Count, cases.Sum(c => c.Faults), cases.Count(c => c.FaultSeen), cases.Sum(c => c.Files), cases.Sum(c => c.Lost),
                cases.Sum(c => c.Duplicated), cases.Count(c => c.Failed),
                recoveries.Length == 0 ? null : Math.Round(recoveries[recoveries.Length / 2], 2), recoveries.Length == 0 ? null : Math.Round(recoveries[^1], 2));
        }
    }
}
