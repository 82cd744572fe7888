using TapeKit.Devices;

namespace TapeKit.Hsm.Tapes;

/// <summary>A drive holding one cartridge, lent by an <see cref="ITapeDrivePool"/> to one session.</summary>
public sealed class TapeMount : IDisposable
{
    private readonly Action<TapeMount> _release;
    private int _disposed;

    /// <summary>Creates a mount; pools call this.</summary>
    /// <param name="vsn">The cartridge.</param>
    /// <param name="drive">The drive number.</param>
    /// <param name="handle">An open handle on the drive.</param>
    /// <param name="robotMounted">Whether this acquisition needed a robot mount.</param>
    /// <param name="release">Gives the drive back to its pool.</param>
    /// <param name="busyTime">The drive's busy time so far (device time spent loading, positioning, streaming, writing marks), when the pool can tell.</param>
    public TapeMount(string vsn, int drive, ITapeDrive handle, bool robotMounted, Action<TapeMount> release, Func<TimeSpan>? busyTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(release);
        Vsn = vsn;
        Drive = drive;
        Handle = handle;
        RobotMounted = robotMounted;
        _release = release;
        BusyTime = busyTime;
    }

    /// <summary>
    /// The drive's busy time so far, or <see langword="null"/> when the pool cannot tell: differences of it measure a
    /// session on this drive alone, whatever other drives do meanwhile on a shared clock.
    /// </summary>
    public Func<TimeSpan>? BusyTime { get; }

    /// <summary>The cartridge.</summary>
    public string Vsn { get; }

    /// <summary>The drive number.</summary>
    public int Drive { get; }

    /// <summary>The open drive handle.</summary>
    public ITapeDrive Handle { get; }

    /// <summary>Whether this acquisition needed a robot mount (false when the cartridge was still loaded).</summary>
    public bool RobotMounted { get; }

    /// <summary>
    /// The error of closing the handle, if it failed. Sessions synchronise before they end, so a failed close loses
    /// nothing they reported durable; it is kept here for the caller to log rather than thrown from <see cref="Dispose"/>.
    /// </summary>
    public TapeDriveException? CloseError { get; private set; }

    /// <summary>Closes the handle and gives the drive back; the cartridge stays loaded. A failed close is <see cref="CloseError"/>.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                Handle.Dispose();
            }
            catch (TapeDriveException e)
            {
                CloseError = e;
            }
            finally
            {
                _release(this);
            }
        }
    }
}
