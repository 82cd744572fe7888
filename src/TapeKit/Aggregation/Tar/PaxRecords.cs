using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace TapeKit.Aggregation.Tar;

/// <summary>The records of a pax <c>x</c> or <c>g</c> header (docs/formats/alb.md#5-the-tar-payload): <c>"&lt;length&gt; &lt;key&gt;=&lt;value&gt;\n"</c>.</summary>
internal static class PaxRecords
{
    /// <summary>Parses every record into <paramref name="into"/> (later keys override earlier ones).</summary>
    public static void Parse(ReadOnlySpan<byte> data, Dictionary<string, string> into, long dataOffset)
    {
        int at = 0;
        while (at < data.Length)
        {
            if (data[at] == 0)
            {
                // Some writers pad the last record with NULs.
                if (data[at..].ContainsAnyExcept((byte)0))
                {
                    Throw(dataOffset + at, "has a NUL before its last record");
                }

                return;
            }

            int space = data[at..].IndexOf((byte)' ');
            if (space <= 0 || space > 20)
            {
                Throw(dataOffset + at, "has a record without a decimal length");
            }

            int length = 0;
            foreach (byte b in data.Slice(at, space))
            {
                if (b is < (byte)'0' or > (byte)'9' || length > (int.MaxValue / 10) - 10)
                {
                    Throw(dataOffset + at, "has a record length that is not a decimal number");
                }

                length = (length * 10) + (b - '0');
            }

            if (length <= space + 2 || at + length > data.Length || data[at + length - 1] != '\n')
            {
                Throw(dataOffset + at, $"has a record length {length} that does not end at a line feed inside the header data");
            }

            var record = data.Slice(at + space + 1, length - space - 2);
            int equals = record.IndexOf((byte)'=');
            if (equals <= 0)
            {
                Throw(dataOffset + at, "has a record without key=value");
            }

            into[Encoding.UTF8.GetString(record[..equals])] = Encoding.UTF8.GetString(record[(equals + 1)..]);
            at += length;
        }
    }

    [DoesNotReturn]
    private static void Throw(long offset, string problem) =>
        throw new TapeFormatException($"The pax extended header at byte {offset} {problem}.", "pax header", null, offset, 0, string.Empty);
}
