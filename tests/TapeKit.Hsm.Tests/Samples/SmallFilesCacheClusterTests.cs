using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using SmallFilesCache;
using SmallFilesCache.Cluster;
using TapeKit.Hsm.Tests.Support;
using Xunit.Abstractions;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>
/// The SFA site as separate processes (a dispatcher and three migrators, two of them for one disk library, over one
/// shared virtual tape library) on PostgreSQL, with the PostgreSQL queue or RabbitMQ as the bus: the same job as the
/// single-process demo, the same figures; and the same job while processes are killed and the servers restarted.
/// </summary>
[Collection(ServerRestarts.Name)]
public sealed class SmallFilesCacheClusterTests(ITestOutputHelper output)
{
    private const int Files = 1200;
    private const int Recalls = 100;

    [SkippableTheory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_cluster_demo_gives_the_single_process_figures(bool rabbitMq)
    {
        string postgres = Server("TAPEKIT_POSTGRES");
        string? broker = rabbitMq ? Server("TAPEKIT_RABBITMQ") : null;
        DemoReport single = await Demo.RunAsync(new DemoArguments(Files, Recalls, Seed: 11), NullLoggerFactory.Instance, progress: false, CancellationToken.None);
        DemoReport cluster = await Demo.RunAsync(new DemoArguments(Files, Recalls, Seed: 11) { Cluster = true, Postgres = postgres, RabbitMq = broker },
            NullLoggerFactory.Instance, progress: false, CancellationToken.None);
        output.WriteLine("single:  " + single.ToJson());
        output.WriteLine("cluster: " + cluster.ToJson());

        Assert.True(cluster.ScheduleDrives); // The default: the node processes share the drives through the scheduler.

        Assert.Equal(5, cluster.Processes);
        Assert.Empty(cluster.Problems!);
        Assert.Equal((Files, Files), (cluster.FilesIngested, cluster.FilesArchived));
        Assert.Equal((Recalls, Recalls, 0), (cluster.FilesRecalled, cluster.FilesVerified, cluster.FilesLost));
        Assert.Equal((single.Aggregations, single.TapesUsed, single.RecallMounts), (cluster.Aggregations, cluster.TapesUsed, cluster.RecallMounts));
        Assert.Equal(single.FilesPerMount, cluster.FilesPerMount);
        Assert.InRange(cluster.DriveEfficiency, single.DriveEfficiency * 0.9, single.DriveEfficiency * 1.1);
        // Each process keeps its own simulated clock; a drive passed between them keeps its cartridge and head.
        Assert.InRange(cluster.SimulatedDriveSeconds, single.SimulatedDriveSeconds * 0.9, single.SimulatedDriveSeconds * 1.1);
    }

    /// <summary>
    /// Without the drive scheduler (<c>--own-drives</c>) each disk library's node processes use its own drive, the two
    /// migrators of one disk library taking turns through the robot's drive claims: the same outcome.
    /// </summary>
    [SkippableFact]
    public async Task The_cluster_demo_with_own_drives_loses_nothing_and_mounts_each_tape_once_per_phase()
    {
        string postgres = Server("TAPEKIT_POSTGRES");
        DemoReport cluster = await Demo.RunAsync(new DemoArguments(Files, Recalls, Seed: 11) { Cluster = true, Postgres = postgres, ScheduleDrives = false },
            NullLoggerFactory.Instance, progress: false, CancellationToken.None);
        output.WriteLine("cluster, own drives: " + cluster.ToJson());

        Assert.Equal(5, cluster.Processes);
        Assert.Empty(cluster.Problems!);
        Assert.Equal((Files, Files), (cluster.FilesIngested, cluster.FilesArchived));
        Assert.Equal((Recalls, Recalls, 0), (cluster.FilesRecalled, cluster.FilesVerified, cluster.FilesLost));
        Assert.Equal((2, 2, 2), (cluster.TapesUsed, cluster.ArchiveMounts, cluster.RecallMounts));
    }

    [SkippableFact]
    public async Task Killed_processes_and_restarted_servers_lose_and_duplicate_nothing()
    {
        string postgres = Server("TAPEKIT_POSTGRES");
        string broker = Server("TAPEKIT_RABBITMQ");
        int kills = Setting("TAPEKIT_CLUSTER_KILLS") ?? 30;
        int seed = Setting("TAPEKIT_CLUSTER_SEED") ?? Random.Shared.Next(1, int.MaxValue);
        string restartPostgres = RestartCommand("TAPEKIT_POSTGRES_RESTART", requiredUnderCi: true);
        string restartRabbitMq = RestartCommand("TAPEKIT_RABBITMQ_RESTART", requiredUnderCi: true);
        output.WriteLine($"seed {seed} (replay: TAPEKIT_CLUSTER_SEED={seed}), kills {kills}");
        var chaos = new ChaosOptions
        {
            Kills = kills,
            Seed = seed,
            // The archive and recall phases of 1 500 files last well under a minute (about 10 s of it since the
            // dispatcher's batching): kills come often enough that all of them land inside the phases (the campaign
            // only kills while they run; at 100–600 ms, 19 of 30 did once).
            MinIntervalMs = 50,
            MaxIntervalMs = 250,
            RestartPostgres = restartPostgres,
            RestartPostgresAfterKill = Math.Max(1, kills / 4),
            RestartRabbitMq = restartRabbitMq,
            RestartRabbitMqAfterKill = Math.Max(2, kills / 2),
        };

        DemoReport report = await Demo.RunAsync(new DemoArguments(1500, 150, Seed: seed) { Cluster = true, Postgres = postgres, RabbitMq = broker, Chaos = chaos },
            NullLoggerFactory.Instance, progress: false, CancellationToken.None);
        output.WriteLine(report.ToJson());

        Assert.Equal(kills, report.Kills);
        Assert.Equal(
            new[] { restartPostgres.Length > 0 ? "PostgreSQL" : null, restartRabbitMq.Length > 0 ? "RabbitMQ" : null }.OfType<string>(),
            report.ServerRestarts!);
        Assert.Empty(report.Problems!); // No dead letters, every archived file on exactly one tape copy.
        Assert.Equal(1500, report.FilesArchived);
        Assert.Equal((150, 150, 0), (report.FilesRecalled, report.FilesVerified, report.FilesLost));
    }

    /// <summary>A server's address; skips without one, except under CI, where .ci/run starts both servers.</summary>
    private static string Server(string variable)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            Assert.False(Environment.GetEnvironmentVariable("CI") == "true", $"{variable} is not set; with CI=true the cluster tests never skip.");
            Skip.If(true, $"No server: set {variable}.");
        }

        return value!;
    }

    /// <summary>The shell command that restarts a server; required under CI, else the run goes without that restart (said in the output).</summary>
    private string RestartCommand(string variable, bool requiredUnderCi)
    {
        string? value = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(value))
        {
            Assert.False(requiredUnderCi && Environment.GetEnvironmentVariable("CI") == "true", $"{variable} is not set; with CI=true the server is restarted mid-run.");
            output.WriteLine($"{variable} is not set: this run restarts no server of that kind.");
            return "";
        }

        return value;
    }

    private static int? Setting(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0 ? v : null;
}
