namespace TapeKit.Hsm.Rebuild;

/// <summary>What a rebuild found.</summary>
/// <param name="Tapes">Tapes scanned.</param>
/// <param name="TapeFiles">Tape files found.</param>
/// <param name="Members">Members of IL and tar tape files.</param>
/// <param name="Files">Catalogue files written.</param>
/// <param name="RetiredAggregations">Tape files whose every member was superseded by a later write.</param>
/// <param name="Conflicts">One sentence per occurrence left out: same file twice on a tape, or different contents.</param>
/// <param name="Skipped">One sentence per tape file not rebuilt.</param>
public sealed record RebuildReport(int Tapes, int TapeFiles, int Members, int Files, int RetiredAggregations, IReadOnlyList<string> Conflicts, IReadOnlyList<string> Skipped);
