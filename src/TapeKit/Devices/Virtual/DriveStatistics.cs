namespace TapeKit.Devices.Virtual;

/// <summary>
/// Counters of one virtual drive (docs/devices/st-driver.md#simulated-time): what it moved and where its simulated
/// time went. Higher layers assert on them (for example, that reading one aggregation member read
/// only that member's blocks). A snapshot: later operations do not change it.
/// </summary>
/// <param name="BlocksWritten">Data blocks written.</param>
/// <param name="BytesWritten">Payload bytes written.</param>
/// <param name="BlocksRead">Data blocks read (including blocks that failed with <c>ENOMEM</c> or a media error).</param>
/// <param name="BytesRead">Payload bytes delivered to the host.</param>
/// <param name="FilemarksWritten">Filemarks written.</param>
/// <param name="SyncPoints">Sync points that committed something.</param>
/// <param name="Locates">Positioning operations (space, locate, end of data).</param>
/// <param name="BackHitches">Back-hitches charged after host under-runs.</param>
/// <param name="StreamingNanoseconds">Simulated time spent transferring data.</param>
/// <param name="PositioningNanoseconds">Simulated time spent locating, spacing and rewinding.</param>
/// <param name="FilemarkNanoseconds">Simulated time spent writing filemarks (synchronising and immediate).</param>
/// <param name="LoadNanoseconds">Simulated time spent loading and unloading.</param>
/// <param name="IdleNanoseconds">Simulated time the drive waited for the host between operations.</param>
public readonly record struct DriveStatistics(
    long BlocksWritten,
    long BytesWritten,
    long BlocksRead,
    long BytesRead,
    long FilemarksWritten,
    long SyncPoints,
    long Locates,
    long BackHitches,
    long StreamingNanoseconds,
    long PositioningNanoseconds,
    long FilemarkNanoseconds,
    long LoadNanoseconds,
    long IdleNanoseconds)
{
    /// <summary>Total simulated busy time of the drive.</summary>
    public long BusyNanoseconds => StreamingNanoseconds + PositioningNanoseconds + FilemarkNanoseconds + LoadNanoseconds;
}
