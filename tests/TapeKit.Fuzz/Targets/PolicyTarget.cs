using System.Collections.Immutable;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;

namespace TapeKit.Fuzz.Targets;

/// <summary>
/// The policy file reader (src/TapeKit.Hsm/Policies): <see cref="PolicyFileReader.Read"/> on the input as a file, then
/// the compiled selector deciding and explaining a few files, as a host does with a policy file it loaded.
/// Documented: <see cref="PolicyFileException"/> for any text that is not a valid policy set; a valid set decides every
/// file (its last rule catches all), so the selector throws nothing.
/// </summary>
internal static class PolicyTarget
{
    private static readonly HsmFileAttributes[] Files =
    [
        new() { StorageGroup = "lqcd", FileFamily = "raw", Wrapper = "cpio", Library = "CD-10KCF1", Size = 4_000 },
        new() { Size = 0 },
        new() { StorageGroup = "", Library = "x", Size = long.MaxValue, Extra = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, [new KeyValuePair<string, string>("dataset", "run-7")]) },
    ];

    public static void Run(byte[] input)
    {
        FuzzTarget.Expect(
            () =>
            {
                (PolicySet set, PolicySelector selector) = PolicyFileReader.Read(new MemoryStream(input, writable: false), "fuzz.json");
                _ = (set.Version, set.Rules.Count, selector.Version, selector.Warnings.Count, selector.RuleNames.Count);
                foreach (HsmFileAttributes file in Files)
                {
                    PolicyDecision decision = selector.Decide(file);
                    _ = decision.ToString();
                    PolicyExplanation explanation = selector.Explain(file);
                    _ = explanation.ToString();
                }
            },
            typeof(PolicyFileException));

        // Parse alone (no validation) is a public entry point too.
        FuzzTarget.Expect(() => _ = PolicyFileReader.Parse(input, "fuzz.json"), typeof(PolicyFileException));
    }
}
