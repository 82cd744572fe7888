namespace TapeKit.Labels;

/// <summary>One field of a label layout: its camelCase name (as in <c>docs/formats/README.md</c>), place and encoding.</summary>
/// <param name="Name">The camelCase name used in the API, in exceptions and in JSON.</param>
/// <param name="Offset">The 0-based offset of the field inside the 80-byte label.</param>
/// <param name="Length">The length of the field in bytes.</param>
/// <param name="Type">How the field is encoded.</param>
public readonly record struct LabelField(string Name, int Offset, int Length, LabelFieldType Type)
{
    /// <summary>The 1-based column range of the ANSI standard, e.g. <c>5-10</c>.</summary>
    public string Columns => Length == 1
        ? (Offset + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)
        : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{Offset + 1}-{Offset + Length}");

    /// <summary>The field's bytes in an 80-byte label.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The slice at <see cref="Offset"/> of <see cref="Length"/> bytes.</returns>
    internal ReadOnlySpan<byte> Of(ReadOnlySpan<byte> label) => label.Slice(Offset, Length);

    /// <summary>The field's bytes in an 80-byte label being written.</summary>
    /// <param name="label">The label.</param>
    /// <returns>The slice at <see cref="Offset"/> of <see cref="Length"/> bytes.</returns>
    internal Span<byte> Of(Span<byte> label) => label.Slice(Offset, Length);
}
