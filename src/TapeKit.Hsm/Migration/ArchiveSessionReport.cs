namespace TapeKit.Hsm.Migration;

/// <summary>What one write session on one tape did: the numbers an operator (and the demo) reports.</summary>
/// <param name="Vsn">The tape.</param>
/// <param name="CopyNb">The copy written.</param>
/// <param name="RobotMounted">Whether the session needed a robot mount.</param>
/// <param name="TapeFiles">Tape files written (synced or not).</param>
/// <param name="Files">User files in the tape files that were committed.</param>
/// <param name="PayloadBytes">User bytes in the tape files that were committed.</param>
/// <param name="WritingTime">
/// Device time from the append position to the end of the final sync: writing, marks and syncs, with the mount,
/// the label check and positioning to the append point excluded.
/// </param>
/// <param name="Failure">Why the session ended early, or <see langword="null"/>.</param>
public sealed record ArchiveSessionReport(
    string Vsn, int CopyNb, bool RobotMounted, int TapeFiles, int Files, long PayloadBytes, TimeSpan WritingTime, string? Failure);
