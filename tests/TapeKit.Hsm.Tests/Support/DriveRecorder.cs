using System.Collections.Concurrent;
using TapeKit.Devices;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>
/// Records the calls that reach the drive handles of a pool whose workers it makes (<see cref="Workers"/>): what tests
/// use to see on which threads the HSM's drive calls run, and to act in the middle of a session from a drive's thread.
/// </summary>
public sealed class DriveRecorder
{
    private readonly ConcurrentQueue<DriveCall> _calls = new();

    /// <summary>Called on the calling thread with each call, before it reaches the drive.</summary>
    public Action<DriveCall>? BeforeCall { get; set; }

    /// <summary>Every call so far, in the order they were made.</summary>
    public IReadOnlyList<DriveCall> Calls => [.. _calls];

    /// <summary>A worker factory for a drive pool: each handle recorded, each worker with its dedicated thread.</summary>
    public Func<ITapeDrive, TapeDriveWorker> Workers => handle => new TapeDriveWorker(new RecordingTapeDrive(handle, this));

    /// <summary>Forgets the calls so far (the world's set-up).</summary>
    public void Clear() => _calls.Clear();

    internal void Record(DriveCall call)
    {
        BeforeCall?.Invoke(call);
        _calls.Enqueue(call);
    }
}
