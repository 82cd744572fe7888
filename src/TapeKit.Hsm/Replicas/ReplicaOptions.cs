namespace TapeKit.Hsm.Replicas;

/// <summary>The settings of the replica manager (docs/hsm/replicas.md#the-state-machine).</summary>
public sealed record ReplicaOptions
{
    /// <summary>How many alive replicas a new file needs when its upload does not say (Chelonia's <c>neededReplicas</c>).</summary>
    public int DefaultNeededReplicas { get; init; } = 3;

    /// <summary>How long a node may go without a heartbeat before the checker turns it offline (P8).</summary>
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a transfer may stay <see cref="ReplicaState.Creating"/> before it stalls (P3).</summary>
    public TimeSpan CreatingTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long a stalled replica waits for a late registration before it is deleted (P5).</summary>
    public TimeSpan StalledGrace { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a source polls for the target's registration after the last byte before it reports the transfer as
    /// unconfirmed (docs/hsm/replicas.md case C.2); the host's Shepherds read it from here.
    /// </summary>
    public TimeSpan RegistrationTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the host runs the checker (<see cref="ReplicaLibrarian.CheckAsync"/>).</summary>
    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A gap this long between two checker runs is taken as a Librarian (or catalogue) outage: transfer deadlines and
    /// node heartbeat deadlines are moved on by it (docs/hsm/replicas.md#deadlines-and-librarian-outages), so nothing stalls or goes offline merely because the
    /// Librarian was away. Must exceed <see cref="CheckInterval"/>.
    /// </summary>
    public TimeSpan OutageThreshold { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The most entries in one report (docs/hsm/replicas.md#reporting-without-overload rule 3, <c>MaxReportEntries</c>).</summary>
    public int MaxReportEntries { get; init; } = 1000;

    /// <summary>Reports per second accepted from all nodes together (docs/hsm/replicas.md#reporting-without-overload rule 3, <c>ReportBudget</c>).</summary>
    public double ReportsPerSecond { get; init; } = 20;

    /// <summary>How many reports the budget lets through at once after a quiet spell.</summary>
    public int ReportBurst { get; init; } = 20;

    /// <summary>When a node has nothing more to send, the earliest time of its next report is this far away.</summary>
    public TimeSpan IdleReportInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many files the planner decides in one transaction.</summary>
    public int PlanPageSize { get; init; } = 256;

    /// <summary>How many transfers a node is given to send at once by one planning pass (0: no limit).</summary>
    public int MaxTransfersPerSource { get; init; }

    /// <summary>How many times a Librarian call runs its transaction again after a transient store error.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Validates the settings.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(DefaultNeededReplicas, 1, nameof(DefaultNeededReplicas));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(HeartbeatTimeout, TimeSpan.Zero, nameof(HeartbeatTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CreatingTimeout, TimeSpan.Zero, nameof(CreatingTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StalledGrace, TimeSpan.Zero, nameof(StalledGrace));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(CheckInterval, TimeSpan.Zero, nameof(CheckInterval));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(OutageThreshold, CheckInterval, nameof(OutageThreshold));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxReportEntries, 1, nameof(MaxReportEntries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ReportsPerSecond, 0, nameof(ReportsPerSecond));
        ArgumentOutOfRangeException.ThrowIfLessThan(ReportBurst, 1, nameof(ReportBurst));
        ArgumentOutOfRangeException.ThrowIfLessThan(PlanPageSize, 1, nameof(PlanPageSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MaxTransfersPerSource, nameof(MaxTransfersPerSource));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
    }
}
