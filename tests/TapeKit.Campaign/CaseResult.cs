namespace TapeKit.Campaign;

/// <summary>What one case (or one kill series) did and found.</summary>
/// <param name="Kind">The kind of fault injected.</param>
/// <param name="Seed">The case's seed: with the kind, it replays the case exactly (<see cref="ReplayCommand"/>).</param>
/// <param name="Faults">Faults injected (armed on drives or the library, blocks corrupted, crashes, kills, areas filled).</param>
/// <param name="Files">Files in the workload.</param>
/// <param name="Lost">Files not archived in the end, or not readable byte-identical from some copy.</param>
/// <param name="Duplicated">Files with more committed copies than required, or more than one catalogue row.</param>
/// <param name="RecoverySeconds">Wall time from the restart after the faults to the last file archived (null: nothing to recover).</param>
/// <param name="FaultSeen">Whether the catalogue shows what the fault did (failed aggregations, tapes set aside or errors counted, crashes, refused writes).</param>
/// <param name="Failures">Every check that failed, one sentence each; empty when the case passed.</param>
/// <param name="PlannedKills">A kill series: the kills it was asked for (its replay asks for them again).</param>
internal sealed record CaseResult(CampaignFault Kind, int Seed, int Faults, int Files, int Lost, int Duplicated, double? RecoverySeconds, bool FaultSeen,
    IReadOnlyList<string> Failures, int PlannedKills = 0)
{
    /// <summary>Whether any check failed.</summary>
    public bool Failed => Failures.Count > 0;

    /// <summary>The exact command that replays this case from the repository's root.</summary>
    public string ReplayCommand => Kind == CampaignFault.Kill
        ? $"dotnet run --project tests/TapeKit.Campaign -c Release -- --kinds kill --kills {PlannedKills} --kills-per-series {PlannedKills} --seed {Seed}"
        : $"dotnet run --project tests/TapeKit.Campaign -c Release -- --replay {Kind.Name()}:{Seed}";
}
