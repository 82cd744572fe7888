using System.Text;
using TapeKit;
using TapeKit.Aggregation;
using TapeKit.IO;

namespace SmallFilesCache;

/// <summary>One line of a recall list the reader refused, and why.</summary>
/// <param name="Line">Its line number (1-based).</param>
/// <param name="Text">The line as far as it was read, printable (control characters as <c>\xNN</c>), at most 200 characters.</param>
/// <param name="Reason">Why it is not a namespace path.</param>
public sealed record RecallListRefusal(int Line, string Text, string Reason);

/// <summary>
/// The recall-list boundary: a list is a regular file (never a link, a FIFO or a hard link) of UTF-8 lines, one
/// namespace path a line. Memory stays bounded whatever the file holds: a line is never kept beyond
/// <see cref="MaxLineBytes"/>, and a list of more than the site's entry limit is refused whole. A line that is not an
/// absolute namespace path under the member name rules (F12.1) after its leading <c>/</c> is refused alone.
/// </summary>
public static class RecallListReader
{
    /// <summary>The longest line kept: a leading <c>/</c>, a 4096-byte name, a <c>\r</c> and surrounding blanks.</summary>
    public const int MaxLineBytes = MemberName.MaxBytes + 64;

    /// <summary>Reads a recall list.</summary>
    /// <param name="path">The list.</param>
    /// <param name="maxEntries">The most entries (non-blank lines) the list may hold.</param>
    /// <param name="refused">The lines refused alone.</param>
    /// <returns>The namespace paths, in list order.</returns>
    /// <exception cref="UnsafeOperationException">The list is not a plain regular file, or holds more than <paramref name="maxEntries"/>
    /// entries (<see cref="UnsafeOperationKind.InputTooLarge"/>); nothing of it is requested.</exception>
    public static List<string> Read(string path, int maxEntries, out List<RecallListRefusal> refused)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        refused = [];
        var paths = new List<string>();
        using FileStream stream = FileNodes.OpenRegular(path, allowHardLinks: false, out _);
        byte[] chunk = new byte[64 * 1024];
        byte[] line = new byte[MaxLineBytes];
        int length = 0, number = 0, entries = 0;
        bool tooLong = false;
        var utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        void EndLine(List<RecallListRefusal> refusals)
        {
            number++;
            ReadOnlySpan<byte> bytes = line.AsSpan(0, length);
            string? text = null;
            string? reason = null;
            try
            {
                text = utf8.GetString(bytes).Trim();
            }
            catch (DecoderFallbackException)
            {
                reason = "it is not UTF-8";
            }

            if (text is { Length: 0 } && !tooLong)
            {
                length = 0;
                return; // a blank line
            }

            if (++entries > maxEntries)
            {
                throw new UnsafeOperationException(
                    $"Refusing the recall list {path}: it holds more than {maxEntries} entries (RecallListMaxEntries).", path, UnsafeOperationKind.InputTooLarge);
            }

            reason ??= tooLong ? $"it is longer than {MaxLineBytes} bytes" : Problem(text!);
            if (reason is null)
            {
                paths.Add(text!);
            }
            else
            {
                string shown = MemberName.Printable(text ?? Encoding.UTF8.GetString(bytes));
                refusals.Add(new RecallListRefusal(number, shown.Length > 200 ? shown[..200] + "…" : shown, reason));
            }

            length = 0;
            tooLong = false;
        }

        int read;
        while ((read = stream.Read(chunk)) > 0)
        {
            foreach (byte b in chunk.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    EndLine(refused);
                }
                else if (length < line.Length)
                {
                    line[length++] = b;
                }
                else
                {
                    tooLong = true; // the rest of the line is skipped, never kept
                }
            }
        }

        if (length > 0 || tooLong)
        {
            EndLine(refused);
        }

        return paths;
    }

    /// <summary>Why <paramref name="namespacePath"/> is not a namespace path, or <see langword="null"/>.</summary>
    /// <param name="namespacePath">A line of a recall list, trimmed.</param>
    /// <returns>A phrase, or <see langword="null"/>.</returns>
    public static string? Problem(string namespacePath)
    {
        ArgumentNullException.ThrowIfNull(namespacePath);
        if (!namespacePath.StartsWith('/'))
        {
            return "it is not an absolute namespace path (it must start with '/')";
        }

        return MemberName.Problem(namespacePath[1..]) is { } problem ? $"the name {problem}" : null;
    }
}
