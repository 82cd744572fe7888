namespace TapeKit.Labels;

/// <summary>
/// The fields of the four label layouts (<c>docs/formats/aul.md#2-the-labels</c>), each with its name, offset, length
/// and encoding, written once — as System.Formats.Tar keeps its field locations in one place. The layout tables
/// (<see cref="LabelLayouts"/>) are made of these fields, the label structs' accessors and builders read and write
/// through them, and the checks' messages name them; no offset is written anywhere else.
/// </summary>
internal static class LabelFields
{
    private const LabelFieldType Id = LabelFieldType.Identifier;
    private const LabelFieldType Txt = LabelFieldType.Text;
    private const LabelFieldType Num = LabelFieldType.Number;
    private const LabelFieldType Dat = LabelFieldType.Date;

    /// <summary>How messages name a field: <c>UHL1 field fileSequence (offset 4, length 10)</c>.</summary>
    /// <param name="kind">The label identifier, e.g. <c>UTL1</c> for a field of the UHL1 layout.</param>
    /// <param name="field">The field.</param>
    /// <returns>The field's description.</returns>
    public static string Describe(string kind, LabelField field) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{kind} field {field.Name} (offset {field.Offset}, length {field.Length})");

    /// <summary>VOL1 (docs/formats/aul.md#vol1--the-volume-label-object-0).</summary>
    public static class Vol1
    {
        public static readonly LabelField LabelId = new("labelId", 0, 4, Id);
        public static readonly LabelField Vsn = new("vsn", 4, 6, Txt);
        public static readonly LabelField Accessibility = new("accessibility", 10, 1, Txt);
        public static readonly LabelField Reserved1 = new("reserved1", 11, 13, Txt);
        public static readonly LabelField ImplementationId = new("implementationId", 24, 13, Txt);
        public static readonly LabelField OwnerId = new("ownerId", 37, 14, Txt);
        public static readonly LabelField Reserved2 = new("reserved2", 51, 26, Txt);
        public static readonly LabelField LbpMethod = new("lbpMethod", 77, 2, Txt);
        public static readonly LabelField LabelStandard = new("labelStandard", 79, 1, Txt);
    }

    /// <summary>HDR1 and EOF1 (docs/formats/aul.md#hdr1-and-eof1--first-header-and-trailer-label-and-the-prelabel-hdr1).</summary>
    public static class Hdr1
    {
        public static readonly LabelField LabelId = new("labelId", 0, 4, Id);
        public static readonly LabelField FileId = new("fileId", 4, 17, Txt);
        public static readonly LabelField FileSetId = new("fileSetId", 21, 6, Txt);
        public static readonly LabelField FileSection = new("fileSection", 27, 4, Num);
        public static readonly LabelField FileSequence = new("fileSequence", 31, 4, Num);
        public static readonly LabelField Generation = new("generation", 35, 4, Num);
        public static readonly LabelField GenerationVersion = new("generationVersion", 39, 2, Num);
        public static readonly LabelField CreationDate = new("creationDate", 41, 6, Dat);
        public static readonly LabelField ExpirationDate = new("expirationDate", 47, 6, Dat);
        public static readonly LabelField Accessibility = new("accessibility", 53, 1, Txt);
        public static readonly LabelField BlockCount = new("blockCount", 54, 6, Num);
        public static readonly LabelField SystemCode = new("systemCode", 60, 13, Txt);
        public static readonly LabelField Reserved = new("reserved", 73, 7, Txt);
    }

    /// <summary>HDR2 and EOF2 (docs/formats/aul.md#hdr2-and-eof2--second-header-and-trailer-label).</summary>
    public static class Hdr2
    {
        public static readonly LabelField LabelId = new("labelId", 0, 4, Id);
        public static readonly LabelField RecordFormat = new("recordFormat", 4, 1, Txt);
        public static readonly LabelField BlockLength = new("blockLength", 5, 5, Num);
        public static readonly LabelField RecordLength = new("recordLength", 10, 5, Num);
        public static readonly LabelField Density = new("density", 15, 1, Txt);
        public static readonly LabelField Reserved1 = new("reserved1", 16, 18, Txt);
        public static readonly LabelField RecordingTechnique = new("recordingTechnique", 34, 2, Txt);
        public static readonly LabelField Reserved2 = new("reserved2", 36, 14, Txt);
        public static readonly LabelField BufferOffset = new("bufferOffset", 50, 2, Num);
        public static readonly LabelField Reserved3 = new("reserved3", 52, 28, Txt);
    }

    /// <summary>UHL1 and UTL1 (docs/formats/aul.md#uhl1-and-utl1--cern-user-header-and-trailer-label).</summary>
    public static class Uhl1
    {
        public static readonly LabelField LabelId = new("labelId", 0, 4, Id);
        public static readonly LabelField FileSequence = new("fileSequence", 4, 10, Num);
        public static readonly LabelField BlockSize = new("blockSize", 14, 10, Num);
        public static readonly LabelField RecordLength = new("recordLength", 24, 10, Num);
        public static readonly LabelField Site = new("site", 34, 8, Txt);
        public static readonly LabelField MoverHost = new("moverHost", 42, 10, Txt);
        public static readonly LabelField DriveVendor = new("driveVendor", 52, 8, Txt);
        public static readonly LabelField DriveModel = new("driveModel", 60, 8, Txt);
        public static readonly LabelField DriveSerial = new("driveSerial", 68, 12, Txt);
    }
}
