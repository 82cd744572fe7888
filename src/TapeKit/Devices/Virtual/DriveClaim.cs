namespace TapeKit.Devices.Virtual;

/// <summary>
/// One library instance's exclusive right to use a drive (<see cref="VirtualTapeLibrary.TryClaimDrive"/>).
/// In a shared library it holds the flock on <c>&lt;root&gt;/drives/N.lock</c>, so it excludes every
/// other process and instance; otherwise it is a token inside this instance. Disposing it gives the
/// drive back: in a shared library the drive first lets go of its cartridge (writes it out and closes
/// its files) so that the next claimant, in any process, can adopt it.
/// </summary>
internal sealed class DriveClaim(int drive, FileStream? fileLock, Action<DriveClaim> release) : IDisposable
{
    private int _released;

    public int Drive { get; } = drive;

    /// <summary>Gives the drive back (once).</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _released, 1) == 0)
        {
            try
            {
                release(this);
            }
            finally
            {
                // Last, so that no other process can take the drive before the cartridge has been let go.
                fileLock?.Dispose();
            }
        }
    }
}
