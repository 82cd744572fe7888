using Fields = TapeKit.Labels.LabelFields.Hdr1;

namespace TapeKit.Labels;

/// <summary>
/// HDR1, EOF1 and the PRELABEL HDR1 (<c>docs/formats/aul.md#hdr1-and-eof1--first-header-and-trailer-label-and-the-prelabel-hdr1</c>): file id, file-set id (the VSN),
/// fseq modulo 10 000, dates, block count, system code. Parsing and validating allocates nothing.
/// </summary>
public readonly struct Hdr1Label : IAnsiLabel<Hdr1Label>, IEquatable<Hdr1Label>
{
    /// <summary>The <c>fileId</c> of the PRELABEL HDR1 of an empty tape.</summary>
    public const string PrelabelFileId = "PRELABEL";

    private readonly LabelBytes _bytes;

    private Hdr1Label(in LabelBytes bytes) => _bytes = bytes;

    /// <summary>Wraps 80 bytes a validator has already accepted.</summary>
    internal static Hdr1Label FromValidated(ReadOnlySpan<byte> label) => new(LabelBytes.Copy(label));

    /// <summary><see cref="LabelKind.Hdr1"/> or <see cref="LabelKind.Eof1"/>.</summary>
    public LabelKind Kind => _bytes[Fields.LabelId.Offset] == (byte)'E' ? LabelKind.Eof1 : LabelKind.Hdr1;

    /// <summary>Whether this is the PRELABEL HDR1 of an empty (prelabelled) tape.</summary>
    public bool IsPrelabel => Kind == LabelKind.Hdr1 && LabelBytes.Field(in _bytes, Fields.FileId).SequenceEqual("PRELABEL         "u8);

    /// <summary>The <c>fileId</c> field without padding: uppercase hexadecimal id, or <c>PRELABEL</c>.</summary>
    public string FileIdText => LabelAscii.ToTrimmedText(LabelBytes.Field(in _bytes, Fields.FileId));

    /// <summary>The <c>fileSetId</c> field without padding: the VSN.</summary>
    public string FileSetId => LabelAscii.ToTrimmedText(LabelBytes.Field(in _bytes, Fields.FileSetId));

    /// <summary>The file section number, or <see langword="null"/> if the field is not decimal.</summary>
    public int? FileSection => Number(Fields.FileSection);

    /// <summary>The fseq modulo 10 000, or <see langword="null"/> if the field is not decimal.</summary>
    public int? FileSequence => Number(Fields.FileSequence);

    /// <summary>The generation number, or <see langword="null"/> if not decimal.</summary>
    public int? Generation => Number(Fields.Generation);

    /// <summary>The generation version, or <see langword="null"/> if not decimal.</summary>
    public int? GenerationVersion => Number(Fields.GenerationVersion);

    /// <summary>The creation date.</summary>
    public LabelDate CreationDate => LabelDate.Decode(LabelBytes.Field(in _bytes, Fields.CreationDate));

    /// <summary>The expiration date.</summary>
    public LabelDate ExpirationDate => LabelDate.Decode(LabelBytes.Field(in _bytes, Fields.ExpirationDate));

    /// <summary>The number of data blocks modulo 10⁶ (0 in HDR1), or <see langword="null"/> if not decimal.</summary>
    public int? BlockCount => Number(Fields.BlockCount);

    /// <summary>The system code without padding, e.g. <c>CTA 5.11.2.0</c>.</summary>
    public string SystemCode => LabelAscii.ToTrimmedText(LabelBytes.Field(in _bytes, Fields.SystemCode));

    /// <summary>Reads the file id as CTA does: a hexadecimal parse of the <c>fileId</c> field.</summary>
    /// <param name="fileId">The id.</param>
    /// <returns>Whether the field is a hexadecimal number.</returns>
    public bool TryGetFileId(out ulong fileId) => LabelAscii.TryParseHexId(LabelBytes.Field(in _bytes, Fields.FileId), out fileId);

    /// <summary>Builds an HDR1 or EOF1 as CTA's <c>HDR1::fill</c> and <c>EOF1::fill</c> do.</summary>
    /// <param name="kind"><see cref="LabelKind.Hdr1"/> or <see cref="LabelKind.Eof1"/>.</param>
    /// <param name="fileId">The archive file id (ALB: the aggregation id); non-zero; written in uppercase hex.</param>
    /// <param name="vsn">The VSN (the file-set id).</param>
    /// <param name="fileSequence">The fseq, 1 to 4 294 967 295; written modulo 10 000.</param>
    /// <param name="date">Creation date, also written as expiration date (F2.3).</param>
    /// <param name="blockCount">Data blocks (EOF1), written modulo 10⁶; must be 0 for HDR1.</param>
    /// <param name="systemCode">The profile's system code (F1), cut at 13 bytes.</param>
    /// <returns>The label.</returns>
    /// <exception cref="ArgumentException">A value is out of range or not printable.</exception>
    public static Hdr1Label Create(LabelKind kind, ulong fileId, string vsn, long fileSequence, LabelDate date, long blockCount, string systemCode)
    {
        ArgumentOutOfRangeException.ThrowIfZero(fileId);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 0);
        if (kind == LabelKind.Hdr1 && blockCount != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockCount), blockCount, "An HDR1 has block count 0; only EOF1 counts blocks.");
        }

        Span<byte> id = stackalloc byte[17];
        LabelAscii.WriteHexId(id, fileId);
        return Build(kind, id, vsn, fileSequence, date, blockCount, systemCode);
    }

    /// <summary>Builds the PRELABEL HDR1 that labelling writes after VOL1 (docs/formats/aul.md#1-what-is-on-the-tape).</summary>
    /// <param name="vsn">The VSN.</param>
    /// <param name="date">The labelling date.</param>
    /// <param name="systemCode">The profile's system code.</param>
    /// <returns>The label.</returns>
    public static Hdr1Label CreatePrelabel(string vsn, LabelDate date, string systemCode) =>
        Build(LabelKind.Hdr1, "PRELABEL         "u8, vsn, 1, date, 0, systemCode);

    /// <summary>Parses and validates an HDR1 or EOF1 in Strict mode.</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid HDR1 or EOF1.</exception>
    public static Hdr1Label Parse(ReadOnlySpan<byte> label) => Parse(label, LabelReadMode.Strict, out _);

    /// <inheritdoc/>
    public static Hdr1Label Parse(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        LabelParsing.Parse(label, LabelKind.Hdr1, anyKind: false, mode, out warnings);
        return new Hdr1Label(LabelBytes.Copy(label));
    }

    /// <summary>Parses a label that must be the PRELABEL HDR1 of an empty tape (its <c>fileId</c> check is never relaxed).</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <param name="mode">Strict or Lenient.</param>
    /// <param name="warnings">The warnings.</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid PRELABEL HDR1.</exception>
    public static Hdr1Label ParsePrelabel(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        List<LabelWarning>? list = null;
        LabelFault fault = LabelValidator.ValidatePrelabel(label, mode, ref list);
        if (fault.IsFault)
        {
            fault.Throw(label);
        }

        warnings = (IReadOnlyList<LabelWarning>?)list ?? [];
        return new Hdr1Label(LabelBytes.Copy(label));
    }

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<byte> label, out Hdr1Label result)
    {
        bool ok = LabelParsing.TryParse(label, LabelKind.Hdr1, anyKind: false, out _);
        result = ok ? new Hdr1Label(LabelBytes.Copy(label)) : default;
        return ok;
    }

    /// <summary>
    /// The EOF1 that closes the file this HDR1 opens: the same bytes with identifier <c>EOF1</c> and
    /// the block count (modulo 10⁶), so dates repeat those of the HDR1 (F2.3, CASTOR's behaviour).
    /// </summary>
    /// <param name="blockCount">The number of data blocks written.</param>
    /// <returns>The trailer label.</returns>
    public Hdr1Label ToTrailer(long blockCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockCount, 0);
        if (Kind != LabelKind.Hdr1 || IsPrelabel)
        {
            throw new InvalidOperationException("Only the HDR1 of a file has a trailer.");
        }

        LabelBytes b = _bytes;
        Span<byte> s = b;
        "EOF1"u8.CopyTo(s);
        LabelAscii.WriteDecimal(Fields.BlockCount.Of(s), (ulong)blockCount);
        return new Hdr1Label(in b);
    }

    /// <inheritdoc/>
    public IReadOnlyList<LabelWarning> Validate(LabelReadMode mode = LabelReadMode.Strict) => LabelParsing.Validate(_bytes, Kind, mode);

    /// <inheritdoc/>
    public void WriteTo(Span<byte> destination) => LabelParsing.WriteTo(_bytes, destination);

    /// <inheritdoc/>
    public bool Equals(Hdr1Label other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Hdr1Label other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => LabelHash.Of(_bytes);

    /// <summary>The 80 bytes as text.</summary>
    /// <returns>The label text.</returns>
    public override string ToString() => LabelAscii.ToText(_bytes);

    /// <summary>Equality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are byte-identical.</returns>
    public static bool operator ==(Hdr1Label left, Hdr1Label right) => left.Equals(right);

    /// <summary>Inequality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Hdr1Label left, Hdr1Label right) => !left.Equals(right);

    private static Hdr1Label Build(LabelKind kind, ReadOnlySpan<byte> fileId, string vsn, long fileSequence, LabelDate date, long blockCount, string systemCode)
    {
        if (kind is not (LabelKind.Hdr1 or LabelKind.Eof1))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "An HDR1-family label is HDR1 or EOF1.");
        }

        LabelParsing.RequireVsn(vsn, nameof(vsn));
        LabelParsing.RequireFileSequence(fileSequence, nameof(fileSequence));
        LabelParsing.RequirePrintable(systemCode, nameof(systemCode));
        if (systemCode.AsSpan().Trim().IsEmpty)
        {
            throw new ArgumentException("The system code must not be blank.", nameof(systemCode));
        }

        if (date.Form != LabelDateForm.Full)
        {
            throw new ArgumentException("Labels are written with full-form dates (LabelDate.FromDate).", nameof(date));
        }

        LabelBytes b = LabelBytes.Spaces();
        Span<byte> s = b;
        LabelIds.Bytes(kind).CopyTo(s);
        LabelLayouts.WriteFixedValues(LabelKind.Hdr1, s); // fileSection, generation, generationVersion
        fileId.CopyTo(Fields.FileId.Of(s));
        LabelAscii.WriteText(Fields.FileSetId.Of(s), vsn);
        LabelAscii.WriteDecimal(Fields.FileSequence.Of(s), (ulong)fileSequence);
        date.WriteTo(Fields.CreationDate.Of(s));
        date.WriteTo(Fields.ExpirationDate.Of(s));
        LabelAscii.WriteDecimal(Fields.BlockCount.Of(s), (ulong)blockCount);
        LabelAscii.WriteText(Fields.SystemCode.Of(s), systemCode);
        return new Hdr1Label(in b);
    }

    private int? Number(LabelField field) =>
        LabelAscii.TryParseDecimal(LabelBytes.Field(in _bytes, field), out long value) ? (int)value : null;
}
