using System.Diagnostics;
using System.Globalization;
using TapeKit.Campaign.Crash;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples.Crash;

/// <summary>
/// The reference host through crashes, as an OS process: the SmallFilesCache daemon is killed with SIGKILL at seeded
/// random moments while files arrive in its inbox and recall lists, and restarted each time. Every restart must finish
/// its predecessor's interrupted work (files being ingested or archived when it died) within 30 s; in the end every file
/// is archived once per required copy, none is set aside under <c>rejected/</c>, and after a purge every file comes back
/// byte for byte. <c>TAPEKIT_CRASH_KILLS</c> sets the kill count (default 8, CI's slice), <c>TAPEKIT_CRASH_SEED</c> replays a run.
/// </summary>
public sealed class SmallFilesCacheCrashTests(ITestOutputHelper output)
{
    private static readonly TimeSpan RecoveryLimit = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task A_daemon_killed_at_random_moments_archives_every_file_once_rejects_none_and_recalls_every_byte()
    {
        int kills = Setting("TAPEKIT_CRASH_KILLS") ?? 8;
        int seed = Setting("TAPEKIT_CRASH_SEED") ?? Random.Shared.Next(1, int.MaxValue);
        output.WriteLine($"seed {seed} (replay: TAPEKIT_CRASH_SEED={seed}), kills {kills}");
        var random = new Random(seed);
        var workload = new CrashWorkload(seed, Math.Max(64, kills * 8));
        string root = Path.Combine(Path.GetTempPath(), $"tapekit-crash-{seed}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root);
        var probe = new SiteProbe(Path.Combine(root, "catalogue.db"));
        var recoveries = new List<double>();
        int next = 0;
        HashSet<long> interrupted = [];
        int midStep = 0, activeLists = 0;

        CrashSiteSettings.Write(root, CrashPhase.Archive);
        for (int k = 0; k <= kills; k++)
        {
            var sinceStart = Stopwatch.StartNew();
            using DaemonProcess daemon = DaemonProcess.Start(root, Path.Combine(root, $"daemon-{k:D3}.log"));

            // A quarter of the restarts are killed again before they can finish (a crash during recovery); the rest are
            // timed until their predecessors' interrupted work is archived. The last start is always timed.
            if (k == kills || random.Next(4) != 0)
            {
                await WaitAsync(daemon, root, () => probe.AllArchived(interrupted), RecoveryLimit, $"start {k}: predecessors' interrupted work ({interrupted.Count} files)");
                if (interrupted.Count > 0)
                {
                    recoveries.Add(sinceStart.Elapsed.TotalSeconds);
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"start {k}: {interrupted.Count} unfinished files of its predecessors archived {sinceStart.Elapsed.TotalSeconds:F1} s after start"));
                }

                interrupted = [];
            }

            if (k == kills)
            {
                for (; next < workload.Count; next++)
                {
                    workload.Drop(root, next);
                }

                await WaitAsync(daemon, root, () => probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]) && probe.Files().Count == workload.Count,
                    TimeSpan.FromMinutes(3), "every file archived");
                break;
            }

            int batch = Math.Min(workload.Count - next, (workload.Count / kills) + random.Next(-3, 4));
            for (int i = 0; i < batch; i++, next++)
            {
                workload.Drop(root, next);
            }

            if (next > 0 && random.Next(3) == 0)
            {
                CrashWorkload.RequestRecalls(root, $"recall-{k:D3}", Enumerable.Range(0, 5).Select(_ => random.Next(next)));
            }

            string moment = await KillMomentAsync(probe, random);
            daemon.Kill();
            HashSet<long> unfinished = probe.UnfinishedWork();
            (int filesMidStep, int lists) = (probe.FilesMidStep(), probe.ActiveLists());
            output.WriteLine($"kill {k + 1} ({moment}, {sinceStart.Elapsed.TotalSeconds:F1} s after start): {unfinished.Count} files unfinished, {filesMidStep} mid-step, {lists} lists active");
            interrupted.UnionWith(unfinished);
            midStep += filesMidStep;
            activeLists += lists;
        }

        Dictionary<string, (long Id, string Cache, string Archive)> files = probe.Files();
        Dictionary<long, (int Copies, int DistinctCopyNumbers)> copies = probe.TapeCopies();
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
        CrashSiteSettings.Write(root, CrashPhase.Purge);
        using (DaemonProcess purger = DaemonProcess.Start(root, Path.Combine(root, "daemon-purge.log")))
        {
            await WaitAsync(purger, root, () => probe.Files().Values.All(f => f.Cache == "PURGED"), TimeSpan.FromMinutes(2), "every file purged");
        }

        CrashSiteSettings.Write(root, CrashPhase.Recall);
        int recalled = 0;
        using (DaemonProcess recaller = DaemonProcess.Start(root, Path.Combine(root, "daemon-recall.log")))
        {
            CrashWorkload.RequestRecalls(root, "recall-all", Enumerable.Range(0, workload.Count));
            await WaitAsync(recaller, root, () => probe.Files().Values.All(f => f.Cache == "CACHED"), TimeSpan.FromMinutes(3), "every file recalled");
            for (int i = 0; i < workload.Count; i++)
            {
                string cached = Path.Combine(root, "cache", CrashWorkload.DiskLibraryOf(i), CrashWorkload.PathOf(i));
                recalled += File.Exists(cached) && File.ReadAllBytes(cached).AsSpan().SequenceEqual(workload.ContentOf(i)) ? 1 : 0;
            }
        }

        double maxRecovery = recoveries.Count == 0 ? 0 : recoveries.Max();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"kills {kills}, files {workload.Count}, archived {archived}, duplicates {duplicates}, missing copies {missingCopies}, rejected {rejected}, recalled {recalled}, files mid-step at kills {midStep}, active lists at kills {activeLists}, timed recoveries {recoveries.Count}, max recovery {maxRecovery:F1} s"));
        Assert.True(midStep + activeLists > 0, "No kill interrupted any work: the run proved nothing about recovery.");
        Assert.Equal(workload.Count, archived);
        Assert.Equal(0, duplicates);
        Assert.Equal(0, missingCopies);
        Assert.Equal(0, rejected);
        Assert.Equal(workload.Count, recalled);
        Assert.InRange(maxRecovery, 0, RecoveryLimit.TotalSeconds);
        Directory.Delete(root, recursive: true);
    }

    /// <summary>
    /// Waits for the moment to kill and names it: any time in the next three seconds, or — because a step takes
    /// milliseconds and a random instant rarely hits one — the instant a list is being carried out, or a file is
    /// mid-ingest or mid-archive (polled as fast as the catalogue answers).
    /// </summary>
    private static async Task<string> KillMomentAsync(SiteProbe probe, Random random)
    {
        (string name, Func<bool>? moment) = random.Next(3) switch
        {
            0 => ("random instant", (Func<bool>?)null),
            1 => ("list active", () => probe.ActiveLists() > 0),
            _ => ("file mid-step", () => probe.FilesMidStep() > 0),
        };
        if (moment is null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(300 + random.Next(2700)));
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

    private static int? Setting(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;

    /// <summary>Polls until <paramref name="done"/>; a daemon that exits on its own or a timeout fails with its log's tail.</summary>
    private static async Task WaitAsync(DaemonProcess daemon, string root, Func<bool> done, TimeSpan limit, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (!daemon.Running || clock.Elapsed > limit)
            {
                string log = Directory.EnumerateFiles(root, "daemon-*.log").OrderBy(File.GetLastWriteTimeUtc).Last();
                string tail = string.Join('\n', File.ReadLines(log).TakeLast(30));
                Assert.Fail($"{what}: {(daemon.Running ? $"not done after {limit.TotalSeconds:F0} s" : "the daemon exited on its own")} (site {root}).\n{tail}");
            }

            await Task.Delay(100);
        }
    }
}
