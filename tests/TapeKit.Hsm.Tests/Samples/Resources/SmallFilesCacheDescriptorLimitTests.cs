using System.Diagnostics;
using TapeKit.Campaign.Crash;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples.Resources;

/// <summary>
/// An exhausted descriptor table, for real (issue 13, point 4): the SmallFilesCache daemon runs as an OS process under
/// a low <c>RLIMIT_NOFILE</c> (<c>prlimit --nofile=N:N</c>, soft and hard alike, so the runtime cannot raise it), with
/// more inbox files than it has descriptors left. N is measured, not guessed: the most descriptors the same daemon holds
/// while it ingests and archives a few files at a normal limit, plus a small headroom. The daemon must keep running,
/// acknowledge no file that is not durable, refuse none, and get every file in under the limit; a restart at a normal
/// limit then purges and recalls every file byte-identical. By default it sizes its batches to what the limit leaves
/// and never runs out; with that sizing off, it runs out, says why and hands files back (the fallback).
/// </summary>
public sealed class SmallFilesCacheDescriptorLimitTests(ITestOutputHelper output)
{
    private const int FilesBefore = 8;

    /// <summary>Descriptors above the measured peak: room for what sampling may miss, far fewer than the inbox holds.</summary>
    private const int Headroom = 24;

    [SkippableFact]
    public async Task A_daemon_out_of_descriptors_says_why_loses_and_half_ingests_nothing_and_gets_every_file_in()
    {
        // The fallback for a table that fills anyway: batches not sized to the limit, so the first round's batch takes
        // every descriptor the limit leaves.
        (string root, CrashWorkload workload, SiteProbe probe, int peak) = await MeasuredSiteAsync();
        int limit = peak + Headroom;
        string log = Path.Combine(root, "daemon-001.log");
        var failures = new List<string>();
        using (DaemonProcess daemon = StartUnderLimit(root, workload, log, limit, ["env", "Site__IngestBatchesFitDescriptorLimit=false"]))
        {
            Assert.True(await DaemonWait.UntilAsync(daemon, root, () => DaemonLog.Lines(log, "no file descriptor left").Length > 0,
                TimeSpan.FromSeconds(60), "the exhausted descriptor table reported in the daemon's log", failures), string.Join('\n', failures));
            Assert.True(SiteOutcome.InboxOrDurable(root, workload, probe, FilesBefore) > 0, "No file waited in the inbox: the limit refused nothing.");
            await EveryFileArchivedAsync(daemon, root, workload, probe, log, limit);
            string[] reasons = DaemonLog.Lines(log, "no file descriptor left");
            output.WriteLine($"{reasons.Length} lines name the exhausted descriptor table; first: {reasons[0]}");
        }

        await AllBackAtANormalLimitAsync(root, workload, probe);
    }

    [SkippableFact]
    public async Task A_daemon_at_a_limit_just_above_its_peak_sizes_its_batches_to_it_and_gets_every_file_in_without_running_out()
    {
        // Four descriptors above the measured peak: where batches of 256 files made the runtime abort the process.
        (string root, CrashWorkload workload, SiteProbe probe, int peak) = await MeasuredSiteAsync();
        int limit = peak + 4;
        string log = Path.Combine(root, "daemon-001.log");
        using (DaemonProcess daemon = StartUnderLimit(root, workload, log, limit, []))
        {
            await EveryFileArchivedAsync(daemon, root, workload, probe, log, limit);
            string[] limited = DaemonLog.Lines(log, "Ingest batches hold at most");
            output.WriteLine($"{limited.Length} rounds with smaller batches; first: {(limited.Length > 0 ? limited[0] : "none")}");
            Assert.Empty(DaemonLog.Lines(log, "no file descriptor left"));
            Assert.NotEmpty(limited);
        }

        await AllBackAtANormalLimitAsync(root, workload, probe);
    }

