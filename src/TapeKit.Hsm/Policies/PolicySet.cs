namespace TapeKit.Hsm.Policies;

/// <summary>A versioned, ordered set of policy rules (docs/hsm/overview.md#policies); compile it with <see cref="PolicySelector"/>.</summary>
public sealed class PolicySet
{
    /// <summary>The version, stored with every decision.</summary>
    public int Version { get; set; } = 1;

    /// <summary>The rules; the last in order must be a catch-all.</summary>
    public List<PolicyRule> Rules { get; set; } = [];
}
