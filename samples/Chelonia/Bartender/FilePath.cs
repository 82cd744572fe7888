using System.IO.Hashing;
using System.Text;
using Chelonia.Wire;

namespace Chelonia.Bartender;

/// <summary>
/// A client's file path, checked: relative ('/'-separated segments, no leading '/'), no empty, '.' or '..' segment, no
/// backslash, no control character, at most 1 024 bytes, and not ending in the reserved segment <c>replicas</c>. Its
/// file id is a 63-bit XXH3 of its UTF-8 bytes, so every service finds the file by id alone and no client text ever
/// becomes a name on a Shepherd's disk.
/// </summary>
public sealed record FilePath
{
    /// <summary>The reserved last segment (<c>GET /files/{path}/replicas</c>).</summary>
    public const string ReplicasSegment = "replicas";

    private FilePath(string value, long fileId)
    {
        Value = value;
        FileId = fileId;
    }

    /// <summary>The path.</summary>
    public string Value { get; }

    /// <summary>The file id.</summary>
    public long FileId { get; }

    /// <summary>Checks a path as it came in the URL (still percent-encoded where the router left it so).</summary>
    /// <param name="raw">The route value.</param>
    /// <exception cref="ChelInputException">The path is not acceptable; the error names the fault.</exception>
    public static FilePath Parse(string? raw)
    {
        string text;
        try
        {
            text = Uri.UnescapeDataString(raw ?? "");
        }
        catch (UriFormatException)
        {
            throw Bad("The path is not valid percent-encoding.", raw);
        }

        if (text.Length == 0)
        {
            throw Bad("The path is empty.", text);
        }

        if (Encoding.UTF8.GetByteCount(text) > 1024)
        {
            throw Bad("The path is longer than 1024 bytes.", text[..64] + "…");
        }

        if (text[0] == '/')
        {
            throw Bad("The path is absolute; give it relative to the store.", text);
        }

        foreach (char c in text)
        {
            if (char.IsControl(c) || c == '\\')
            {
                throw Bad($"The path holds {(c == '\\' ? "a backslash" : $"control character U+{(int)c:X4}")}.", text);
            }
        }

        foreach (string segment in text.Split('/'))
        {
            if (segment is "" or "." or "..")
            {
                throw Bad($"The path holds the segment '{segment}'; segments are not empty, '.' or '..'.", text);
            }
        }

        return new FilePath(text, (long)(XxHash3.HashToUInt64(Encoding.UTF8.GetBytes(text)) & long.MaxValue));
    }

    /// <summary>Checks a path for an upload: <see cref="Parse"/>, and not ending in the reserved segment.</summary>
    /// <param name="raw">The route value.</param>
    /// <exception cref="ChelInputException">The path is not acceptable.</exception>
    public static FilePath ParseForUpload(string? raw)
    {
        FilePath p = Parse(raw);
        return p.Value == ReplicasSegment || p.Value.EndsWith("/" + ReplicasSegment, StringComparison.Ordinal)
            ? throw Bad($"A path's last segment cannot be '{ReplicasSegment}': GET /files/PATH/{ReplicasSegment} shows a file's replicas.", p.Value)
            : p;
    }

    private static ChelInputException Bad(string detail, string? subject) => new("badPath", detail, subject);
}
