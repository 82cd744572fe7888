using TapeKit.Aggregation;
using TapeKit.Fuzz.Targets;
using TapeKit.Labels;

namespace TapeKit.Fuzz;

/// <summary>Every fuzz target, by the name the command line and the corpus folders use.</summary>
public static class FuzzTargets
{
    /// <summary>The targets in a stable order.</summary>
    public static IReadOnlyList<FuzzTarget> All { get; } =
    [
        new("label-strict", "ANSI label parsers and AUL checks, Strict mode", input => LabelTargets.Run(input, LabelReadMode.Strict)),
        new("label-lenient", "ANSI label parsers and AUL checks, Lenient mode", input => LabelTargets.Run(input, LabelReadMode.Lenient)),
        new("il", "IL aggregation reader: open, list, verify, member read, extraction name check", input => AggregationTargets.Run(input, AggregationFormat.Il)),
        new("tar", "tar aggregation reader: open, list, verify, manifest, member read, extraction name check", input => AggregationTargets.Run(input, AggregationFormat.Tar)),
        new("vtape", "virtual cartridge reader: header, commits, index and data files; info, verify, dump, drive reads", CartridgeTarget.Run),
        new("tape-scan", "tape dump/verify/read over a cartridge built from a tape image, NL scan, append", TapeTargets.Scan),
        new("policy", "HSM policy file reader and the selector it compiles", PolicyTarget.Run),
        new("rebuild", "HSM catalogue rebuild from a hostile tape (scan, plan, write into the in-memory catalogue)", TapeTargets.Rebuild),
    ];

    /// <summary>The target named <paramref name="name"/>.</summary>
    /// <param name="name">A target name.</param>
    /// <returns>The target.</returns>
    /// <exception cref="ArgumentException">No target has that name.</exception>
    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name)
        ?? throw new ArgumentException($"No fuzz target '{name}'; the targets are {string.Join(", ", All.Select(t => t.Name))}.", nameof(name));
}
