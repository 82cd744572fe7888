namespace TapeKit.Hsm.Model;

/// <summary>
/// A row of <c>drives</c>: one drive of a tape library as the drive scheduler shares it between hosts — the cartridge
/// it holds, and the lease of the session using it, if any. A cartridge is in at most one drive row (one mount per tape).
/// </summary>
public sealed record DriveRecord
{
    /// <summary>The tape library.</summary>
    public required string Library { get; init; }

    /// <summary>The drive number within the library.</summary>
    public required int Drive { get; init; }

    /// <summary>The cartridge in the drive, or <see langword="null"/> when it is empty.</summary>
    public string? Vsn { get; init; }

    /// <summary>The tape pool of the last session granted on the drive (fairness across pools).</summary>
    public string? Pool { get; init; }

    /// <summary>The mode of the last session granted on the drive.</summary>
    public MountMode? Mode { get; init; }

    /// <summary>Who holds the drive's lease (a session, or a host unloading it), or <see langword="null"/> when it is free.</summary>
    public string? Holder { get; init; }

    /// <summary>The mount request the lease was granted to (<see langword="null"/> for an unload).</summary>
    public Guid? RequestId { get; init; }

    /// <summary>The end of the lease; a lease not renewed by then is over and the drive is free again.</summary>
    public DateTimeOffset? LeaseUntil { get; init; }

    /// <summary>When the last session was granted.</summary>
    public DateTimeOffset? GrantedAt { get; init; }

    /// <summary>When the last session ended (the dismount delay counts from here).</summary>
    public DateTimeOffset? ReleasedAt { get; init; }

    /// <summary>The row's version, moved on by every update (optimistic concurrency, as <see cref="TapeRecord.RowVersion"/>).</summary>
    public long RowVersion { get; init; }

    /// <summary>
    /// The <see cref="Holder"/> of a drive taken out of service (it failed): its lease runs for the scheduler's
    /// out-of-service time, during which nothing is granted on it; then it is tried again.
    /// </summary>
    public const string OutOfServiceHolder = "out-of-service";

    /// <summary>True while the drive is out of service at <paramref name="now"/> (<see cref="OutOfServiceHolder"/>).</summary>
    /// <param name="now">The instant.</param>
    public bool IsOutOfServiceAt(DateTimeOffset now) => Holder == OutOfServiceHolder && IsLeasedAt(now);

    /// <summary>True while a lease on the drive runs at <paramref name="now"/>.</summary>
    /// <param name="now">The instant.</param>
    public bool IsLeasedAt(DateTimeOffset now) => Holder is not null && LeaseUntil >= now;
}
