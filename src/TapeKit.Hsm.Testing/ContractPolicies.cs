using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// The small policy set the catalogue contract files its rows under: two disk libraries, tar aggregations of at most
/// four files or 4 000 bytes. A provider's own tests can file their rows under it too.
/// </summary>
public static class ContractPolicies
{
    /// <summary>The disk libraries the contract's topology declares command queues for.</summary>
    public static IReadOnlyList<string> DiskLibraries { get; } = ["DL-A", "DL-B"];

    /// <summary>Storage group <c>sgA</c> goes to <c>DL-A</c>, <c>sgB</c> to <c>DL-B</c>, anything else to <c>DL-A</c>.</summary>
    /// <param name="version">The policy set's version (recorded in every decision).</param>
    public static PolicySet Create(int version = 1) => new()
    {
        Version = version,
        Rules =
        [
            Rule("a", "DL-A", new() { ["storageGroup"] = "sgA" }),
            Rule("b", "DL-B", new() { ["storageGroup"] = "sgB" }),
            Rule("default", "DL-A", []),
        ],
    };

    private static PolicyRule Rule(string name, string diskLibrary, Dictionary<string, string> match) => new()
    {
        Name = name,
        DiskLibrary = diskLibrary,
        Match = match,
        Format = AggregationPayloadFormat.Tar,
        SmallFileThreshold = 1500,
        MaxMemberSize = 1500,
        MaxFilesPerAggregation = 4,
        MaxBytes = 4000,
        MaxWaitingTime = TimeSpan.FromMinutes(2),
    };
}
