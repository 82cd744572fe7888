namespace TapeKit.Hsm.Policies;

/// <summary>A policy set failed validation at load; <see cref="Errors"/> names each bad rule and field.</summary>
/// <remarks>
/// One of the HSM's exceptions (<see cref="HsmException"/>), never transient: the same set fails the same way until it
/// is corrected.
/// </remarks>
public sealed class PolicyValidationException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">One sentence per problem.</param>
    public PolicyValidationException(IReadOnlyList<string> errors)
        : base("The policy set is invalid: " + string.Join(" ", errors ?? []))
    {
        Errors = errors ?? [];
    }

    /// <summary>The problems found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
