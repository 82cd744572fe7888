namespace TapeKit.Hsm.Tapes;

/// <summary>
/// Where a drive pool records its robot moves: mounts for the tape's mount counters, dismounts for the recall
/// planner's remount guard. Pools call it so that every host records them the same way, whoever asked for the drive.
/// </summary>
public interface IMountRecorder
{
    /// <summary>Records that the robot loaded <paramref name="vsn"/> into a drive.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>When the mount is recorded.</returns>
    ValueTask MountedAsync(string vsn, CancellationToken ct = default);

    /// <summary>Records that the robot took <paramref name="vsn"/> out of its drive.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>When the dismount is recorded.</returns>
    ValueTask DismountedAsync(string vsn, CancellationToken ct = default);
}
