namespace TapeKit.Hsm.Tapes;

/// <summary>
/// The drives a migrator or stager may use (docs/hsm/overview.md#roles): hands out a drive holding the requested cartridge,
/// mounting it when no drive holds it yet. One drive serves one caller at a time; a cartridge left in a drive after
/// its session is reused without a robot move (the spec's <c>DismountDelay</c>).
/// </summary>
/// <remarks>
/// The pool owns the record of its robot moves (an <see cref="IMountRecorder"/>, usually over the catalogue): the
/// asynchronous calls record each mount and dismount they do, so the mount counters and the remount guard hold in every
/// host without the sessions or the host writing them.
/// </remarks>
public interface ITapeDrivePool
{
    /// <summary>Robot mounts done so far (a reused, already loaded cartridge is not a mount).</summary>
    int Mounts { get; }

    /// <summary>
    /// Takes a free drive holding <paramref name="vsn"/>, mounting the cartridge if needed, without recording the robot
    /// moves: for cartridges the catalogue does not know yet (labelling). Sessions use <see cref="AcquireAsync(string, CancellationToken)"/>.
    /// </summary>
    /// <param name="vsn">The cartridge.</param>
    /// <returns>The mount; dispose it to give the drive back (the cartridge stays loaded).</returns>
    /// <exception cref="TapeMountException">No drive is free, or the cartridge is in a busy drive.</exception>
    TapeMount Acquire(string vsn);

    /// <summary>
    /// Takes a free drive holding <paramref name="vsn"/>, mounting the cartridge if needed, and records the robot moves
    /// this needed: the dismount of a cartridge taken out to make room, then the mount.
    /// </summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="ct">Cancels the recording.</param>
    /// <returns>The mount; dispose it to give the drive back (the cartridge stays loaded).</returns>
    /// <exception cref="TapeMountException">No drive is free, or the cartridge is in a busy drive.</exception>
    /// <exception cref="HsmException">Recording failed; the drive is given back.</exception>
    ValueTask<TapeMount> AcquireAsync(string vsn, CancellationToken ct = default);

    /// <summary>
    /// Takes a drive for a session described in full — its tape pool, read or write, priority and requester — so that a
    /// pool that schedules its drives (<see cref="ScheduledDrivePool"/>) can queue it; other pools take the drive as
    /// <see cref="AcquireAsync(string, CancellationToken)"/> does.
    /// </summary>
    /// <param name="request">The session's request.</param>
    /// <param name="ct">Cancels waiting and the recording.</param>
    /// <returns>The mount; dispose it to give the drive back (the cartridge stays loaded).</returns>
    /// <exception cref="TapeMountException">No drive could be given (a pool that does not wait: none is free).</exception>
    ValueTask<TapeMount> AcquireAsync(MountRequest request, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return AcquireAsync(request.Vsn, ct);
    }

    /// <summary>Unloads every cartridge left in a free drive (its dismount delay is over), returns them to slots and records each dismount.</summary>
    /// <param name="ct">Cancels the recording.</param>
    /// <returns>The cartridges dismounted.</returns>
    ValueTask<IReadOnlyList<string>> DismountIdleAsync(CancellationToken ct = default);
}
