using Fields = TapeKit.Labels.LabelFields.Uhl1;

namespace TapeKit.Labels;

/// <summary>
/// CERN's UHL1 and UTL1 user labels (<c>docs/formats/aul.md#uhl1-and-utl1--cern-user-header-and-trailer-label</c>): the full fseq, the real block
/// size, site, mover host and drive identity. CTA rejects a file if any of these is blank.
/// Parsing and validating allocates nothing.
/// </summary>
public readonly struct Uhl1Label : IAnsiLabel<Uhl1Label>, IEquatable<Uhl1Label>
{
    private readonly LabelBytes _bytes;

    private Uhl1Label(in LabelBytes bytes) => _bytes = bytes;

    /// <summary>Wraps 80 bytes a validator has already accepted.</summary>
    internal static Uhl1Label FromValidated(ReadOnlySpan<byte> label) => new(LabelBytes.Copy(label));

    /// <summary><see cref="LabelKind.Uhl1"/> or <see cref="LabelKind.Utl1"/>.</summary>
    public LabelKind Kind => _bytes[Fields.LabelId.Offset + 1] == (byte)'T' ? LabelKind.Utl1 : LabelKind.Uhl1;

    /// <summary>The full fseq (modulo 10¹⁰), or <see langword="null"/> if not decimal.</summary>
    public long? FileSequence => Number(Fields.FileSequence);

    /// <summary>The real block size S, or <see langword="null"/> if not decimal (never in a validated label).</summary>
    public long? BlockSize => Number(Fields.BlockSize);

    /// <summary>The record length (= S), or <see langword="null"/> if not decimal.</summary>
    public long? RecordLength => Number(Fields.RecordLength);

    /// <summary>The site, without padding.</summary>
    public string Site => Text(Fields.Site);

    /// <summary>The mover host, without padding.</summary>
    public string MoverHost => Text(Fields.MoverHost);

    /// <summary>The drive vendor, without padding.</summary>
    public string DriveVendor => Text(Fields.DriveVendor);

    /// <summary>The drive model (first 8 bytes of the INQUIRY product id), without padding.</summary>
    public string DriveModel => Text(Fields.DriveModel);

    /// <summary>The drive serial number, without padding.</summary>
    public string DriveSerial => Text(Fields.DriveSerial);

    /// <summary>The identity fields as one record.</summary>
    public UserLabelIdentity Identity => new(Site, MoverHost, DriveVendor, DriveModel, DriveSerial);

    /// <summary>Builds a UHL1 or UTL1 as CTA's <c>UHL1::fill</c> does.</summary>
    /// <param name="kind"><see cref="LabelKind.Uhl1"/> or <see cref="LabelKind.Utl1"/>.</param>
    /// <param name="fileSequence">The full fseq.</param>
    /// <param name="blockSize">The data block size S.</param>
    /// <param name="identity">Site, host and drive; every value printable ASCII and non-blank.</param>
    /// <returns>The label.</returns>
    /// <exception cref="ArgumentException">A value is out of range, blank or not printable.</exception>
    public static Uhl1Label Create(LabelKind kind, long fileSequence, int blockSize, UserLabelIdentity identity)
    {
        if (kind is not (LabelKind.Uhl1 or LabelKind.Utl1))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A user label is UHL1 or UTL1.");
        }

        ArgumentNullException.ThrowIfNull(identity);
        LabelParsing.RequireFileSequence(fileSequence, nameof(fileSequence));
        LabelParsing.RequireBlockSize(blockSize, nameof(blockSize));
        RequireNonBlank(identity.Site, nameof(identity.Site));
        RequireNonBlank(identity.MoverHost, nameof(identity.MoverHost));
        RequireNonBlank(identity.DriveVendor, nameof(identity.DriveVendor));
        RequireNonBlank(identity.DriveModel, nameof(identity.DriveModel));
        RequireNonBlank(identity.DriveSerial, nameof(identity.DriveSerial));

        LabelBytes b = LabelBytes.Spaces();
        Span<byte> s = b;
        LabelIds.Bytes(kind).CopyTo(s);
        LabelAscii.WriteDecimal(Fields.FileSequence.Of(s), (ulong)fileSequence);
        LabelAscii.WriteDecimal(Fields.BlockSize.Of(s), (ulong)blockSize);
        LabelAscii.WriteDecimal(Fields.RecordLength.Of(s), (ulong)blockSize);
        LabelAscii.WriteText(Fields.Site.Of(s), identity.Site);
        LabelAscii.WriteText(Fields.MoverHost.Of(s), identity.MoverHost);
        LabelAscii.WriteText(Fields.DriveVendor.Of(s), identity.DriveVendor);
        LabelAscii.WriteText(Fields.DriveModel.Of(s), identity.DriveModel);
        LabelAscii.WriteText(Fields.DriveSerial.Of(s), identity.DriveSerial);
        return new Uhl1Label(in b);
    }

    /// <summary>Parses and validates a UHL1 or UTL1 in Strict mode.</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid UHL1 or UTL1.</exception>
    public static Uhl1Label Parse(ReadOnlySpan<byte> label) => Parse(label, LabelReadMode.Strict, out _);

    /// <inheritdoc/>
    public static Uhl1Label Parse(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        LabelParsing.Parse(label, LabelKind.Uhl1, anyKind: false, mode, out warnings);
        return new Uhl1Label(LabelBytes.Copy(label));
    }

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<byte> label, out Uhl1Label result)
    {
        bool ok = LabelParsing.TryParse(label, LabelKind.Uhl1, anyKind: false, out _);
        result = ok ? new Uhl1Label(LabelBytes.Copy(label)) : default;
        return ok;
    }

    /// <summary>The UTL1 that repeats this UHL1 in the trailer group (F1.5).</summary>
    /// <returns>The trailer label.</returns>
    public Uhl1Label ToTrailer()
    {
        LabelBytes b = _bytes;
        "UTL1"u8.CopyTo(b);
        return new Uhl1Label(in b);
    }

    /// <inheritdoc/>
    public IReadOnlyList<LabelWarning> Validate(LabelReadMode mode = LabelReadMode.Strict) => LabelParsing.Validate(_bytes, Kind, mode);

    /// <inheritdoc/>
    public void WriteTo(Span<byte> destination) => LabelParsing.WriteTo(_bytes, destination);

    /// <inheritdoc/>
    public bool Equals(Uhl1Label other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Uhl1Label other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => LabelHash.Of(_bytes);

    /// <summary>The 80 bytes as text.</summary>
    /// <returns>The label text.</returns>
    public override string ToString() => LabelAscii.ToText(_bytes);

    /// <summary>Equality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are byte-identical.</returns>
    public static bool operator ==(Uhl1Label left, Uhl1Label right) => left.Equals(right);

    /// <summary>Inequality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Uhl1Label left, Uhl1Label right) => !left.Equals(right);

    private static void RequireNonBlank(string value, string parameter)
    {
        LabelParsing.RequirePrintable(value, parameter);
        if (value.AsSpan().Trim().IsEmpty)
        {
            throw new ArgumentException($"UHL1/UTL1 field {parameter} must not be blank (CTA rejects such files).", parameter);
        }
    }

    private long? Number(LabelField field) =>
        LabelAscii.TryParseDecimal(LabelBytes.Field(in _bytes, field), out long value) ? value : null;

    private string Text(LabelField field) => LabelAscii.ToTrimmedText(LabelBytes.Field(in _bytes, field));
}
