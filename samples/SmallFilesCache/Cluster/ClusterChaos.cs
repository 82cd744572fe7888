using System.Diagnostics;

namespace SmallFilesCache.Cluster;

/// <summary>
/// Process-level faults across a clustered site: while armed, kills (SIGKILL) a random dispatcher or migrator process
/// at random moments and starts it again, and restarts the PostgreSQL server and the RabbitMQ broker once each, after
/// given kills, with the shell commands it is given. Everything it did is counted for the report.
/// </summary>
public sealed class ClusterChaos
{
    private readonly IReadOnlyList<NodeProcess> _nodes;
    private readonly Random _random;
    private readonly ChaosOptions _options;
    private volatile bool _armed;
    private volatile NodeProcess? _restarting;

    /// <summary>Creates the campaign.</summary>
    /// <param name="nodes">The processes it may kill.</param>
    /// <param name="options">How often and what else.</param>
    public ClusterChaos(IReadOnlyList<NodeProcess> nodes, ChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _nodes = nodes;
        _options = options;
        _random = new Random(options.Seed);
    }

    /// <summary>Whether the campaign killed this node and is about to start it again (not the supervisor's to restart).</summary>
    /// <param name="node">The node.</param>
    public bool IsRestarting(NodeProcess node) => ReferenceEquals(_restarting, node);

    /// <summary>Processes killed so far.</summary>
    public int Kills { get; private set; }

    /// <summary>Server restarts done so far (PostgreSQL, RabbitMQ).</summary>
    public List<string> ServerRestarts { get; } = [];

    /// <summary>Kills happen only while armed (the archive and recall phases).</summary>
    public bool Armed
    {
        get => _armed;
        set => _armed = value;
    }

    /// <summary>Runs until cancelled: kills while armed, at most <see cref="ChaosOptions.Kills"/> times.</summary>
    /// <param name="ct">Stops the campaign.</param>
    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested && Kills < _options.Kills)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(_options.MinIntervalMs, _options.MaxIntervalMs)), ct);
            if (!_armed)
            {
                continue;
            }

            NodeProcess victim = _nodes[_random.Next(_nodes.Count)];
            _restarting = victim;
            try
            {
                victim.Kill();
                Kills++;
                // A crashed node is restarted by its supervisor after a moment, as systemd would.
                await Task.Delay(TimeSpan.FromMilliseconds(_random.Next(0, 500)), ct);
                if (Kills == _options.RestartPostgresAfterKill && _options.RestartPostgres is { Length: > 0 } pg)
                {
                    await RestartAsync("PostgreSQL", pg, ct);
                }

                if (Kills == _options.RestartRabbitMqAfterKill && _options.RestartRabbitMq is { Length: > 0 } mq)
                {
                    await RestartAsync("RabbitMQ", mq, ct);
                }
            }
            finally
            {
                // Whatever happened meanwhile (a restart command that failed ends the campaign), the victim comes
                // back: a node left dead would strand its disk library's work until the run timed out.
                _ = victim.Start();
                _restarting = null;
            }
        }
    }

    private async Task RestartAsync(string server, string command, CancellationToken ct)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        using Process process = Process.Start(start) ?? throw new InvalidOperationException($"Cannot run the {server} restart command.");
        Task<string> output = process.StandardOutput.ReadToEndAsync(ct);
        Task<string> error = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The {server} restart command '{command}' exited with {process.ExitCode}: {await error}{await output}");
        }

        ServerRestarts.Add(server);
    }
}

/// <summary>The process-level fault campaign of a cluster demo (<c>--kills N</c>).</summary>
public sealed record ChaosOptions
{
    /// <summary>Processes to kill in all.</summary>
    public int Kills { get; init; } = 30;

    /// <summary>The campaign's seed (printed in the report to replay it).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Shortest wait between kills, milliseconds.</summary>
    public int MinIntervalMs { get; init; } = 200;

    /// <summary>Longest wait between kills, milliseconds.</summary>
    public int MaxIntervalMs { get; init; } = 1500;

    /// <summary>The shell command restarting PostgreSQL (e.g. <c>pg_ctlcluster 15 main restart</c>); empty: none.</summary>
    public string RestartPostgres { get; init; } = "";

    /// <summary>After this kill, PostgreSQL is restarted.</summary>
    public int RestartPostgresAfterKill { get; init; } = 5;

    /// <summary>The shell command restarting RabbitMQ (e.g. <c>rabbitmqctl stop_app &amp;&amp; rabbitmqctl start_app</c>); empty: none.</summary>
    public string RestartRabbitMq { get; init; } = "";

    /// <summary>After this kill, RabbitMQ is restarted.</summary>
    public int RestartRabbitMqAfterKill { get; init; } = 15;
}
