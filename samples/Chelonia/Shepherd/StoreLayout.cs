using System.Globalization;

namespace Chelonia.Shepherd;

/// <summary>
/// Where a Shepherd keeps things, all under its store directory: <c>data/</c> the published copies, named
/// <c>{file id, 16 hex digits}.{xxh3}</c> (the expected checksum travels with the copy through the rename that
/// publishes it); <c>tmp/</c> copies being received, named by transfer id; <c>journal/</c> the transfers in progress.
/// Names are made from typed ids only — never from a client's text — and every path is checked to lie inside the store.
/// </summary>
public sealed class StoreLayout
{
    /// <summary>Creates the layout (and its directories) under <paramref name="root"/>.</summary>
    /// <param name="root">The store directory.</param>
    public StoreLayout(string root)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        Root = Path.GetFullPath(root);
        Data = Directory.CreateDirectory(Path.Combine(Root, "data")).FullName;
        Temp = Directory.CreateDirectory(Path.Combine(Root, "tmp")).FullName;
        Journal = Directory.CreateDirectory(Path.Combine(Root, "journal")).FullName;
    }

    /// <summary>The store directory.</summary>
    public string Root { get; }

    /// <summary>The published copies.</summary>
    public string Data { get; }

    /// <summary>Copies being received.</summary>
    public string Temp { get; }

    /// <summary>The transfers in progress.</summary>
    public string Journal { get; }

    /// <summary>The published copy of a file with its expected checksum.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="xxh3">The expected XXH3 (16 hex digits).</param>
    public string DataPath(long fileId, string xxh3) =>
        Inside(Data, string.Create(CultureInfo.InvariantCulture, $"{fileId:x16}.{Hex16(xxh3)}"));

    /// <summary>The temporary name of a transfer being received.</summary>
    /// <param name="transferId">The transfer.</param>
    public string TempPath(Guid transferId) => Inside(Temp, transferId.ToString("N") + ".part");

    /// <summary>The journal entry of a transfer.</summary>
    /// <param name="transferId">The transfer.</param>
    public string JournalPath(Guid transferId) => Inside(Journal, transferId.ToString("N") + ".json");

    /// <summary>Parses a published copy's name; false for anything else (left alone by the start-up scan).</summary>
    /// <param name="name">The file name.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="xxh3">The expected checksum.</param>
    public static bool TryParseDataName(string name, out long fileId, out string xxh3)
    {
        ArgumentNullException.ThrowIfNull(name);
        fileId = 0;
        xxh3 = "";
        if (name.Length != 33 || name[16] != '.' || !IsHex(name.AsSpan(17))
            || !long.TryParse(name.AsSpan(0, 16), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out fileId) || fileId < 0)
        {
            return false;
        }

        xxh3 = name[17..];
        return true;
    }

    private static string Hex16(string text) => text.Length == 16 && IsHex(text)
        ? text
        : throw new ArgumentException($"'{text}' is not an XXH3 value (16 lowercase hex digits).", nameof(text));

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (char c in s)
        {
            if (!char.IsAsciiDigit(c) && c is not (>= 'a' and <= 'f'))
            {
                return false;
            }
        }

        return s.Length == 16;
    }

    /// <summary>Joins a generated name to a directory and checks the result stays inside it.</summary>
    private static string Inside(string directory, string name)
    {
        string full = Path.GetFullPath(Path.Combine(directory, name));
        return Path.GetDirectoryName(full) == directory
            ? full
            : throw new InvalidOperationException($"'{name}' would leave the store directory {directory}.");
    }
}
