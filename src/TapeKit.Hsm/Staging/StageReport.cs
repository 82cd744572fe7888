namespace TapeKit.Hsm.Staging;

/// <summary>What one stager run did.</summary>
/// <param name="Sessions">Recall sessions (one tape each).</param>
/// <param name="RobotMounts">Sessions that needed a robot mount.</param>
/// <param name="FilesStaged">Files read, verified and published into the read cache.</param>
/// <param name="FilesFailed">Files whose recall failed for good (no readable copy left): <c>FAILED</c>.</param>
/// <param name="FilesRequeued">Files put back to <c>STAGING_REQUESTED</c> to be read from another copy.</param>
/// <param name="Explanation">The planner's reasons: why these tapes, why now, why this order.</param>
public sealed record StageReport(int Sessions, int RobotMounts, int FilesStaged, int FilesFailed, int FilesRequeued, IReadOnlyList<string> Explanation);
