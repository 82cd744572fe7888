namespace TapeKit.Hsm.Model;

/// <summary>
/// The output of the policy selector (docs/hsm/overview.md#policies), made once when a file is created and stored in its row.
/// </summary>
/// <param name="RuleName">The matching rule.</param>
/// <param name="PolicyKey">Names the file list: rule name, library and the matched values, joined by <c>|</c>.</param>
/// <param name="DiskLibrary">The home disk library; the routing key of commands.</param>
/// <param name="Strategy">Aggregate or write directly.</param>
/// <param name="Format">The aggregation format (<see cref="AggregationPayloadFormat.None"/> for direct files).</param>
/// <param name="Limits">The list limits of the rule.</param>
/// <param name="TapePool">The tape pool written to.</param>
/// <param name="CopyCount">How many tape copies are required.</param>
/// <param name="Priority">The queue priority of the file's lists.</param>
/// <param name="PolicyVersion">The version of the policy set that decided.</param>
public sealed record PolicyDecision(
    string RuleName,
    string PolicyKey,
    string DiskLibrary,
    ArchiveStrategy Strategy,
    AggregationPayloadFormat Format,
    ListLimits Limits,
    string TapePool,
    int CopyCount,
    RequestPriority Priority,
    int PolicyVersion);
