using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Policies;

/// <summary>Maps file attributes to a policy decision (docs/hsm/overview.md#policies).</summary>
public interface IPolicySelector
{
    /// <summary>The version of the policy set.</summary>
    int Version { get; }

    /// <summary>Decides for a file. Never fails at run time: a valid set ends with a catch-all.</summary>
    /// <param name="file">The file's attributes.</param>
    PolicyDecision Decide(HsmFileAttributes file);

    /// <summary>Decides and explains rule by rule, attribute by attribute (P6).</summary>
    /// <param name="file">The file's attributes.</param>
    PolicyExplanation Explain(HsmFileAttributes file);
}
