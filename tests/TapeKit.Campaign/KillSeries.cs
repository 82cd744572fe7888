using System.Diagnostics;
using System.Globalization;
using TapeKit.Campaign.Crash;

namespace TapeKit.Campaign;

/// <summary>What a kill series did and found, beyond its <see cref="CaseResult"/>.</summary>
/// <param name="Case">The series as a case: kind <see cref="CampaignFault.Kill"/>, faults = kills.</param>
/// <param name="Steps">How many kills interrupted each step (a kill may interrupt several at once).</param>
/// <param name="FilesMidStep">Files caught mid-ingest or mid-archive, summed over the kills.</param>
/// <param name="ActiveLists">Lists being carried out, summed over the kills.</param>
/// <param name="Recoveries">Seconds from each timed restart until its predecessors' interrupted work was archived.</param>
/// <param name="Rejected">Inbox files set aside under <c>rejected/</c>.</param>
/// <param name="MissingCopies">Archived files with fewer committed copies than required.</param>
/// <param name="Recalled">Files recalled byte-identical after the purge of everything.</param>
internal sealed record KillSeriesResult(CaseResult Case, IReadOnlyDictionary<string, int> Steps, int FilesMidStep, int ActiveLists,
    IReadOnlyList<double> Recoveries, int Rejected, int MissingCopies, int Recalled);

/// <summary>
/// The site through SIGKILLs, as an OS process: the SmallFilesCache daemon is killed at seeded moments while files arrive
/// in its inbox and recall lists, and restarted each time. The moments aim at every step: a random instant, a list being
/// carried out, a file mid-ingest or mid-archive, an aggregation being built or written, a purge (one start in four runs
/// with purge settings). Every restart not killed again at once must finish its predecessors' interrupted work within
/// <see cref="RecoveryLimit"/>; in the end every file is archived once per required copy, none is set aside, and after a
/// purge every file comes back byte for byte.
/// </summary>
internal static class KillSeries
{
    /// <summary>
    /// How long a restart may take to finish its predecessors' interrupted work: the daemon's start, then a list a
    /// migrator answered busy (no drive granted within a poll interval) waits the migrator's <c>BusyRetryAfter</c>
    /// (30 s) before it is sent again, then a poll and the archive itself.
    /// </summary>
    public static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(60);

    /// <summary>Runs <paramref name="kills"/> kills from <paramref name="seed"/> in <paramref name="root"/> (removed when the series passes).</summary>
    public static async Task<KillSeriesResult> RunAsync(int seed, int kills, string root, Action<string> log, CancellationToken ct = default)
    {
        var random = new Random(seed);
        var workload = new CrashWorkload(seed, Math.Max(64, kills * 4), maxSize: 96 * 1024);
        CaseRoot.Fresh(root);
        var probe = new SiteProbe(Path.Combine(root, "catalogue.db"));
        var recoveries = new List<double>();
        var steps = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        int next = 0, midStep = 0, activeLists = 0, killed = 0;
        HashSet<long> interrupted = [];

        bool stopped = false;
        for (int k = 0; k <= kills && !stopped; k++)
        {
            CrashSiteSettings.Write(root, k < kills && random.Next(4) == 0 ? CrashPhase.Purge : CrashPhase.Archive);
            var sinceStart = Stopwatch.StartNew();
            using DaemonProcess daemon = DaemonProcess.Start(root, Path.Combine(root, $"daemon-{k:D3}.log"));

            // A quarter of the restarts are killed again before they can finish (a crash during recovery); the rest are
            // timed until their predecessors' interrupted work is archived. The last start is always timed.
            if (k == kills || random.Next(4) != 0)
            {
                // A recovery over the limit is a failure; the series goes on (the work may still finish), a daemon that exits does not.
                if (!await DaemonWait.UntilAsync(daemon, root, () => probe.AllArchived(interrupted), RecoveryLimit, $"start {k}: predecessors' interrupted work ({interrupted.Count} files)", failures, ct)
                    && !daemon.Running)
                {
                    stopped = true;
                    break;
                }

                if (interrupted.Count > 0)
                {
                    recoveries.Add(sinceStart.Elapsed.TotalSeconds);
                }

                interrupted = [];
            }

            if (k == kills)
            {
                for (; next < workload.Count; next++)
                {
                    workload.Drop(root, next);
                }

                _ = await DaemonWait.UntilAsync(daemon, root, () => probe.Files().Count == workload.Count && probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]),
                    TimeSpan.FromMinutes(3), "every file archived", failures, ct);
                break;
            }

