namespace TapeKit.Simulation;

/// <summary>What serving one recall trace cost.</summary>
/// <param name="Strategy">How the requests were served.</param>
/// <param name="Requests">Requests served.</param>
/// <param name="Mounts">Cartridge mounts.</param>
/// <param name="Locates">Locates issued.</param>
/// <param name="BytesRead">Bytes read from tape.</param>
/// <param name="SimulatedSeconds">Simulated library and drive time of the recall phase.</param>
public sealed record RecallResult(string Strategy, int Requests, int Mounts, long Locates, long BytesRead, double SimulatedSeconds)
{
    /// <summary>Files recalled per mount.</summary>
    public double FilesPerMount => Mounts == 0 ? 0 : (double)Requests / Mounts;
}
