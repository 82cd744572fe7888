using System.Diagnostics;

namespace TapeKit.Labels;

/// <summary>Encoding rules of <c>docs/formats/aul.md#2-the-labels</c> on spans: S-pad text, Z-pad numbers modulo 10ⁿ.</summary>
internal static class LabelAscii
{
    public const byte Space = (byte)' ';

    public static bool IsBlank(ReadOnlySpan<byte> field) => !field.ContainsAnyExcept(Space);

    public static bool IsPrintable(byte b) => b is >= 0x20 and <= 0x7E;

    /// <summary>The offset of the first byte outside 0x20–0x7E, or −1.</summary>
    public static int IndexOfNonPrintable(ReadOnlySpan<byte> bytes) => bytes.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E);

    /// <summary>Whether every byte is a decimal digit (and there is at least one).</summary>
    public static bool IsDigits(ReadOnlySpan<byte> field) => !field.IsEmpty && !field.ContainsAnyExceptInRange((byte)'0', (byte)'9');

    /// <summary>Parses a field of decimal digits; false if any byte is not a digit.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<byte> field, out long value)
    {
        value = 0;
        if (!IsDigits(field) || field.Length > 18)
        {
            return false;
        }

        foreach (byte b in field)
        {
            value = (value * 10) + (b - '0');
        }

        return true;
    }

    /// <summary>Parses a hexadecimal file id, S-padded (CTA <c>HeaderChecker::checkHDR1</c> reads it so).</summary>
    public static bool TryParseHexId(ReadOnlySpan<byte> field, out ulong value)
    {
        value = 0;
        ReadOnlySpan<byte> text = field.TrimEnd(Space);
        if (text.IsEmpty || text.Length > 16)
        {
            return false;
        }

        foreach (byte b in text)
        {
            int digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return false;
            }

            value = (value << 4) | (uint)digit;
        }

        return true;
    }

    /// <summary>Writes S-pad text, cut on the right; the caller has checked it is printable ASCII.</summary>
    public static void WriteText(Span<byte> field, ReadOnlySpan<char> text)
    {
        field.Fill(Space);
        int n = Math.Min(field.Length, text.Length);
        for (int i = 0; i < n; i++)
        {
            Debug.Assert(text[i] is >= ' ' and <= '~', "label text is printable ASCII");
            field[i] = (byte)text[i];
        }
    }

    /// <summary>Writes a Z-pad decimal number of the field's width, taken modulo 10^width (CTA <c>setInt</c>).</summary>
    public static void WriteDecimal(Span<byte> field, ulong value)
    {
        for (int i = field.Length - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (int)(value % 10));
            value /= 10;
        }
    }

    /// <summary>Writes an id in uppercase hexadecimal without leading zeros, S-pad (CTA <c>FileWriter.cpp</c>).</summary>
    public static void WriteHexId(Span<byte> field, ulong value)
    {
        Span<byte> digits = stackalloc byte[16];
        int n = 0;
        do
        {
            int d = (int)(value & 0xF);
            digits[15 - n] = (byte)(d < 10 ? '0' + d : 'A' + d - 10);
            value >>= 4;
            n++;
        }
        while (value != 0);

        field.Fill(Space);
        digits[(16 - n)..].CopyTo(field);
    }

    /// <summary>Decodes printable ASCII to a string; callers trim where the API says so.</summary>
    public static string ToText(ReadOnlySpan<byte> field) => System.Text.Encoding.ASCII.GetString(field);

    /// <summary>Decodes S-pad text without its padding.</summary>
    public static string ToTrimmedText(ReadOnlySpan<byte> field) => ToText(field.TrimEnd(Space));

    /// <summary>Whether the text is printable ASCII (0x20–0x7E), as every label byte must be.</summary>
    public static bool IsPrintable(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange(' ', '~');
}
