using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Dispatching;

/// <summary>Dispatcher settings (docs/hsm/rules.md). Bind from <c>TapeKit:Hsm:Dispatcher</c>.</summary>
public sealed class DispatcherOptions
{
    /// <summary>The dispatcher id: the routing key of its reply queue.</summary>
    public string DispatcherId { get; set; } = "dispatcher";

    /// <summary>
    /// The lease owner of the messages it consumes; <see langword="null"/> = <see cref="DispatcherId"/>. A host with
    /// incarnations sets a per-incarnation id here, so a restart can release its predecessor's leases at once.
    /// </summary>
    public string? ConsumerId { get; set; }

    /// <summary>The work lease of a claimed list (10 min); also the claim deadline of a sent list and the start-up grace (R6).</summary>
    public TimeSpan WorkLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>A list dies after this many charged failures (5).</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Members are sent inline up to this estimated body size (4 MiB), by reference above.</summary>
    public int MaxInlineBody { get; set; } = 4 * 1024 * 1024;

    /// <summary>The re-queue back-off.</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>The message lease when consuming events and replies (60 s).</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How often a standby dispatcher tries to win the leadership while another leads (2 s, wall clock); only with a
    /// registered leader election.
    /// </summary>
    public TimeSpan LeaderCampaignInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest wait between polls of the queues and timers.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How many messages to take per receive (256): a received batch is applied in one transaction, so under a burst of
    /// arrivals many files share a commit (and the pages it rewrites); a quiet dispatcher receives what is there.
    /// </summary>
    public int BatchSize { get; set; } = 256;

    /// <summary>Emit <c>FileArchived</c> notifications to the host (<c>tapekit.hsm.notify</c>, key <c>host</c>).</summary>
    public bool NotifyHost { get; set; } = true;

    /// <summary>
    /// Plan recalls in the dispatcher (stage lists and <c>Stage</c> commands, docs/hsm/overview.md#recalls) with the registered recall planner;
    /// off, a host runs the in-process stager. Read by the DI registration.
    /// </summary>
    public bool PlanRecalls { get; set; }

    /// <summary>
    /// Plan purges in the dispatcher (purge lists and <c>Purge</c> commands, docs/hsm/overview.md#purging) with the purgers registered for the
    /// disk libraries; off, a host runs each purger in process. Read by the DI registration.
    /// </summary>
    public bool PlanPurges { get; set; }

    /// <summary>
    /// The catalogue history the dispatcher prunes every <see cref="HistoryRetention.Interval"/> (finished lists, audit
    /// rows, processed message ids); <see langword="null"/> keeps everything.
    /// </summary>
    public HistoryRetention? Retention { get; set; } = new();
}
