namespace TapeKit.Simulation;

/// <summary>What one simulated write run cost.</summary>
/// <param name="Strategy">How the files were written.</param>
/// <param name="UserFiles">User files written.</param>
/// <param name="PayloadBytes">Bytes of user data.</param>
/// <param name="TapeFiles">Tape files written.</param>
/// <param name="DataBlocks">Data blocks written.</param>
/// <param name="SyncPoints">Synchronising tape marks (flushes).</param>
/// <param name="DriveSeconds">Simulated drive time of the write phase (labelling, mount and positioning to the append point excluded; the final flush included).</param>
/// <param name="NativeRate">The media profile's native rate, bytes per second.</param>
public sealed record SimulationResult(WriteStrategy Strategy, long UserFiles, long PayloadBytes, long TapeFiles, long DataBlocks, long SyncPoints, double DriveSeconds, long NativeRate)
{
    /// <summary>Payload bytes / (simulated time × native rate).</summary>
    public double Efficiency => DriveSeconds <= 0 ? 0 : PayloadBytes / (DriveSeconds * NativeRate);

    /// <summary>Payload throughput in MB/s (10⁶ bytes).</summary>
    public double MegabytesPerSecond => DriveSeconds <= 0 ? 0 : PayloadBytes / DriveSeconds / 1e6;
}
