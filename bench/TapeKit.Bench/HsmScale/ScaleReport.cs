using System.Globalization;
using System.Text.Json;

namespace TapeKit.Bench.HsmScale;

/// <summary>Prints the results: one JSON array (<c>--json</c>), or a Markdown table with the done-when targets beside it.</summary>
internal static class ScaleReport
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase, WriteIndented = true };

    public static string ToJson(IReadOnlyList<ScaleResult> results) => JsonSerializer.Serialize(results, Json);

    public static string ToTable(IReadOnlyList<ScaleResult> results)
    {
        var rows = new (string Name, string Target, Func<ScaleResult, string> Value)[]
        {
            ("dispatcher round, idle (ms)", "≤ 20", r => Ms(r.TickIdleMs)),
            ("dispatcher round, 1 000 live lists (ms)", "≤ 20", r => Ms(r.TickLiveMs)),
            ("claim of a 1 000-file archive list (ms)", "≤ 2× 10^5", r => Ms(r.ClaimMs)),
            ("append of a file to a list (ms)", "≤ 2× 10^5", r => Ms(r.AppendMs)),
            ("commit of a 1 000-member aggregation (ms)", "≤ 2× 10^5", r => Ms(r.CommitMs)),
            ("recall planning round (ms)", "≤ 2 000", r => Ms(r.RecallPlanMs)),
            ("pending recalls planned", "100 000", r => r.PendingRecalls.ToString("N0", CultureInfo.InvariantCulture)),
            ("purge survey (ms)", "≤ 2× 10^5", r => Ms(r.PurgeSurveyMs)),
            ("hsm check (ms)", "≤ 2× 10^5", r => Ms(r.CheckMs)),
            ("hsm check violations", "0", r => r.Violations?.ToString(CultureInfo.InvariantCulture) ?? "not run"),
            ("ingest, durable (files/s)", "≥ 2 000", r => r.IngestFilesPerSecond.ToString("N0", CultureInfo.InvariantCulture)),
            ("catalogue bytes written per file", "≤ 16 384", r => r.BytesWrittenPerFile.ToString("N0", CultureInfo.InvariantCulture)),
            ("peak memory (MiB)", "≤ 1 024 at 10^7", r => (r.PeakMemoryBytes / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture)),
            ("bulk load (s)", "", r => r.LoadTime.TotalSeconds.ToString("N0", CultureInfo.InvariantCulture)),
            ("catalogue file (MiB)", "", r => (r.DatabaseBytes / (1024.0 * 1024)).ToString("N0", CultureInfo.InvariantCulture)),
        };
        var text = new System.Text.StringBuilder();
        text.Append("| files | target |");
        foreach (ScaleResult r in results)
        {
            text.Append(CultureInfo.InvariantCulture, $" {r.Files:N0} |");
        }

        text.AppendLine().Append("|---|---:|").Append(string.Concat(Enumerable.Repeat("---:|", results.Count))).AppendLine();
        foreach ((string name, string target, Func<ScaleResult, string> value) in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"| {name} | {target} |");
            foreach (ScaleResult r in results)
            {
                text.Append(CultureInfo.InvariantCulture, $" {value(r)} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private static string Ms(double? ms) => ms is { } value ? Ms(value) : "not run";

    private static string Ms(double ms) => ms.ToString(ms < 10 ? "N2" : "N0", CultureInfo.InvariantCulture);
}
