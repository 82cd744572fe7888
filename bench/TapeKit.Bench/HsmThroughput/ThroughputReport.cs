using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>The table (a row per part and provider, a column per worker count) or the JSON array of the figures.</summary>
internal static class ThroughputReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static string ToJson(IReadOnlyList<ThroughputResult> results) =>
        JsonSerializer.Serialize(results.Select(r => new { part = r.Part, provider = r.Provider, workers = r.Workers, runs = r.Runs.Select(Round), median = Round(r.Median) }),
            Indented);

    public static string ToTable(IReadOnlyList<ThroughputResult> results, IReadOnlyList<int> workers)
    {
        var sb = new StringBuilder();
        sb.Append("| figure | provider |");
        foreach (int w in workers)
        {
            sb.Append(CultureInfo.InvariantCulture, $" {w} worker{(w == 1 ? "" : "s")} |");
        }

        sb.AppendLine().Append("|---|---|").Append(string.Concat(workers.Select(_ => "---:|"))).AppendLine();
        foreach (IGrouping<(string Part, string Provider), ThroughputResult> row in results.GroupBy(r => (r.Part, r.Provider)))
        {
            string figure = row.Key.Part == "queue" ? "queue messages/s" : "file lifecycles/s";
            string provider = row.Key.Part == "lifecycle" && row.Key.Provider == ThroughputWorlds.RabbitMq ? "postgres catalogue + rabbitmq" : row.Key.Provider;
            sb.Append(CultureInfo.InvariantCulture, $"| {figure} | {provider} |");
            foreach (int w in workers)
            {
                ThroughputResult? r = row.FirstOrDefault(x => x.Workers == w);
                sb.Append(r is null ? " — |" : string.Create(CultureInfo.InvariantCulture, $" {r.Median:N0} ({string.Join(" / ", r.Runs.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)))}) |"));
            }

            sb.AppendLine();
        }

        return sb.ToString();
    }

    private static double Round(double x) => Math.Round(x, 1);
}
