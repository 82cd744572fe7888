using System.Diagnostics.CodeAnalysis;

namespace TapeKit.Aggregation.Tar;

/// <summary>Octal and base-256 numbers of tar headers (docs/formats/alb.md#5-the-tar-payload, F6.2).</summary>
internal static class TarNumbers
{
    /// <summary>The first size that needs base-256: 8 GiB (11 octal digits hold 8 GiB − 1).</summary>
    public const long Base256Threshold = 8L * 1024 * 1024 * 1024;

    /// <summary>Writes <paramref name="value"/> as <c>field.Length − 1</c> octal digits and a NUL (TarWriter's form).</summary>
    public static void WriteOctal(Span<byte> field, long value)
    {
        int digits = field.Length - 1;
        for (int i = digits - 1; i >= 0; i--)
        {
            field[i] = (byte)('0' + (value & 7));
            value >>= 3;
        }

        field[digits] = 0;
    }

    /// <summary>Writes a size: octal below 8 GiB, base-256 (0x80 then a big-endian integer) from 8 GiB (F6.2).</summary>
    public static void WriteSize(Span<byte> field, long size)
    {
        if (size < Base256Threshold)
        {
            WriteOctal(field, size);
            return;
        }

        field.Clear();
        field[0] = 0x80;
        for (int i = field.Length - 1; i > 0 && size != 0; i--)
        {
            field[i] = (byte)size;
            size >>= 8;
        }
    }

    /// <summary>
    /// Parses a numeric field the way GNU tar and libarchive accept it: leading spaces, octal
    /// digits, then NUL or space terminators; all NUL or spaces is 0; a first byte 0x80 marks
    /// base-256. Negative and oversized values are errors.
    /// </summary>
    public static long Parse(ReadOnlySpan<byte> header, int offset, int length, string name, long headerOffset)
    {
        var field = header.Slice(offset, length);
        if (field[0] == 0x80)
        {
            long value = 0;
            foreach (byte b in field[1..])
            {
                if (value > (long.MaxValue >> 8))
                {
                    Throw(name, offset, length, field, headerOffset, "is a base-256 number too large for 63 bits");
                }

                value = (value << 8) | b;
            }

            return value;
        }

        if (field[0] == 0xFF)
        {
            Throw(name, offset, length, field, headerOffset, "is a negative base-256 number");
        }

        int i = 0;
        while (i < field.Length && field[i] == ' ')
        {
            i++;
        }

        long result = 0;
        int digits = 0;
        for (; i < field.Length; i++)
        {
            byte b = field[i];
            if (b is >= (byte)'0' and <= (byte)'7')
            {
                if (result > (long.MaxValue >> 3))
                {
                    Throw(name, offset, length, field, headerOffset, "is an octal number too large");
                }

                result = (result << 3) | (long)(b - '0');
                digits++;
                continue;
            }

            if (b is 0 or (byte)' ')
            {
                break;
            }

            Throw(name, offset, length, field, headerOffset, "is not an octal number");
        }

        for (; i < field.Length; i++)
        {
            if (field[i] is not (0 or (byte)' '))
            {
                Throw(name, offset, length, field, headerOffset, "has bytes after its octal number");
            }
        }

        return result;
    }

    [DoesNotReturn]
    public static void Throw(string name, int offset, int length, ReadOnlySpan<byte> field, long headerOffset, string problem) =>
        throw new TapeFormatException(
            $"tar header field {name} (offset {offset}, length {length}) of the header at byte {headerOffset} is \"{TapeFormatException.Printable(field)}\", which {problem}.",
            "tar header", name, headerOffset + offset, length, TapeFormatException.Printable(field));
}
