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

    /// <summary>The kind named by the first four bytes, if any (one 32-bit compare per kind, no loop over spans).</summary>
    public static bool TryIdentify(ReadOnlySpan<byte> label, out LabelKind kind)
    {
        kind = default;
        if (label.Length < 4)
        {
            return false;
        }

        uint id = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(label);
        switch (id)
        {
            case Vol1: kind = LabelKind.Vol1; return true;
            case Hdr1: kind = LabelKind.Hdr1; return true;
            case Eof1: kind = LabelKind.Eof1; return true;
            case Hdr2: kind = LabelKind.Hdr2; return true;
            case Eof2: kind = LabelKind.Eof2; return true;
            case Uhl1: kind = LabelKind.Uhl1; return true;
            case Utl1: kind = LabelKind.Utl1; return true;
            default: return false;
        }
    }

    private const uint Vol1 = 'V' | ('O' << 8) | ('L' << 16) | ('1' << 24);
    private const uint Hdr1 = 'H' | ('D' << 8) | ('R' << 16) | ('1' << 24);
    private const uint Eof1 = 'E' | ('O' << 8) | ('F' << 16) | ('1' << 24);
    private const uint Hdr2 = 'H' | ('D' << 8) | ('R' << 16) | ('2' << 24);
    private const uint Eof2 = 'E' | ('O' << 8) | ('F' << 16) | ('2' << 24);
    private const uint Uhl1 = 'U' | ('H' << 8) | ('L' << 16) | ('1' << 24);
    private const uint Utl1 = 'U' | ('T' << 8) | ('L' << 16) | ('1' << 24);

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
