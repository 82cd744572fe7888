using System.Diagnostics;

namespace TapeKit.Campaign.Crash;

/// <summary>Waits on a daemon started as an OS process for what the catalogue shows.</summary>
internal static class DaemonWait
{
    /// <summary>Polls until <paramref name="done"/>; a daemon that exits on its own or a timeout adds a failure with its log's tail.</summary>
    /// <param name="daemon">The daemon.</param>
    /// <param name="root">The site directory holding the daemon's logs (<c>daemon-*.log</c>).</param>
    /// <param name="done">What is waited for.</param>
    /// <param name="limit">How long at most.</param>
    /// <param name="what">What is waited for, for the failure.</param>
    /// <param name="failures">Where a failure goes.</param>
    /// <param name="ct">Cancels the wait.</param>
    public static async Task<bool> UntilAsync(DaemonProcess daemon, string root, Func<bool> done, TimeSpan limit, string what, List<string> failures, CancellationToken ct = default)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (!daemon.Running || clock.Elapsed > limit)
            {
                string log = Directory.EnumerateFiles(root, "daemon-*.log").OrderBy(File.GetLastWriteTimeUtc).Last();
                string tail = string.Join('\n', File.ReadLines(log).TakeLast(15));
                failures.Add($"{what}: {(daemon.Running ? $"not done after {limit.TotalSeconds:F0} s" : "the daemon exited on its own")} (site {root}).\n{tail}");
                return false;
            }

            await Task.Delay(100, ct);
        }

        return true;
    }

    /// <summary>
    /// The end of a crash or resource test: a daemon purges every cached copy, another recalls every file, and each
    /// recalled copy is compared with what <paramref name="workload"/> generated.
    /// </summary>
    /// <param name="root">The site.</param>
    /// <param name="workload">The files sent.</param>
    /// <param name="probe">The site's catalogue.</param>
    /// <param name="start">Starts a daemon with the settings written, logging to the path given.</param>
    /// <param name="failures">Where a purge or recall that does not finish is reported.</param>
    /// <param name="catalogueFile">The catalogue's file, as the settings name it (empty: under the root).</param>
    /// <param name="ct">Cancels the check.</param>
    /// <returns>How many files came back byte-identical.</returns>
    public static async Task<int> PurgeAndRecallAllAsync(
        string root, CrashWorkload workload, SiteProbe probe, Func<string, DaemonProcess> start, List<string> failures, string catalogueFile = "", CancellationToken ct = default)
    {
        CrashSiteSettings.Write(root, CrashPhase.Purge, catalogueFile: catalogueFile);
        using (DaemonProcess purger = start(Path.Combine(root, "daemon-purge.log")))
        {
            _ = await UntilAsync(purger, root, () => probe.Files().Values.All(f => f.Cache == "PURGED"), TimeSpan.FromMinutes(2), "every file purged", failures, ct);
        }

        CrashSiteSettings.Write(root, CrashPhase.Recall, catalogueFile: catalogueFile);
        using DaemonProcess recaller = start(Path.Combine(root, "daemon-recall.log"));
        CrashWorkload.RequestRecalls(root, "recall-all", Enumerable.Range(0, workload.Count));
        _ = await UntilAsync(recaller, root, () => probe.Files().Values.All(f => f.Cache == "CACHED"), TimeSpan.FromMinutes(3), "every file recalled", failures, ct);
        int recalled = 0;
        for (int i = 0; i < workload.Count; i++)
        {
            string cached = Path.Combine(root, "cache", CrashWorkload.DiskLibraryOf(i), CrashWorkload.PathOf(i));
            recalled += File.Exists(cached) && File.ReadAllBytes(cached).AsSpan().SequenceEqual(workload.ContentOf(i)) ? 1 : 0;
        }

        return recalled;
    }
}
