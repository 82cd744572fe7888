using Fields = TapeKit.Labels.LabelFields.Hdr2;

namespace TapeKit.Labels;

/// <summary>
/// HDR2 and EOF2 (<c>docs/formats/aul.md#hdr2-and-eof2--second-header-and-trailer-label</c>): record format, block length (0 when ≥ 100 000; the
/// real size is in UHL1), recording technique (compression). Parsing and validating allocates nothing.
/// </summary>
public readonly struct Hdr2Label : IAnsiLabel<Hdr2Label>, IEquatable<Hdr2Label>
{
    /// <summary>Block sizes from this value up are written as <c>00000</c> (CTA <c>HDR2::fill</c>).</summary>
    public const int LargeBlockSize = 100_000;

    private readonly LabelBytes _bytes;

    private Hdr2Label(in LabelBytes bytes) => _bytes = bytes;

    /// <summary>Wraps 80 bytes a validator has already accepted.</summary>
    internal static Hdr2Label FromValidated(ReadOnlySpan<byte> label) => new(LabelBytes.Copy(label));

    /// <summary><see cref="LabelKind.Hdr2"/> or <see cref="LabelKind.Eof2"/>.</summary>
    public LabelKind Kind => _bytes[Fields.LabelId.Offset] == (byte)'E' ? LabelKind.Eof2 : LabelKind.Hdr2;

    /// <summary>The record format: <c>F</c> (fixed); CASTOR's PRELABEL HDR2 has <c>U</c>, Enstore "cern" files <c>D</c>.</summary>
    public char RecordFormat => (char)_bytes[Fields.RecordFormat.Offset];

    /// <summary>The block length (0 for blocks of 100 000 bytes or more), or <see langword="null"/> if not decimal.</summary>
    public int? BlockLength => Number(Fields.BlockLength);

    /// <summary>The record length (equal to the block length), or <see langword="null"/> if not decimal.</summary>
    public int? RecordLength => Number(Fields.RecordLength);

    /// <summary>The tape density byte (not checked; a space in CTA's labels).</summary>
    public char Density => (char)_bytes[Fields.Density.Offset];

    /// <summary>Whether the recording technique says the drive compresses (<c>P␠</c>).</summary>
    public bool IsCompressed => LabelBytes.Field(in _bytes, Fields.RecordingTechnique).SequenceEqual("P "u8);

    /// <summary>The buffer offset ("AUL id"), <c>00</c>, or <see langword="null"/> if not decimal.</summary>
    public int? BufferOffset => Number(Fields.BufferOffset);

    /// <summary>Builds an HDR2 or EOF2 as CTA's <c>HDR2::fill</c> does.</summary>
    /// <param name="kind"><see cref="LabelKind.Hdr2"/> or <see cref="LabelKind.Eof2"/>.</param>
    /// <param name="blockSize">The data block size S; written as is below 100 000, else as <c>00000</c>.</param>
    /// <param name="compressed">Whether the drive compresses (recording technique <c>P␠</c>).</param>
    /// <returns>The label.</returns>
    public static Hdr2Label Create(LabelKind kind, int blockSize, bool compressed)
    {
        if (kind is not (LabelKind.Hdr2 or LabelKind.Eof2))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "An HDR2-family label is HDR2 or EOF2.");
        }

        LabelParsing.RequireBlockSize(blockSize, nameof(blockSize));
        LabelBytes b = LabelBytes.Spaces();
        Span<byte> s = b;
        LabelIds.Bytes(kind).CopyTo(s);
        LabelLayouts.WriteFixedValues(LabelKind.Hdr2, s); // recordFormat, bufferOffset
        ulong length = blockSize < LargeBlockSize ? (ulong)blockSize : 0;
        LabelAscii.WriteDecimal(Fields.BlockLength.Of(s), length);
        LabelAscii.WriteDecimal(Fields.RecordLength.Of(s), length);
        if (compressed)
        {
            "P "u8.CopyTo(Fields.RecordingTechnique.Of(s));
        }

        return new Hdr2Label(in b);
    }

    /// <summary>Parses and validates an HDR2 or EOF2 in Strict mode.</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid HDR2 or EOF2.</exception>
    public static Hdr2Label Parse(ReadOnlySpan<byte> label) => Parse(label, LabelReadMode.Strict, out _);

    /// <inheritdoc/>
    public static Hdr2Label Parse(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        LabelParsing.Parse(label, LabelKind.Hdr2, anyKind: false, mode, out warnings);
        return new Hdr2Label(LabelBytes.Copy(label));
    }

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<byte> label, out Hdr2Label result)
    {
        bool ok = LabelParsing.TryParse(label, LabelKind.Hdr2, anyKind: false, out _);
        result = ok ? new Hdr2Label(LabelBytes.Copy(label)) : default;
        return ok;
    }

    /// <summary>The EOF2 that repeats this HDR2 in the trailer group.</summary>
    /// <returns>The trailer label.</returns>
    public Hdr2Label ToTrailer()
    {
        LabelBytes b = _bytes;
        "EOF2"u8.CopyTo(b);
        return new Hdr2Label(in b);
    }

    /// <inheritdoc/>
    public IReadOnlyList<LabelWarning> Validate(LabelReadMode mode = LabelReadMode.Strict) => LabelParsing.Validate(_bytes, Kind, mode);

    /// <inheritdoc/>
    public void WriteTo(Span<byte> destination) => LabelParsing.WriteTo(_bytes, destination);

    /// <inheritdoc/>
    public bool Equals(Hdr2Label other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Hdr2Label other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => LabelHash.Of(_bytes);

    /// <summary>The 80 bytes as text.</summary>
    /// <returns>The label text.</returns>
    public override string ToString() => LabelAscii.ToText(_bytes);

    /// <summary>Equality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are byte-identical.</returns>
    public static bool operator ==(Hdr2Label left, Hdr2Label right) => left.Equals(right);

    /// <summary>Inequality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Hdr2Label left, Hdr2Label right) => !left.Equals(right);

    private int? Number(LabelField field) =>
        LabelAscii.TryParseDecimal(LabelBytes.Field(in _bytes, field), out long value) ? (int)value : null;
}
