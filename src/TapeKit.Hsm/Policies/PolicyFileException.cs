namespace TapeKit.Hsm.Policies;

/// <summary>
/// A policy file is not JSON, not a policy set, or holds an invalid set (<see cref="PolicyFileReader"/>): bad input, not
/// a bad call or a failed store, so a host reports it as such. The message names the file, rule and field.
/// </summary>
public sealed class PolicyFileException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The file, rule and field, and what is wrong.</param>
    /// <param name="inner">The JSON or validation error, if any.</param>
    public PolicyFileException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
