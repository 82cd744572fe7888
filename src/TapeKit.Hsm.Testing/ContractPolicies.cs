using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Hsm.Testing;

/// <summary>The small policy set the catalogue contract files its rows under: two disk libraries, tar aggregations.</summary>
internal static class ContractPolicies
{
    /// <summary>The disk libraries the contract's topology declares command queues for.</summary>
    public static readonly string[] DiskLibraries = ["DL-A", "DL-B"];

    /// <summary>Storage group <c>sgA</c> goes to <c>DL-A</c>, <c>sgB</c> to <c>DL-B</c>, anything else to <c>DL-A</c>.</summary>
    public static PolicySet Create() => new()
    {
        Version = 1,
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
