namespace TapeKit;

/// <summary>
/// An operation TapeKit refuses because carrying it out could destroy or expose data: an
/// aggregation member whose name would land outside the extraction directory, a link or device
/// member, a name with control characters, a failed append check, a wrong volume, a catalogue that
/// lags the tape. <see cref="Kind"/> says which. The <c>tapekit</c> tool exits with code 4 for it.
/// </summary>
/// <remarks>
/// It derives from <see cref="IOException"/> like <see cref="TapeFormatException"/>, so callers that
/// catch <see cref="IOException"/> around a tape or file operation see it, and tell it apart by type,
/// then by <see cref="Kind"/>.
/// </remarks>
public class UnsafeOperationException : IOException
{
    /// <summary>Creates the exception with <see cref="UnsafeOperationKind.Unclassified"/>.</summary>
    /// <param name="message">A sentence saying what was refused and why.</param>
    /// <param name="subject">What was refused: a member name, a path, a volume.</param>
    public UnsafeOperationException(string message, string subject)
        : this(message, subject, UnsafeOperationKind.Unclassified)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence saying what was refused and why.</param>
    /// <param name="subject">What was refused: a member name, a path, a volume.</param>
    /// <param name="kind">Why it was refused, for callers that decide by it.</param>
    public UnsafeOperationException(string message, string subject, UnsafeOperationKind kind)
        : base(message)
    {
        Subject = subject;
        Kind = kind;
    }

    /// <summary>What was refused: the member name, path or volume at fault.</summary>
    public string Subject { get; }

    /// <summary>Why it was refused; callers branch on this, never on <see cref="Exception.Message"/>.</summary>
    public UnsafeOperationKind Kind { get; }
}
