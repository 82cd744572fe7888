namespace TapeKit.Labels;

/// <summary>Parse and validate entry points shared by the label structs.</summary>
internal static class LabelParsing
{
    public static LabelKind Parse(ReadOnlySpan<byte> label, LabelKind family, bool anyKind, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        List<LabelWarning>? list = null;
        LabelFault fault = LabelValidator.Validate(label, family, anyKind, mode, ref list, out LabelKind kind);
        if (fault.IsFault)
        {
            fault.Throw(label);
        }

        warnings = (IReadOnlyList<LabelWarning>?)list ?? [];
        return kind;
    }

    public static bool TryParse(ReadOnlySpan<byte> label, LabelKind family, bool anyKind, out LabelKind kind)
    {
        List<LabelWarning>? ignored = null;
        return !LabelValidator.Validate(label, family, anyKind, LabelReadMode.Strict, ref ignored, out kind).IsFault;
    }

    public static void WriteTo(ReadOnlySpan<byte> label, Span<byte> destination)
    {
        if (destination.Length < LabelValidator.LabelLength)
        {
            throw new ArgumentException($"A label needs 80 bytes; the destination has {destination.Length}.", nameof(destination));
        }

        label.CopyTo(destination);
    }

    public static IReadOnlyList<LabelWarning> Validate(ReadOnlySpan<byte> label, LabelKind kind, LabelReadMode mode)
    {
        Parse(label, kind, anyKind: false, mode, out IReadOnlyList<LabelWarning> warnings);
        return warnings;
    }

    /// <summary>Checks text that goes into a label: printable ASCII only (F1.4 writers sanitise first).</summary>
    public static void RequirePrintable(string value, string parameter)
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (!LabelAscii.IsPrintable(value))
        {
            throw new ArgumentException($"Label text must be printable ASCII (0x20-0x7E); '{value}' is not.", parameter);
        }
    }

    /// <summary>Checks a VSN for writing: 1–6 characters from A–Z and 0–9 (docs/formats/aul.md#2-the-labels).</summary>
    public static void RequireVsn(string vsn, string parameter)
    {
        ArgumentNullException.ThrowIfNull(vsn, parameter);
        if (vsn.Length is < 1 or > 6 || vsn.AsSpan().ContainsAnyExcept(VsnCharacters))
        {
            throw new ArgumentException($"A VSN is 1 to 6 characters from A-Z and 0-9; '{vsn}' is not.", parameter);
        }
    }

    /// <summary>Checks an fseq for writing: 1 to 4 294 967 295 (docs/formats/aul.md#2-the-labels).</summary>
    public static void RequireFileSequence(long fileSequence, string parameter)
    {
        if (fileSequence is < 1 or > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(parameter, fileSequence, "A file sequence number is from 1 to 4294967295.");
        }
    }

    /// <summary>Checks a block size for writing: at least 1 byte, at most what UHL1 can hold.</summary>
    public static void RequireBlockSize(int blockSize, string parameter) =>
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1, parameter);

    private static readonly System.Buffers.SearchValues<char> VsnCharacters =
        System.Buffers.SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
}