    /// <summary>A site whose daemon ingested and archived a few files at a normal limit, its open descriptors counted meanwhile.</summary>
    private async Task<(string Root, CrashWorkload Workload, SiteProbe Probe, int Peak)> MeasuredSiteAsync()
    {
        MachineTools.Require(PrlimitMissing());
        int seed = Random.Shared.Next(1, int.MaxValue);
        string root = Path.Combine(Path.GetTempPath(), $"tapekit-nofile-{Guid.NewGuid():N}"[..32]);
        output.WriteLine($"seed {seed}, site {root}");
        Directory.CreateDirectory(root);
        var workload = new CrashWorkload(seed, FilesBefore + 80, maxSize: 32 * 1024);
        var probe = new SiteProbe(Path.Combine(root, "catalogue.db"));
        var failures = new List<string>();
        CrashSiteSettings.Write(root, CrashPhase.Archive);
        int peak = 0;
        using (DaemonProcess daemon = DaemonProcess.Start(root, Path.Combine(root, "daemon-000.log")))
        {
            Assert.True(await DaemonLog.StartedAsync(daemon, root, Path.Combine(root, "daemon-000.log"), failures), string.Join('\n', failures));
            for (int i = 0; i < FilesBefore; i++)
            {
                workload.Drop(root, i);
            }

            Assert.True(await DaemonWait.UntilAsync(daemon, root, () =>
            {
                peak = Math.Max(peak, OpenDescriptors(daemon.Id));
                return probe.Files().Count == FilesBefore && probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]);
            }, TimeSpan.FromSeconds(60), "the first files archived", failures), string.Join('\n', failures));
        }

        return (root, workload, probe, peak);
    }

    /// <summary>Every other file at once, then the daemon under the limit: the first round's batch would hold all of them open.</summary>
    private DaemonProcess StartUnderLimit(string root, CrashWorkload workload, string log, int limit, string[] environment)
    {
        output.WriteLine($"limit {limit}; {workload.Count - FilesBefore} files in the inbox");
        for (int i = FilesBefore; i < workload.Count; i++)
        {
            workload.Drop(root, i);
        }

        return DaemonProcess.Start(root, log, [.. environment, "prlimit", $"--nofile={limit}:{limit}", "--"]);
    }

    /// <summary>The daemon keeps running under the limit, acknowledges nothing that is not durable, sets nothing aside, and archives every file.</summary>
    private async Task EveryFileArchivedAsync(DaemonProcess daemon, string root, CrashWorkload workload, SiteProbe probe, string log, int limit)
    {
        var failures = new List<string>();
        bool done = await DaemonWait.UntilAsync(daemon, root, () =>
        {
            _ = SiteOutcome.InboxOrDurable(root, workload, probe, FilesBefore);
            return probe.Files().Count == workload.Count && probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]);
        }, TimeSpan.FromSeconds(90), $"every file archived under a limit of {limit} descriptors", failures);
        output.WriteLine($"{DaemonLog.Lines(log, "A round of the site loop failed").Length} rounds failed");
        Assert.True(done, string.Join('\n', failures) + "\n" + DaemonLog.Tail(log));
        Assert.True(daemon.Running, "The daemon exited under the limit.\n" + DaemonLog.Tail(log));
        Assert.False(Directory.Exists(Path.Combine(root, "rejected")), "Files were set aside under rejected/ under the limit.");
    }

    /// <summary>At a normal limit again: every file archived once, and back byte-identical after a purge.</summary>
    private static async Task AllBackAtANormalLimitAsync(string root, CrashWorkload workload, SiteProbe probe)
    {
        List<string> failures = await SiteOutcome.CheckAsync(root, workload, probe, l => DaemonProcess.Start(root, l));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Directory.Delete(root, recursive: true);
    }

    /// <summary>How many descriptors the process has open now (its <c>/proc/PID/fd</c>); 0 once it is gone.</summary>
    private static int OpenDescriptors(int pid)
    {
        try
        {
            return Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    private static string? PrlimitMissing()
    {
        try
        {
            using Process p = Process.Start(new ProcessStartInfo("prlimit", ["--nofile=64:64", "--", "true"]) { RedirectStandardError = true })!;
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"prlimit --nofile failed here (exit {p.ExitCode}): the daemon cannot be run under a descriptor limit";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "prlimit (util-linux) is not installed: the daemon cannot be run under a descriptor limit";
        }
    }
}
