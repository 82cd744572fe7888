namespace TapeKit.Labels;

/// <summary>The four-byte label identifiers and their kinds.</summary>
internal static class LabelIds
{
    public static ReadOnlySpan<byte> Bytes(LabelKind kind) => kind switch
    {
        LabelKind.Vol1 => "VOL1"u8,
        LabelKind.Hdr1 => "HDR1"u8,
        LabelKind.Eof1 => "EOF1"u8,
        LabelKind.Hdr2 => "HDR2"u8,
        LabelKind.Eof2 => "EOF2"u8,
        LabelKind.Uhl1 => "UHL1"u8,
        _ => "UTL1"u8,
    };

    public static string Text(LabelKind kind) => kind switch
    {
        LabelKind.Vol1 => "VOL1",
        LabelKind.Hdr1 => "HDR1",
        LabelKind.Eof1 => "EOF1",
        LabelKind.Hdr2 => "HDR2",
        LabelKind.Eof2 => "EOF2",
        LabelKind.Uhl1 => "UHL1",
        _ => "UTL1",
    };

    /// <summary>The kind named by the first four bytes, if any.</summary>
    public static bool TryIdentify(ReadOnlySpan<byte> label, out LabelKind kind)
    {
        kind = default;
        if (label.Length < 4)
        {
            return false;
        }

        ReadOnlySpan<byte> id = label[..4];
        for (var k = LabelKind.Vol1; k <= LabelKind.Utl1; k++)
        {
            if (id.SequenceEqual(Bytes(k)))
            {
                kind = k;
                return true;
            }
        }

        return false;
    }

    /// <summary>The header kind of a trailer and vice versa stay in one family.</summary>
    public static bool InFamily(LabelKind family, LabelKind kind) => family switch
    {
        LabelKind.Hdr1 or LabelKind.Eof1 => kind is LabelKind.Hdr1 or LabelKind.Eof1,
        LabelKind.Hdr2 or LabelKind.Eof2 => kind is LabelKind.Hdr2 or LabelKind.Eof2,
        LabelKind.Uhl1 or LabelKind.Utl1 => kind is LabelKind.Uhl1 or LabelKind.Utl1,
        _ => kind == LabelKind.Vol1,
    };

    public static string FamilyText(LabelKind family) => family switch
    {
        LabelKind.Hdr1 or LabelKind.Eof1 => "\"HDR1\" or \"EOF1\"",
        LabelKind.Hdr2 or LabelKind.Eof2 => "\"HDR2\" or \"EOF2\"",
        LabelKind.Uhl1 or LabelKind.Utl1 => "\"UHL1\" or \"UTL1\"",
        _ => "\"VOL1\"",
    };
}
