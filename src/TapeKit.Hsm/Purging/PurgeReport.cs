namespace TapeKit.Hsm.Purging;

/// <summary>What one purger run did.</summary>
/// <param name="Reason">The policy's reason (watermarks, or none configured).</param>
/// <param name="FilesPurged">Cache copies deleted and recorded <c>PURGED</c>.</param>
/// <param name="BytesFreed">Their bytes.</param>
/// <param name="Skipped">Selected files that changed state (read, pinned, staged) before their purge started.</param>
public sealed record PurgeReport(string Reason, int FilesPurged, long BytesFreed, int Skipped);
