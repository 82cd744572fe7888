using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;

namespace TapeKit.Campaign;

/// <summary>
/// Runs a campaign: the in-process cases one after the other (kinds in turn, seeds from the campaign's seed) and,
/// beside them, the kill series (waiting on a child process costs little CPU). Each case and series gets its own root.
/// </summary>
internal static class CampaignRun
{
    /// <summary>Runs what <paramref name="options"/> asks; <paramref name="progress"/> gets a line per case.</summary>
    public static async Task<CampaignSummary> RunAsync(CampaignOptions options, Action<string> progress, CancellationToken ct = default)
    {
        var wall = Stopwatch.StartNew();
        Directory.CreateDirectory(options.Root);
        List<CampaignFault> notRun = AreaMount.Available ? [] : [.. options.Kinds.Where(k => k is CampaignFault.CacheFull or CampaignFault.StageFull)];
        if (options.Replay is { } replay)
        {
            CaseResult one = await RunCaseAsync(options, replay.Kind, replay.Seed, progress, ct);
            return new CampaignSummary(options, [one], [], [], wall.Elapsed);
        }

        CampaignFault[] kinds = [.. options.Kinds.Where(k => k != CampaignFault.Kill && !notRun.Contains(k))];
        var master = new Random(options.Seed);
        var plan = Enumerable.Range(0, kinds.Length == 0 ? 0 : options.Cases).Select(i => (Kind: kinds[i % kinds.Length], Seed: master.Next(1, int.MaxValue))).ToList();
        var series = new List<KillSeriesResult>();
        Task killing = Task.Run(async () =>
        {
            for (int done = 0, n = 0; done < options.Kills; n++)
            {
                int kills = Math.Min(options.KillsPerSeries, options.Kills - done);
                int seed = (int)((options.Seed + (n * 7919L)) % int.MaxValue); // series 0 has the campaign's seed: a replay is one series
                string root = Path.Combine(options.Root, $"kill-{seed}");
                KillSeriesResult r = await KillSeries.RunAsync(seed, kills, root, _ => { }, ct);
                lock (series)
                {
                    series.Add(r);
                }

                progress($"kill series {n + 1}: {kills} kills, seed {seed}: {(r.Case.Failed ? "FAILED" : "ok")} ({string.Join("; ", r.Steps.Select(s => $"{s.Key} {s.Value}"))})");
                done += kills;
            }
        }, ct);

        // Cases are independent (a root, a site, a catalogue each): --parallel runs that many at once.
        using var slots = new SemaphoreSlim(options.Parallel);
        var cases = (await Task.WhenAll(plan.Select(async p =>
        {
            await slots.WaitAsync(ct);
            try
            {
                return await RunCaseAsync(options, p.Kind, p.Seed, progress, ct);
            }
            finally
            {
                slots.Release();
            }
        }))).ToList();

        await killing;
        cases.AddRange(series.Select(s => s.Case));
        return new CampaignSummary(options, cases, series, notRun, wall.Elapsed);
    }

    private static async Task<CaseResult> RunCaseAsync(CampaignOptions options, CampaignFault kind, int seed, Action<string> progress, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        CaseResult r = await SiteCase.RunAsync(kind, seed, Path.Combine(options.Root, $"{kind.Name()}-{seed}"), NullLoggerFactory.Instance, ct);
        progress($"{kind.Name()} seed {seed}: {r.Faults} faults, {r.Files} files, {(r.Failed ? "FAILED: " + r.Failures[0] : "ok")} ({clock.Elapsed.TotalSeconds:F1} s)");
        return r;
    }
}
