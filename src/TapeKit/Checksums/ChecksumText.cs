using System.Globalization;

namespace TapeKit.Checksums;

/// <summary>The text forms of checksums (F8.1).</summary>
public static class ChecksumText
{
    /// <summary>Adler-32 in the manifest, CLI and JSON: 8 lowercase hex digits (<c>0aff020e</c>).</summary>
    /// <param name="value">The checksum.</param>
    /// <returns>The text.</returns>
    public static string Adler32Hex(uint value) => value.ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>Adler-32 in an IL header: 10 decimal digits, zero-padded (<c>0184484366</c>).</summary>
    /// <param name="value">The checksum.</param>
    /// <returns>The text.</returns>
    public static string Adler32Decimal(uint value) => value.ToString("D10", CultureInfo.InvariantCulture);

    /// <summary>Adler-32 as CASTOR's name server stores it: lowercase hex without leading zeros (<c>aff020e</c>).</summary>
    /// <param name="value">The checksum.</param>
    /// <returns>The text.</returns>
    public static string Adler32Castor(uint value) => value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>XXH3-64 or XXH64: 16 lowercase hex digits of the 64-bit value (its canonical big-endian bytes).</summary>
    /// <param name="value">The hash.</param>
    /// <returns>The text.</returns>
    public static string Hash64Hex(ulong value) => value.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>Parses 8 hex digits of an Adler-32 (either case).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The checksum.</param>
    /// <returns>Whether <paramref name="text"/> is exactly 8 hex digits.</returns>
    public static bool TryParseAdler32Hex(ReadOnlySpan<char> text, out uint value)
    {
        value = 0;
        return text.Length == 8 && IsHex(text) && uint.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Parses 16 hex digits of a 64-bit hash (either case).</summary>
    /// <param name="text">The text.</param>
    /// <param name="value">The hash.</param>
    /// <returns>Whether <paramref name="text"/> is exactly 16 hex digits.</returns>
    public static bool TryParseHash64Hex(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        return text.Length == 16 && IsHex(text) && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
    }

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");

    private static bool IsHex(ReadOnlySpan<char> text) => !text.ContainsAnyExcept(HexDigits);
}
