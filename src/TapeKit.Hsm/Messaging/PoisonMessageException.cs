namespace TapeKit.Hsm.Messaging;

/// <summary>A message that cannot be deserialised or has an unknown schema version (F17): dead-letter it at once.</summary>
/// <remarks>One of the HSM's exceptions (<see cref="HsmException"/>), never transient: the message stays poison.</remarks>
public sealed class PoisonMessageException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">Why the message is poison.</param>
    /// <param name="inner">The deserialisation error, if any.</param>
    public PoisonMessageException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
