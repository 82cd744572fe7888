using TapeKit.Hsm.Replicas;

namespace Chelonia.Hosting;

/// <summary>
/// Every period and deadline of the sample in one place. The defaults are the short ones of the demo (a node is
/// offline 2 s after its last heartbeat, the planner runs every second, every copy is re-verified every 5 s); a
/// production site would use the library's defaults (seconds to minutes). Each is an option of the commands.
/// </summary>
public sealed record ChelTimings
{
    /// <summary>How often a Shepherd heartbeats.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromMilliseconds(600);

    /// <summary>How long the Librarian waits for a heartbeat before the node is offline.</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the Librarian runs its checker and planner.</summary>
    public TimeSpan LoopInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a Shepherd asks for its transfers to send and copies to delete.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a transfer may stay CREATING.</summary>
    public TimeSpan CreatingTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a stalled transfer waits for a late registration.</summary>
    public TimeSpan StalledGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a source waits for the target's registration after its last byte.</summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromSeconds(8);

    /// <summary>The least time between two reports of a node with nothing more to send.</summary>
    public TimeSpan IdleReportInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Every copy on a Shepherd is re-verified once per this period.</summary>
    public TimeSpan ScanPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The replica options of the Librarian with these timings.</summary>
    public ReplicaOptions ToReplicaOptions() => new()
    {
        HeartbeatTimeout = HeartbeatTimeout,
        CreatingTimeout = CreatingTimeout,
        StalledGrace = StalledGrace,
        RegistrationTimeout = RegistrationTimeout,
        CheckInterval = LoopInterval,
        OutageThreshold = LoopInterval * 10,
        IdleReportInterval = IdleReportInterval,
        ReportsPerSecond = 50,
        ReportBurst = 20,
    };

    /// <summary>The timings with the options a command line gives.</summary>
    /// <param name="line">The command line.</param>
    public ChelTimings With(CommandLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new ChelTimings
        {
            HeartbeatInterval = line.Seconds("heartbeat-interval", HeartbeatInterval),
            HeartbeatTimeout = line.Seconds("heartbeat-timeout", HeartbeatTimeout),
            LoopInterval = line.Seconds("loop-interval", LoopInterval),
            PollInterval = line.Seconds("poll-interval", PollInterval),
            CreatingTimeout = line.Seconds("creating-timeout", CreatingTimeout),
            StalledGrace = line.Seconds("stalled-grace", StalledGrace),
            RegistrationTimeout = line.Seconds("registration-timeout", RegistrationTimeout),
            IdleReportInterval = line.Seconds("idle-report-interval", IdleReportInterval),
            ScanPeriod = line.Seconds("scan-period", ScanPeriod),
        };
    }

    /// <summary>These timings as command-line options (for the demo's child processes).</summary>
    public IEnumerable<string> ToArguments()
    {
        static string S(TimeSpan t) => t.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        return
        [
            "--heartbeat-interval", S(HeartbeatInterval), "--heartbeat-timeout", S(HeartbeatTimeout), "--loop-interval", S(LoopInterval),
            "--poll-interval", S(PollInterval), "--creating-timeout", S(CreatingTimeout), "--stalled-grace", S(StalledGrace),
            "--registration-timeout", S(RegistrationTimeout), "--idle-report-interval", S(IdleReportInterval), "--scan-period", S(ScanPeriod),
        ];
    }
}
