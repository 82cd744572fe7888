using System.Text;

namespace TapeKit.Aggregation;

/// <summary>The member name rules of F12: a relative UTF-8 path of 1 to 4096 bytes, safe to extract.</summary>
public static class MemberName
{
    /// <summary>The longest name in UTF-8 bytes (F12.1).</summary>
    public const int MaxBytes = 4096;

    /// <summary>The reserved name of the tar manifest (F6.5, F12.2).</summary>
    public const string Manifest = "TAPEKIT-MANIFEST.json";

    /// <summary>Why a name breaks F12.1, or <see langword="null"/> when it is valid.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A phrase such as "has a \"..\" component", or <see langword="null"/>.</returns>
    public static string? Problem(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            return "is empty";
        }

        if (name.Length <= MaxBytes && !name.AsSpan().ContainsAnyExcept(SafeAscii))
        {
            // Fast path: printable ASCII without backslash; only the components remain to check.
            return ComponentProblem(name);
        }

        int bytes;
        try
        {
            bytes = Strict.GetByteCount(name);
        }
        catch (EncoderFallbackException)
        {
            return "is not valid Unicode (a lone surrogate)";
        }

        if (bytes > MaxBytes)
        {
            return $"is {bytes} UTF-8 bytes long; at most {MaxBytes} are allowed";
        }

        foreach (char c in name)
        {
            if (c < 0x20 || c == 0x7F)
            {
                return $"contains the control character 0x{(int)c:X2}";
            }

            if (c == '\\')
            {
                return "contains a backslash";
            }
        }

        return ComponentProblem(name);
    }

    private static string? ComponentProblem(string name)
    {
        var n = name.AsSpan();
        if (n[0] == '/')
        {
            return "is an absolute path";
        }

        // One pass over the components' starts (0 and after every slash; most names have a few): an empty component is
        // reported before a "." one, and a "." one before a "..", whatever their order in the name.
        bool dot = false, dotDot = false;
        for (int start = 0; ;)
        {
            if (start == n.Length || n[start] == '/')
            {
                return "has an empty component";
            }

            if (n[start] == '.')
            {
                int end = start + 1 < n.Length && n[start + 1] == '.' ? start + 2 : start + 1;
                if (end == n.Length || n[end] == '/')
                {
                    dot |= end == start + 1;
                    dotDot |= end == start + 2;
                }
            }

            int slash = n[start..].IndexOf('/');
            if (slash < 0)
            {
                break;
            }

            start += slash + 1;
        }

        return dot ? "has a \".\" component" : dotDot ? "has a \"..\" component" : null;
    }

    /// <summary>Whether <paramref name="name"/> satisfies F12.1.</summary>
    /// <param name="name">The name.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool IsValid(string name) => Problem(name) is null;

    /// <summary>Throws <see cref="ArgumentException"/> naming the rule <paramref name="name"/> breaks (writers, F12.2).</summary>
    /// <param name="name">The name.</param>
    /// <param name="parameterName">The caller's parameter name.</param>
    public static void Validate(string name, string parameterName)
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException($"The member name \"{Printable(name)}\" {problem}.", parameterName);
        }
    }

    /// <summary>
    /// Records <paramref name="name"/> as taken in an aggregation (F12.2): the manifest's name is
    /// reserved and names are unique byte-wise.
    /// </summary>
    /// <param name="taken">The names already in the aggregation (ordinal comparer).</param>
    /// <param name="name">The new member's name.</param>
    /// <param name="parameterName">The argument named in the exception.</param>
    /// <exception cref="ArgumentException">The name is reserved or already taken.</exception>
    internal static void Claim(HashSet<string> taken, string name, string parameterName)
    {
        if (name == Manifest)
        {
            throw new ArgumentException($"The member name \"{Manifest}\" is reserved (F12.2).", parameterName);
        }

        if (!taken.Add(name))
        {
            throw new ArgumentException($"The member name \"{name}\" is already in this aggregation (F12.2).", parameterName);
        }
    }

    /// <summary>The name with control characters shown as <c>\xNN</c>, for messages.</summary>
    /// <param name="name">The name.</param>
    /// <returns>A printable form.</returns>
    public static string Printable(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            if (c < 0x20 || c == 0x7F)
            {
                builder.Append("\\x").Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static readonly System.Buffers.SearchValues<char> SafeAscii = System.Buffers.SearchValues.Create(
        " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]^_`abcdefghijklmnopqrstuvwxyz{|}~");

    /// <summary>UTF-8 that throws on lone surrogates instead of writing U+FFFD.</summary>
    internal static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
