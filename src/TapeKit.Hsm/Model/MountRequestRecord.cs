namespace TapeKit.Hsm.Model;

/// <summary>
/// A row of <c>mount_requests</c>: a session waiting for a drive holding one cartridge. The row lives while the request
/// waits; the grant moves onto the drive row and the request row goes.
/// </summary>
public sealed record MountRequestRecord
{
    /// <summary>The request id.</summary>
    public required Guid RequestId { get; init; }

    /// <summary>The tape library whose drives may serve it.</summary>
    public required string Library { get; init; }

    /// <summary>The cartridge.</summary>
    public required string Vsn { get; init; }

    /// <summary>The cartridge's tape pool (fairness across pools).</summary>
    public required string Pool { get; init; }

    /// <summary>Read or write.</summary>
    public MountMode Mode { get; init; }

    /// <summary>The priority; higher is served first.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    /// <summary>Who asks (a worker or host id); it becomes the drive's lease holder.</summary>
    public required string Requester { get; init; }

    /// <summary>When it was queued (oldest first within a priority and pool).</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>The end of the waiting lease: a requester that stops renewing it (it died) loses the request.</summary>
    public DateTimeOffset LeaseUntil { get; init; }

    /// <summary>A read mount that may ignore the remount guard (an operator's request); counted when used.</summary>
    public bool BypassRemountGuard { get; init; }
}
