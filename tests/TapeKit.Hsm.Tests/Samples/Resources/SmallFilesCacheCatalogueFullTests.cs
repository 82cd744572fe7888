using TapeKit.Campaign.Crash;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples.Resources;

/// <summary>
/// A full catalogue disk, for real (issue 13, point 4): the SmallFilesCache daemon runs as an OS process with its SQLite
/// catalogue on a small tmpfs of its own (<see cref="CatalogueDisk"/>, mounted in a private namespace), which fills up
/// while files arrive in the inbox. SQLite then answers <c>FULL</c>: the daemon must say so once, naming the catalogue,
/// keep running, acknowledge no file that is not durable, refuse none, keep the catalogue whole, and — once the space
/// comes back — ingest, archive and recall every file.
/// </summary>
public sealed class SmallFilesCacheCatalogueFullTests(ITestOutputHelper output)
{
    private const int FilesBefore = 12;
    private const string FullLine = "Catalogue disk full: The catalogue '";

    [SkippableFact]
    public async Task A_full_catalogue_disk_acknowledges_nothing_keeps_the_inbox_and_every_file_comes_back_when_space_returns()
    {
        MachineTools.Require(CatalogueDisk.Unavailable());
        int seed = Random.Shared.Next(1, int.MaxValue);
        string root = Path.Combine(Path.GetTempPath(), $"tapekit-catfull-{Guid.NewGuid():N}"[..32]);
        output.WriteLine($"seed {seed}, site {root}");
        Directory.CreateDirectory(root);
        var workload = new CrashWorkload(seed, 36, maxSize: 64 * 1024);
        var failures = new List<string>();
        using (CatalogueDisk disk = CatalogueDisk.Mount(Path.Combine(root, "catalogue-disk"), 16L << 20))
        {
            var probe = new SiteProbe(disk.Here(disk.Catalogue), disk.Snapshot);
            DaemonProcess Start(string log) => DaemonProcess.Start(root, log, disk.Wrapper(root));
            CrashSiteSettings.Write(root, CrashPhase.Archive, catalogueFile: disk.Catalogue);
            string log = Path.Combine(root, "daemon-000.log");
            using (DaemonProcess daemon = Start(log))
            {
                Assert.True(await DaemonLog.StartedAsync(daemon, root, log, failures), string.Join('\n', failures));
                for (int i = 0; i < FilesBefore; i++)
                {
                    workload.Drop(root, i);
                }

                Assert.True(await DaemonWait.UntilAsync(daemon, root, () => probe.Files().Count == FilesBefore && probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]),
                    TimeSpan.FromSeconds(60), "the first files archived", failures), string.Join('\n', failures));

                long ballast = disk.Fill();
                for (int i = FilesBefore; i < workload.Count; i++)
                {
                    workload.Drop(root, i);
                }

                Assert.True(await DaemonWait.UntilAsync(daemon, root, () => DaemonLog.Lines(log, FullLine).Length > 0, TimeSpan.FromSeconds(60),
                    "SQLITE_FULL reported in the daemon's log", failures), string.Join('\n', failures));
                output.WriteLine($"ballast {ballast} bytes; {DaemonLog.Lines(log, FullLine)[0]}");

                // While the disk stays full, the daemon runs round after round (every 200 ms): at each look, every file is
                // either still in the inbox or durably ingested (its row CACHED, its cache copy whole), and the catalogue is whole.
                int waitingAtFirstLook = -1;
                for (int look = 0; look < 5; look++)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(400));
                    Assert.True(daemon.Running, "The daemon stopped while the catalogue's disk was full.\n" + DaemonLog.Tail(log));
                    int waiting = SiteOutcome.InboxOrDurable(root, workload, probe, FilesBefore);
                    waitingAtFirstLook = waitingAtFirstLook < 0 ? waiting : waitingAtFirstLook;
                    Assert.Equal("ok", probe.IntegrityCheck());
                }

                Assert.True(waitingAtFirstLook > 0, "No file waited in the inbox: the full disk refused nothing, the test proved nothing.");
                Assert.False(Directory.Exists(Path.Combine(root, "rejected")), "Files were set aside under rejected/ while the catalogue's disk was full.");
                string[] full = DaemonLog.Lines(log, FullLine);
                Assert.True(full.Length == 1, $"The full disk was reported {full.Length} times, once expected:\n{string.Join('\n', full)}");
                Assert.Contains(disk.Catalogue, full[0], StringComparison.Ordinal);
                Assert.Contains("disk full", full[0], StringComparison.Ordinal);
                Assert.Empty(DaemonLog.Lines(log, "A round of the site loop failed"));
                output.WriteLine($"{waitingAtFirstLook} of {workload.Count - FilesBefore} new files waited in the inbox while the disk was full");

                disk.Release();
                Assert.True(await DaemonWait.UntilAsync(daemon, root, () => probe.Files().Count == workload.Count && probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]),
                    TimeSpan.FromSeconds(90), "every file archived once the space came back", failures), string.Join('\n', failures));
                string[] writable = DaemonLog.Lines(log, "The catalogue can be written again");
                Assert.True(writable.Length == 1, $"The end of the full disk was reported {writable.Length} times, once expected.\n{DaemonLog.Tail(log)}");
                output.WriteLine(writable[0]);
            }

            failures.AddRange(await SiteOutcome.CheckAsync(root, workload, probe, Start, disk.Catalogue));
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Directory.Delete(root, recursive: true);
    }
}
