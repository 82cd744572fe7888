namespace TapeKit.Hsm.Policies;

/// <summary>
/// What a policy set is validated against at load (docs/hsm/overview.md#policies): the disk libraries and tape pools that
/// exist, and the smallest cartridge capacity of each pool. An empty environment skips those checks.
/// </summary>
public sealed class PolicyEnvironment
{
    /// <summary>Known disk library names; empty = not checked.</summary>
    public ISet<string> DiskLibraries { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Known tape pools with the smallest cartridge capacity in bytes; empty = not checked.</summary>
    public IDictionary<string, long> TapePoolCapacities { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    /// <summary>The largest share of the smallest cartridge a list may fill (5 %).</summary>
    public double MaxBytesShareOfCartridge { get; init; } = 0.05;
}