            int batch = Math.Min(workload.Count - next, Math.Max(0, (workload.Count / kills) + random.Next(-2, 4)));
            for (int i = 0; i < batch; i++, next++)
            {
                workload.Drop(root, next);
            }

            if (next > 0 && random.Next(3) == 0)
            {
                CrashWorkload.RequestRecalls(root, $"recall-{k:D3}", Enumerable.Range(0, 5).Select(_ => random.Next(next)));
            }

            string moment = await KillMomentAsync(probe, random, ct);
            daemon.Kill();
            killed++;
            HashSet<long> unfinished = probe.UnfinishedWork();
            (int filesMidStep, int lists) = (probe.FilesMidStep(), probe.ActiveLists());
            List<string> hit = probe.InterruptedSteps();
            foreach (string step in hit)
            {
                steps[step] = steps.GetValueOrDefault(step) + 1;
            }

            log(string.Create(CultureInfo.InvariantCulture, $"kill {k + 1} ({moment}, {sinceStart.Elapsed.TotalSeconds:F1} s after start): {string.Join(", ", hit)}; {unfinished.Count} files unfinished"));
            interrupted.UnionWith(unfinished);
            midStep += filesMidStep;
            activeLists += lists;
        }

        var files = probe.Files();
        var copies = probe.TapeCopies();
        int archived = 0, duplicates = probe.DuplicateRows(), missingCopies = 0;
        for (int i = 0; i < workload.Count; i++)
        {
            if (!files.TryGetValue("/" + CrashWorkload.PathOf(i), out var f) || f.Archive != "ARCHIVED")
            {
                continue;
            }

            archived++;
            (int n, int distinct) = copies.GetValueOrDefault(f.Id);
            duplicates += Math.Max(0, n - CrashWorkload.CopiesOf(i));
            missingCopies += n < CrashWorkload.CopiesOf(i) || distinct != n ? 1 : 0;
        }

        string rejectedDir = Path.Combine(root, "rejected");
        int rejected = Directory.Exists(rejectedDir) ? Directory.EnumerateFiles(rejectedDir, "*", SearchOption.AllDirectories).Count() : 0;
        // Purge everything, then recall everything and compare with what was generated.
        int recalled = stopped ? 0 : await DaemonWait.PurgeAndRecallAllAsync(root, workload, probe, log => DaemonProcess.Start(root, log), failures, ct: ct);

        int lost = workload.Count - Math.Min(archived, recalled);
        if (archived < workload.Count)
        {
            failures.Add($"{workload.Count - archived} of {workload.Count} files not archived.");
        }

        if (recalled < workload.Count)
        {
            failures.Add($"{workload.Count - recalled} of {workload.Count} files did not come back byte-identical.");
        }

        if (duplicates > 0 || missingCopies > 0 || rejected > 0)
        {
            failures.Add($"{duplicates} extra copies or rows, {missingCopies} files missing copies, {rejected} files set aside under rejected/.");
        }

        var result = new CaseResult(CampaignFault.Kill, seed, killed, workload.Count, lost, duplicates, recoveries.Count == 0 ? null : recoveries.Max(),
            midStep + activeLists > 0, failures, kills);
        if (!result.Failed)
        {
            Directory.Delete(root, recursive: true);
        }

        return new KillSeriesResult(result, steps, midStep, activeLists, recoveries, rejected, missingCopies, recalled);
    }

    /// <summary>
    /// Waits for the moment to kill and names it: any time in the next three seconds, or — because a step takes
    /// milliseconds and a random instant rarely hits one — the instant the catalogue shows a list being carried out,
    /// a file mid-step, an aggregation being built or written, or a purge (polled as fast as the catalogue answers).
    /// </summary>
    private static async Task<string> KillMomentAsync(SiteProbe probe, Random random, CancellationToken ct)
    {
        (string name, Func<bool>? moment) = random.Next(5) switch
        {
            0 => ("random instant", (Func<bool>?)null),
            1 => ("list active", () => probe.ActiveLists() > 0),
            2 => ("file mid-step", () => probe.FilesMidStep() > 0),
            3 => ("aggregation being written", probe.Writing),
            _ => ("purge", probe.Purging),
        };
        if (moment is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300 + random.Next(2700)), ct);
            return name;
        }

        var clock = Stopwatch.StartNew();
        while (!moment())
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(6))
            {
                return name + " (not seen)";
            }

            await Task.Yield();
        }

        return name;
    }
}
