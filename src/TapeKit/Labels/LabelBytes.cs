using System.Runtime.CompilerServices;

namespace TapeKit.Labels;

/// <summary>The 80 bytes of a label, held inline so that label structs live on the stack.</summary>
[InlineArray(LabelValidator.LabelLength)]
internal struct LabelBytes
{
    private byte _first;

    /// <summary>A label of 80 spaces: the starting point of every label writer (CTA <c>spaceStruct</c>).</summary>
    public static LabelBytes Spaces()
    {
        var bytes = default(LabelBytes);
        ((Span<byte>)bytes).Fill(LabelAscii.Space);
        return bytes;
    }

    /// <summary>A field of the label, as a span valid for as long as the label.</summary>
    public static ReadOnlySpan<byte> Field(in LabelBytes bytes, LabelField field) =>
        ((ReadOnlySpan<byte>)bytes).Slice(field.Offset, field.Length);

    public static LabelBytes Copy(ReadOnlySpan<byte> label)
    {
        var bytes = default(LabelBytes);
        label[..LabelValidator.LabelLength].CopyTo(bytes);
        return bytes;
    }
}
