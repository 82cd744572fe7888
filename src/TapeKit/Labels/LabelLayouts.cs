namespace TapeKit.Labels;

/// <summary>
/// The byte layouts of <c>docs/formats/aul.md#2-the-labels</c> as tables: every one of the 80 bytes belongs
/// to exactly one field, so every fault can be named by its field.
/// </summary>
internal static class LabelLayouts
{
    private const LabelFieldType Id = LabelFieldType.Identifier;
    private const LabelFieldType Txt = LabelFieldType.Text;
    private const LabelFieldType Num = LabelFieldType.Number;
    private const LabelFieldType Dat = LabelFieldType.Date;

    /// <summary>VOL1 (docs/formats/aul.md#vol1--the-volume-label-object-0).</summary>
    public static readonly FieldRule[] Vol1 =
    [
        new("labelId", 0, 4, Id, FieldCheck.Identifier),
        new("vsn", 4, 6, Txt, FieldCheck.NonBlank),
        new("accessibility", 10, 1, Txt, FieldCheck.Blank),
        new("reserved1", 11, 13, Txt, FieldCheck.Blank),
        new("implementationId", 24, 13, Txt, FieldCheck.Blank),
        new("ownerId", 37, 14, Txt, FieldCheck.None),
        new("reserved2", 51, 26, Txt, FieldCheck.Blank),
        new("lbpMethod", 77, 2, Txt, FieldCheck.LbpMethod),
        new("labelStandard", 79, 1, Txt, FieldCheck.LabelStandard),
    ];

    /// <summary>HDR1 and EOF1 (docs/formats/aul.md#hdr1-and-eof1--first-header-and-trailer-label-and-the-prelabel-hdr1).</summary>
    public static readonly FieldRule[] Hdr1 =
    [
        new("labelId", 0, 4, Id, FieldCheck.Identifier),
        new("fileId", 4, 17, Txt, FieldCheck.NonBlank),
        new("fileSetId", 21, 6, Txt, FieldCheck.NonBlank),
        new("fileSection", 27, 4, Num, FieldCheck.Fixed, "0001"),
        new("fileSequence", 31, 4, Num, FieldCheck.NonBlank),
        new("generation", 35, 4, Num, FieldCheck.Fixed, "0001"),
        new("generationVersion", 39, 2, Num, FieldCheck.Fixed, "00"),
        new("creationDate", 41, 6, Dat, FieldCheck.NonBlank),
        new("expirationDate", 47, 6, Dat, FieldCheck.NonBlank),
        new("accessibility", 53, 1, Txt, FieldCheck.Blank),
        new("blockCount", 54, 6, Num, FieldCheck.BlockCount, "000000"),
        new("systemCode", 60, 13, Txt, FieldCheck.NonBlank),
        new("reserved", 73, 7, Txt, FieldCheck.Blank),
    ];

    /// <summary>HDR2 and EOF2 (docs/formats/aul.md#hdr2-and-eof2--second-header-and-trailer-label).</summary>
    public static readonly FieldRule[] Hdr2 =
    [
        new("labelId", 0, 4, Id, FieldCheck.Identifier),
        new("recordFormat", 4, 1, Txt, FieldCheck.Fixed, "F"),
        new("blockLength", 5, 5, Num, FieldCheck.NonBlank),
        new("recordLength", 10, 5, Num, FieldCheck.NonBlank),
        new("density", 15, 1, Txt, FieldCheck.None),
        new("reserved1", 16, 18, Txt, FieldCheck.Blank),
        new("recordingTechnique", 34, 2, Txt, FieldCheck.None),
        new("reserved2", 36, 14, Txt, FieldCheck.Blank),
        new("bufferOffset", 50, 2, Num, FieldCheck.Fixed, "00"),
        new("reserved3", 52, 28, Txt, FieldCheck.Blank),
    ];

    /// <summary>UHL1 and UTL1 (docs/formats/aul.md#uhl1-and-utl1--cern-user-header-and-trailer-label).</summary>
    public static readonly FieldRule[] Uhl1 =
    [
        new("labelId", 0, 4, Id, FieldCheck.Identifier),
        new("fileSequence", 4, 10, Num, FieldCheck.NonBlank),
        new("blockSize", 14, 10, Num, FieldCheck.BlockSize),
        new("recordLength", 24, 10, Num, FieldCheck.NonBlank),
        new("site", 34, 8, Txt, FieldCheck.NonBlank),
        new("moverHost", 42, 10, Txt, FieldCheck.NonBlank),
        new("driveVendor", 52, 8, Txt, FieldCheck.NonBlank),
        new("driveModel", 60, 8, Txt, FieldCheck.NonBlank),
        new("driveSerial", 68, 12, Txt, FieldCheck.NonBlank),
    ];

    public static FieldRule[] For(LabelKind kind) => kind switch
    {
        LabelKind.Vol1 => Vol1,
        LabelKind.Hdr1 or LabelKind.Eof1 => Hdr1,
        LabelKind.Hdr2 or LabelKind.Eof2 => Hdr2,
        _ => Uhl1,
    };

    /// <summary>The rule of the field that holds byte <paramref name="offset"/>.</summary>
    public static ref readonly FieldRule FieldAt(LabelKind kind, int offset)
    {
        FieldRule[] rules = For(kind);
        for (int i = rules.Length - 1; i > 0; i--)
        {
            if (rules[i].Field.Offset <= offset)
            {
                return ref rules[i];
            }
        }

        return ref rules[0];
    }

    /// <summary>The rule named <paramref name="name"/>.</summary>
    public static ref readonly FieldRule Named(LabelKind kind, string name)
    {
        FieldRule[] rules = For(kind);
        for (int i = 0; i < rules.Length; i++)
        {
            if (rules[i].Field.Name == name)
            {
                return ref rules[i];
            }
        }

        throw new ArgumentException($"A {LabelIds.Text(kind)} label has no field named '{name}'.", nameof(name));
    }
}
