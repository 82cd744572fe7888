using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace TapeKit.Aggregation.Il;

/// <summary>Encoding and decoding of IL header fields (F5.3): num, text, host and name.</summary>
internal static class IlFields
{
    public const string Kind = "IL header";

    private static readonly ulong[] s_powersOf10 = BuildPowers();

    /// <summary>num: decimal, Z-pad; a value that does not fit throws (a writer must not cut a number).</summary>
    public static void WriteNumber(Span<byte> field, ulong value, string name)
    {
        if (field.Length < 20 && value >= s_powersOf10[field.Length])
        {
            ThrowNumberTooLarge(name, value, field.Length);
        }

        for (int i = field.Length - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    /// <summary>text: printable ASCII, S-pad, a longer value keeps its rightmost characters.</summary>
    public static void WriteText(Span<byte> field, string value)
    {
        ReadOnlySpan<char> chars = value.Length > field.Length ? value.AsSpan(value.Length - field.Length) : value;
        WritePadded(field, chars);
    }

    /// <summary>host: as text, but a longer value keeps its leftmost characters.</summary>
    public static void WriteHost(Span<byte> field, string value)
    {
        ReadOnlySpan<char> chars = value.Length > field.Length ? value.AsSpan(0, field.Length) : value;
        WritePadded(field, chars);
    }

    /// <summary>name: UTF-8, the last 649 bytes without a split sequence, S-pad.</summary>
    public static void WriteName(Span<byte> field, string name)
    {
        int count = Encoding.UTF8.GetByteCount(name);
        Span<byte> bytes = count <= MemberName.MaxBytes ? stackalloc byte[MemberName.MaxBytes] : new byte[count];
        ReadOnlySpan<byte> tail = bytes[..Encoding.UTF8.GetBytes(name, bytes)];
        if (tail.Length > field.Length)
        {
            tail = tail[^field.Length..];
            while (!tail.IsEmpty && (tail[0] & 0xC0) == 0x80)
            {
                tail = tail[1..];
            }
        }

        tail.CopyTo(field);
        field[tail.Length..].Fill((byte)' ');
    }

    /// <summary>The name as an IL reader sees it: the last 649 UTF-8 bytes (no split character), trailing spaces removed (F5.3).</summary>
    public static string StoredName(string name)
    {
        Span<byte> field = stackalloc byte[IlHeaderLayout.FileNameLength];
        WriteName(field, name);
        return Encoding.UTF8.GetString(field.TrimEnd((byte)' '));
    }

    /// <summary>Throws <see cref="ArgumentException"/> unless every character is printable ASCII (F5.3).</summary>
    public static void ValidateText(string? value, string name)
    {
        if (value is null)
        {
            return;
        }

        foreach (char c in value)
        {
            if (c is < ' ' or > '~')
            {
                throw new ArgumentException($"IL header field {name} must be printable ASCII; \"{MemberName.Printable(value)}\" contains U+{(int)c:X4}.", name);
            }
        }
    }

    /// <summary>Cleans a value from the environment or the drive (F1.4): non-printables become <c>?</c>, trailing spaces go.</summary>
    public static string Clean(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(value.Length);
        foreach (char c in value)
        {
            builder.Append(c is < ' ' or > '~' ? '?' : c);
        }

        return builder.ToString().TrimEnd(' ');
    }

    /// <summary>Parses a num field; all digits or a <see cref="TapeFormatException"/> naming the field.</summary>
    public static ulong ParseNumber(ReadOnlySpan<byte> header, int offset, int length, string name, long baseOffset)
    {
        var field = header.Slice(offset, length);
        ulong value = 0;
        foreach (byte b in field)
        {
            uint digit = (uint)(b - '0');
            if (digit > 9)
            {
                ThrowField(name, offset, length, field, baseOffset, "is not all decimal digits");
            }

            ulong next = (value * 10) + digit;
            if (value > ulong.MaxValue / 10 || next < value * 10)
            {
                ThrowField(name, offset, length, field, baseOffset, "does not fit in 64 bits");
            }

            value = next;
        }

        return value;
    }

    /// <summary>Decodes a text or host field: ASCII with trailing spaces removed.</summary>
    public static string ParseText(ReadOnlySpan<byte> header, int offset, int length) =>
        Encoding.ASCII.GetString(header.Slice(offset, length).TrimEnd((byte)' '));

    [DoesNotReturn]
    public static void ThrowField(string name, int offset, int length, ReadOnlySpan<byte> found, long baseOffset, string problem) =>
        throw new TapeFormatException(
            $"{Kind} field {name} (offset {offset}, length {length}) of the block at byte {baseOffset} is \"{TapeFormatException.Printable(found)}\", which {problem}.",
            Kind, name, baseOffset + offset, length, TapeFormatException.Printable(found));

    [DoesNotReturn]
    public static void ThrowMismatch(string name, int offset, int length, ReadOnlySpan<byte> found, long baseOffset, string expected) =>
        throw new TapeFormatException(
            $"{Kind} field {name} (offset {offset}, length {length}) of the block at byte {baseOffset} is \"{TapeFormatException.Printable(found)}\"; expected {expected}.",
            Kind, name, baseOffset + offset, length, TapeFormatException.Printable(found));

    private static void WritePadded(Span<byte> field, ReadOnlySpan<char> chars)
    {
        for (int i = 0; i < chars.Length; i++)
        {
            field[i] = (byte)chars[i];
        }

        field[chars.Length..].Fill((byte)' ');
    }

    [DoesNotReturn]
    private static void ThrowNumberTooLarge(string name, ulong value, int digits) =>
        throw new ArgumentOutOfRangeException(name, value, $"IL header field {name} holds {digits} decimal digits; {value} does not fit.");

    private static ulong[] BuildPowers()
    {
        var powers = new ulong[20];
        powers[0] = 1;
        for (int i = 1; i < powers.Length; i++)
        {
            powers[i] = powers[i - 1] * 10;
        }

        return powers;
    }
}
