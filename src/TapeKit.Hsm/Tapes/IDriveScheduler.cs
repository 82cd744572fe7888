using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Tapes;

/// <summary>
/// The drive scheduler of a tape library (docs/hsm/overview.md#roles, the VDQM role): mount requests wait per tape with a
/// priority; free drives go to the highest priority, then to the tape pool served least recently, then to the oldest
/// request; a tape is in one session at most (so read and write sessions of a tape never mix); a drive keeps its
/// cartridge for the dismount delay; a recall does not remount a tape within the remount guard. Its state is in the
/// catalogue, with leases, so schedulers and workers in several processes and hosts share one library.
/// </summary>
public interface IDriveScheduler
{
    /// <summary>The tape library scheduled.</summary>
    string Library { get; }

    /// <summary>
    /// Brings the drive rows to the robot's view: adds the drives the catalogue does not know, and sets the cartridge of
    /// every free drive to what the robot says is in it. Leased drives are left to their holder.
    /// </summary>
    /// <param name="drives">Drive numbers and the cartridge in each (<see langword="null"/> when empty), from the library's inventory.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask RegisterDrivesAsync(IReadOnlyDictionary<int, string?> drives, CancellationToken ct = default);

    /// <summary>Queues a request; it waits until <see cref="PollAsync"/> finds it granted.</summary>
    /// <param name="request">The request.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The request id.</returns>
    ValueTask<Guid> EnqueueAsync(MountRequest request, CancellationToken ct = default);

    /// <summary>Renews a waiting request's lease, runs a scheduling pass, and tells whether the request has a drive now.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The grant, or <see langword="null"/> while the request waits.</returns>
    /// <exception cref="TapeMountException">The request is gone: cancelled, or its lease expired.</exception>
    ValueTask<DriveGrant?> PollAsync(Guid requestId, CancellationToken ct = default);

    /// <summary>Queues a request and waits for its drive, polling every <see cref="DriveSchedulerOptions.PollInterval"/>; cancelling withdraws the request.</summary>
    /// <param name="request">The request.</param>
    /// <param name="ct">Cancels waiting.</param>
    /// <returns>The grant.</returns>
    ValueTask<DriveGrant> AcquireAsync(MountRequest request, CancellationToken ct = default);

    /// <summary>Withdraws a waiting request; <see langword="false"/> when it was granted or gone already.</summary>
    /// <param name="requestId">The request.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<bool> CancelAsync(Guid requestId, CancellationToken ct = default);

    /// <summary>One scheduling pass: drops expired requests, ends leases of vanished holders, grants free drives.</summary>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The drives granted in this pass.</returns>
    ValueTask<int> ScheduleAsync(CancellationToken ct = default);

    /// <summary>Moves a grant's lease on by <see cref="DriveSchedulerOptions.MountLease"/>.</summary>
    /// <param name="grant">The grant.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The renewed grant, or <see langword="null"/> when the lease was lost (expired and taken back).</returns>
    ValueTask<DriveGrant?> RenewAsync(DriveGrant grant, CancellationToken ct = default);

    /// <summary>Ends a grant's session: the drive is free again, holding <paramref name="loadedVsn"/> for the dismount delay.</summary>
    /// <param name="grant">The grant.</param>
    /// <param name="loadedVsn">The cartridge left in the drive, or <see langword="null"/> when it was unloaded.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="false"/> when the lease had been lost already.</returns>
    ValueTask<bool> ReleaseAsync(DriveGrant grant, string? loadedVsn, CancellationToken ct = default);

    /// <summary>
    /// Ends a grant's session on a drive that failed and takes the drive out of service for
    /// <see cref="DriveSchedulerOptions.OutOfServiceFor"/> (<see cref="DriveRecord.OutOfServiceHolder"/>): nothing is granted on
    /// it meanwhile; the reason is recorded as a transition of the drive.
    /// </summary>
    /// <param name="grant">The grant on the failed drive.</param>
    /// <param name="loadedVsn">The cartridge left in the drive, if any.</param>
    /// <param name="reason">Why, in words an operator can act on.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns><see langword="false"/> when the lease had been lost already (the drive was left as it was).</returns>
    ValueTask<bool> TakeOutOfServiceAsync(DriveGrant grant, string? loadedVsn, string reason, CancellationToken ct = default);

    /// <summary>
    /// Leases to <paramref name="holder"/> every free drive whose cartridge has waited its dismount delay and is not asked
    /// for, so that the holder unloads it and releases the grant with no cartridge.
    /// </summary>
    /// <param name="holder">Who unloads.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>One grant per drive to unload (<see cref="DriveGrant.Vsn"/> is the cartridge in it).</returns>
    ValueTask<IReadOnlyList<DriveGrant>> TakeIdleForDismountAsync(string holder, CancellationToken ct = default);

    /// <summary>The drive rows of the library, by drive number.</summary>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<IReadOnlyList<DriveRecord>> GetDrivesAsync(CancellationToken ct = default);
}
