using Microsoft.Data.Sqlite;
using TapeKit.Campaign.Crash;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples.Resources;

/// <summary>
/// A catalogue that refuses the ingest's commit, for real: the SmallFilesCache daemon runs as an OS process, and the test
/// adds a trigger to its SQLite catalogue that makes SQLite abort every update of a file row — the batch's rows are
/// created, its files written and flushed, and its commit refused. The daemon must keep running, acknowledge nothing,
/// set no file aside (the next round must not take the batch's own CREATED rows for names already in use) and, once the
/// catalogue takes writes again, recover those rows and ingest, archive and recall every file.
/// </summary>
public sealed class SmallFilesCacheCommitRefusedTests(ITestOutputHelper output)
{
    private const string RoundFailed = "A round of the site loop failed";

    [Fact]
    public async Task A_refused_commit_acknowledges_nothing_sets_nothing_aside_and_every_file_goes_in_once_the_catalogue_takes_writes()
    {
        int seed = Random.Shared.Next(1, int.MaxValue);
        string root = Path.Combine(Path.GetTempPath(), $"tapekit-refused-{Guid.NewGuid():N}"[..32]);
        output.WriteLine($"seed {seed}, site {root}");
        Directory.CreateDirectory(root);
        var workload = new CrashWorkload(seed, 24, maxSize: 64 * 1024);
        var failures = new List<string>();
        string catalogue = Path.Combine(root, "catalogue.db");
        var probe = new SiteProbe(catalogue);
        DaemonProcess Start(string log) => DaemonProcess.Start(root, log, null);
        CrashSiteSettings.Write(root, CrashPhase.Archive);
        string log = Path.Combine(root, "daemon-000.log");
        using (DaemonProcess daemon = Start(log))
        {
            Assert.True(await DaemonLog.StartedAsync(daemon, root, log, failures), string.Join('\n', failures));
            Catalogue(catalogue, "CREATE TRIGGER refuse_file_updates BEFORE UPDATE ON files BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
            for (int i = 0; i < workload.Count; i++)
            {
                workload.Drop(root, i);
            }

            Assert.True(await DaemonWait.UntilAsync(daemon, root, () => DaemonLog.Lines(log, RoundFailed).Length >= 3, TimeSpan.FromSeconds(60),
                "three failed rounds", failures), string.Join('\n', failures));
            Assert.True(daemon.Running, "The daemon stopped when the catalogue refused its commit.\n" + DaemonLog.Tail(log));
            int created = probe.Files().Values.Count(f => f.Cache == "CREATED");
            Assert.True(created > 0, "No row was left CREATED: the commit was not what failed, the test proved nothing.");
            int waiting = SiteOutcome.InboxOrDurable(root, workload, probe, 0);
            Assert.Equal(workload.Count, waiting);
            Assert.False(Directory.Exists(Path.Combine(root, "rejected")), "Files were set aside under rejected/ while the catalogue refused commits.");
            output.WriteLine($"{created} rows CREATED and {waiting} files in the inbox after {DaemonLog.Lines(log, RoundFailed).Length} failed rounds");

            Catalogue(catalogue, "DROP TRIGGER refuse_file_updates");
            Assert.True(await DaemonWait.UntilAsync(daemon, root, () => probe.Files().Count == workload.Count && probe.AllArchived([.. probe.Files().Values.Select(f => f.Id)]),
                TimeSpan.FromSeconds(90), "every file archived once the catalogue took writes", failures), string.Join('\n', failures));
            string[] recovered = DaemonLog.Lines(log, "Interrupted ingests recovered between two rounds:");
            Assert.True(recovered.Length == 1, $"The recovery of the interrupted ingests was reported {recovered.Length} times, once expected.\n{DaemonLog.Tail(log)}");
            Assert.Contains($"{created} completed", recovered[0], StringComparison.Ordinal);
            output.WriteLine(recovered[0]);
        }

        failures.AddRange(await SiteOutcome.CheckAsync(root, workload, probe, Start));
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Directory.Delete(root, recursive: true);
    }

    /// <summary>Runs one statement on the catalogue from this process, as another writer of the file would.</summary>
    private static void Catalogue(string path, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
