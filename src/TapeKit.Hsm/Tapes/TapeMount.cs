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
    public TapeMount(string vsn, int drive, ITapeDrive handle, bool robotMounted, Action<TapeMount> release)
    {
        ArgumentException.ThrowIfNullOrEmpty(vsn);
        ArgumentNullException.ThrowIfNull(handle);
        ArgumentNullException.ThrowIfNull(release);
        Vsn = vsn;
        Drive = drive;
        Handle = handle;
        RobotMounted = robotMounted;
        _release = release;
    }

    /// <summary>The cartridge.</summary>
    public string Vsn { get; }

    /// <summary>The drive number.</summary>
    public int Drive { get; }

    /// <summary>The open drive handle.</summary>
    public ITapeDrive Handle { get; }

    /// <summary>Whether this acquisition needed a robot mount (false when the cartridge was still loaded).</summary>
    public bool RobotMounted { get; }

    /// <summary>Closes the handle and gives the drive back; the cartridge stays loaded.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            try
            {
                Handle.Dispose();
            }
            finally
            {
                _release(this);
            }
        }
    }
}
