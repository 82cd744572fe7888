namespace TapeKit.Labels;

/// <summary>Hash code of a label's bytes.</summary>
internal static class LabelHash
{
    public static int Of(ReadOnlySpan<byte> label)
    {
        var hash = default(HashCode);
        hash.AddBytes(label);
        return hash.ToHashCode();
    }
}
