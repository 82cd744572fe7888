using System.Text;

namespace TapeKit;

/// <summary>
/// Bad data on tape or in a file: a label, an aggregation header, a checksum or a layout that
/// breaks its format. The one exception type the format core throws for data it cannot accept.
/// </summary>
/// <remarks>
/// <para>
/// TapeKit's error design asks for a subclass of <see cref="InvalidDataException"/>, but that type is sealed in
/// .NET, so <see cref="TapeFormatException"/> derives from <see cref="IOException"/>: code that
/// reads a tape and catches <see cref="IOException"/> sees bad data and failed devices alike, and
/// tells them apart by type (<see cref="TapeFormatException"/> for data). Settled in CHANGELOG 0.1.0.
/// </para>
/// <para>
/// Every instance names <em>where</em> the problem is — the structure (<see cref="Kind"/>, such as
/// <c>HDR1</c> or <c>IL header</c>), the <see cref="Field"/> (camelCase, as in
/// <c>docs/formats/README.md</c>), the 0-based <see cref="Offset"/> and <see cref="Length"/> — and
/// <em>what</em> was found (<see cref="OffendingBytes"/>, shown printable). The message is a sentence
/// a tape operator can act on, e.g. <c>HDR1 field fileSection (offset 27, length 4) is "0002"; expected "0001".</c>
/// </para>
/// </remarks>
public class TapeFormatException : IOException
{
    /// <summary>Creates an exception for a fault at a known place.</summary>
    /// <param name="message">A sentence that names the structure, field and offset.</param>
    /// <param name="kind">The structure: a label kind (<c>VOL1</c>, <c>HDR1</c>, …), <c>IL header</c>, <c>tar header</c>, …</param>
    /// <param name="field">The field's camelCase name, or <see langword="null"/> when the fault is not in one field.</param>
    /// <param name="offset">The 0-based offset of the fault inside the structure (or the stream, where said).</param>
    /// <param name="length">The length in bytes of the field or region at fault.</param>
    /// <param name="offendingBytes">The bytes found, shown printable (see <see cref="Printable(ReadOnlySpan{byte})"/>).</param>
    public TapeFormatException(string message, string kind, string? field, long offset, int length, string offendingBytes)
        : base(message)
    {
        Kind = kind;
        Field = field;
        Offset = offset;
        Length = length;
        OffendingBytes = offendingBytes;
    }

    /// <summary>Creates an exception for a fault at a known place, caused by another exception.</summary>
    /// <param name="message">A sentence that names the structure, field and offset.</param>
    /// <param name="kind">The structure at fault.</param>
    /// <param name="field">The field's camelCase name, if any.</param>
    /// <param name="offset">The 0-based offset of the fault.</param>
    /// <param name="length">The length of the region at fault.</param>
    /// <param name="offendingBytes">The bytes found, shown printable.</param>
    /// <param name="innerException">The underlying cause.</param>
    public TapeFormatException(string message, string kind, string? field, long offset, int length, string offendingBytes, Exception innerException)
        : base(message, innerException)
    {
        Kind = kind;
        Field = field;
        Offset = offset;
        Length = length;
        OffendingBytes = offendingBytes;
    }

    /// <summary>The structure at fault: a label kind such as <c>VOL1</c>, or <c>IL header</c>, <c>tar header</c>, <c>manifest</c>.</summary>
    public string Kind { get; }

    /// <summary>The camelCase name of the field at fault, or <see langword="null"/> when the fault is not in one field.</summary>
    public string? Field { get; }

    /// <summary>The 0-based byte offset of the fault. For a non-printable byte in a label it is the byte's own offset.</summary>
    public long Offset { get; }

    /// <summary>The length in bytes of the field or region at fault.</summary>
    public int Length { get; }

    /// <summary>The offending bytes shown printable: ASCII as is, <c>"</c> and <c>\</c> escaped, other bytes as <c>\xNN</c>.</summary>
    public string OffendingBytes { get; }

    /// <summary>
    /// Shows bytes the way TapeKit's messages do: printable ASCII as is, <c>"</c> and <c>\</c>
    /// preceded by <c>\</c>, every other byte as <c>\xNN</c>. At most 256 bytes are shown; a longer
    /// input ends with <c>…</c>.
    /// </summary>
    /// <param name="bytes">The bytes to show.</param>
    /// <returns>The printable form.</returns>
    public static string Printable(ReadOnlySpan<byte> bytes)
    {
        const int MaxShown = 256;
        var shown = bytes.Length > MaxShown ? bytes[..MaxShown] : bytes;
        var builder = new StringBuilder(shown.Length + 8);
        foreach (byte b in shown)
        {
            switch (b)
            {
                case (byte)'"':
                    builder.Append("\\\"");
                    break;
                case (byte)'\\':
                    builder.Append("\\\\");
                    break;
                case >= 0x20 and <= 0x7E:
                    builder.Append((char)b);
                    break;
                default:
                    builder.Append("\\x").Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                    break;
            }
        }

        if (bytes.Length > MaxShown)
        {
            builder.Append('…');
        }

        return builder.ToString();
    }
}
