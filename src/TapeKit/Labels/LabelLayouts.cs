namespace TapeKit.Labels;

/// <summary>
/// The byte layouts of <c>docs/formats/aul.md#2-the-labels</c> as tables of the fields of <see cref="LabelFields"/>
/// with the check a reader applies to each: every one of the 80 bytes belongs to exactly one field, so every fault
/// can be named by its field.
/// </summary>
internal static class LabelLayouts
{
    /// <summary>VOL1 (docs/formats/aul.md#vol1--the-volume-label-object-0).</summary>
    public static readonly FieldRule[] Vol1 =
    [
        new(LabelFields.Vol1.LabelId, FieldCheck.Identifier),
        new(LabelFields.Vol1.Vsn, FieldCheck.NonBlank),
        new(LabelFields.Vol1.Accessibility, FieldCheck.Blank),
        new(LabelFields.Vol1.Reserved1, FieldCheck.Blank),
        new(LabelFields.Vol1.ImplementationId, FieldCheck.Blank),
        new(LabelFields.Vol1.OwnerId, FieldCheck.None),
        new(LabelFields.Vol1.Reserved2, FieldCheck.Blank),
        new(LabelFields.Vol1.LbpMethod, FieldCheck.LbpMethod),
        new(LabelFields.Vol1.LabelStandard, FieldCheck.LabelStandard),
    ];

    /// <summary>HDR1 and EOF1 (docs/formats/aul.md#hdr1-and-eof1--first-header-and-trailer-label-and-the-prelabel-hdr1).</summary>
    public static readonly FieldRule[] Hdr1 =
    [
        new(LabelFields.Hdr1.LabelId, FieldCheck.Identifier),
        new(LabelFields.Hdr1.FileId, FieldCheck.NonBlank),
        new(LabelFields.Hdr1.FileSetId, FieldCheck.NonBlank),
        new(LabelFields.Hdr1.FileSection, FieldCheck.Fixed, "0001"),
        new(LabelFields.Hdr1.FileSequence, FieldCheck.NonBlank),
        new(LabelFields.Hdr1.Generation, FieldCheck.Fixed, "0001"),
        new(LabelFields.Hdr1.GenerationVersion, FieldCheck.Fixed, "00"),
        new(LabelFields.Hdr1.CreationDate, FieldCheck.NonBlank),
        new(LabelFields.Hdr1.ExpirationDate, FieldCheck.NonBlank),
        new(LabelFields.Hdr1.Accessibility, FieldCheck.Blank),
        new(LabelFields.Hdr1.BlockCount, FieldCheck.BlockCount, "000000"),
        new(LabelFields.Hdr1.SystemCode, FieldCheck.NonBlank),
        new(LabelFields.Hdr1.Reserved, FieldCheck.Blank),
    ];

    /// <summary>HDR2 and EOF2 (docs/formats/aul.md#hdr2-and-eof2--second-header-and-trailer-label).</summary>
    public static readonly FieldRule[] Hdr2 =
    [
        new(LabelFields.Hdr2.LabelId, FieldCheck.Identifier),
        new(LabelFields.Hdr2.RecordFormat, FieldCheck.Fixed, "F"),
        new(LabelFields.Hdr2.BlockLength, FieldCheck.NonBlank),
        new(LabelFields.Hdr2.RecordLength, FieldCheck.NonBlank),
        new(LabelFields.Hdr2.Density, FieldCheck.None),
        new(LabelFields.Hdr2.Reserved1, FieldCheck.Blank),
        new(LabelFields.Hdr2.RecordingTechnique, FieldCheck.None),
        new(LabelFields.Hdr2.Reserved2, FieldCheck.Blank),
        new(LabelFields.Hdr2.BufferOffset, FieldCheck.Fixed, "00"),
        new(LabelFields.Hdr2.Reserved3, FieldCheck.Blank),
    ];

    /// <summary>UHL1 and UTL1 (docs/formats/aul.md#uhl1-and-utl1--cern-user-header-and-trailer-label).</summary>
    public static readonly FieldRule[] Uhl1 =
    [
        new(LabelFields.Uhl1.LabelId, FieldCheck.Identifier),
        new(LabelFields.Uhl1.FileSequence, FieldCheck.NonBlank),
        new(LabelFields.Uhl1.BlockSize, FieldCheck.BlockSize),
        new(LabelFields.Uhl1.RecordLength, FieldCheck.NonBlank),
        new(LabelFields.Uhl1.Site, FieldCheck.NonBlank),
        new(LabelFields.Uhl1.MoverHost, FieldCheck.NonBlank),
        new(LabelFields.Uhl1.DriveVendor, FieldCheck.NonBlank),
        new(LabelFields.Uhl1.DriveModel, FieldCheck.NonBlank),
        new(LabelFields.Uhl1.DriveSerial, FieldCheck.NonBlank),
    ];

    public static FieldRule[] For(LabelKind kind) => kind switch
    {
        LabelKind.Vol1 => Vol1,
        LabelKind.Hdr1 or LabelKind.Eof1 => Hdr1,
        LabelKind.Hdr2 or LabelKind.Eof2 => Hdr2,
        _ => Uhl1,
    };

    /// <summary>Writes the value of every <see cref="FieldCheck.Fixed"/> field of <paramref name="kind"/>'s layout.</summary>
    /// <param name="kind">The layout.</param>
    /// <param name="label">The label being written.</param>
    public static void WriteFixedValues(LabelKind kind, Span<byte> label)
    {
        foreach (FieldRule rule in For(kind))
        {
            if (rule.Check == FieldCheck.Fixed)
            {
                rule.ExpectedBytes.CopyTo(rule.Field.Of(label));
            }
        }
    }

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
