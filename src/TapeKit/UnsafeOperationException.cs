namespace TapeKit;

/// <summary>
/// An operation TapeKit refuses because carrying it out could destroy or expose data: an
/// aggregation member whose name would land outside the extraction directory, a link or device
/// member, a name with control characters, a failed append check, a wrong or write-protected
/// volume. The <c>tapekit</c> tool exits with code 4 for it.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> like <see cref="TapeFormatException"/>, so callers that
/// catch <see cref="IOException"/> around a tape or file operation see it, and tell it apart by type.
/// </remarks>
public class UnsafeOperationException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence saying what was refused and why.</param>
    /// <param name="subject">What was refused: a member name, a path, a volume.</param>
    public UnsafeOperationException(string message, string subject)
        : base(message)
    {
        Subject = subject;
    }

    /// <summary>What was refused: the member name, path or volume at fault.</summary>
    public string Subject { get; }
}
