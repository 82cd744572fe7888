using Fields = TapeKit.Labels.LabelFields.Vol1;

namespace TapeKit.Labels;

/// <summary>
/// The VOL1 volume label (<c>docs/formats/aul.md#vol1--the-volume-label-object-0</c>): VSN, owner, logical block protection and
/// label standard. Parsing and validating allocates nothing; strings are made on demand.
/// </summary>
public readonly struct Vol1Label : IAnsiLabel<Vol1Label>, IEquatable<Vol1Label>
{
    private readonly LabelBytes _bytes;

    private Vol1Label(in LabelBytes bytes) => _bytes = bytes;

    /// <summary>Wraps 80 bytes a validator has already accepted.</summary>
    internal static Vol1Label FromValidated(ReadOnlySpan<byte> label) => new(LabelBytes.Copy(label));

    /// <inheritdoc/>
    public LabelKind Kind => LabelKind.Vol1;

    /// <summary>The volume serial number, without padding.</summary>
    public string Vsn => Text(Fields.Vsn);

    /// <summary>The owner identifier, without padding (<c>CTA</c>, <c>CASTOR</c>, <c>TAPEKIT</c>, a login name…).</summary>
    public string OwnerId => Text(Fields.OwnerId);

    /// <summary>The logical block protection the tape announces (docs/formats/aul.md#6-logical-block-protection).</summary>
    public LbpMethod LbpMethod => LabelBytes.Field(in _bytes, Fields.LbpMethod).SequenceEqual("02"u8) ? LbpMethod.Crc32C : LbpMethod.None;

    /// <summary>The label standard byte: <c>3</c> (ANSI X3.27 level 3); Enstore writes <c>0</c>.</summary>
    public char LabelStandard => (char)_bytes[Fields.LabelStandard.Offset];

    /// <summary>Builds a VOL1 as CTA's <c>VOL1::fill</c> does (every unnamed byte a space).</summary>
    /// <param name="vsn">1 to 6 characters from A–Z, 0–9.</param>
    /// <param name="ownerId">The owner, by profile (F1): <c>TAPEKIT</c>, <c>CTA</c>, <c>CASTOR</c>; cut at 14 bytes.</param>
    /// <param name="lbpMethod">The protection to announce.</param>
    /// <returns>The label.</returns>
    /// <exception cref="ArgumentException">The VSN or owner is not valid.</exception>
    public static Vol1Label Create(string vsn, string ownerId, LbpMethod lbpMethod = LbpMethod.None)
    {
        LabelParsing.RequireVsn(vsn, nameof(vsn));
        LabelParsing.RequirePrintable(ownerId, nameof(ownerId));
        if (ownerId.AsSpan().Trim().IsEmpty)
        {
            throw new ArgumentException("The VOL1 owner identifier must not be blank.", nameof(ownerId));
        }

        LabelBytes b = LabelBytes.Spaces();
        Span<byte> s = b;
        "VOL1"u8.CopyTo(s);
        LabelAscii.WriteText(Fields.Vsn.Of(s), vsn);
        LabelAscii.WriteText(Fields.OwnerId.Of(s), ownerId);
        (lbpMethod == LbpMethod.Crc32C ? "02"u8 : "00"u8).CopyTo(Fields.LbpMethod.Of(s));
        s[Fields.LabelStandard.Offset] = (byte)'3';
        return new Vol1Label(in b);
    }

    /// <summary>Parses and validates a VOL1 in Strict mode.</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid VOL1.</exception>
    public static Vol1Label Parse(ReadOnlySpan<byte> label) => Parse(label, LabelReadMode.Strict, out _);

    /// <inheritdoc/>
    public static Vol1Label Parse(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        LabelParsing.Parse(label, LabelKind.Vol1, anyKind: false, mode, out warnings);
        return new Vol1Label(LabelBytes.Copy(label));
    }

    /// <inheritdoc/>
    public static bool TryParse(ReadOnlySpan<byte> label, out Vol1Label result)
    {
        bool ok = LabelParsing.TryParse(label, LabelKind.Vol1, anyKind: false, out _);
        result = ok ? new Vol1Label(LabelBytes.Copy(label)) : default;
        return ok;
    }

    /// <inheritdoc/>
    public IReadOnlyList<LabelWarning> Validate(LabelReadMode mode = LabelReadMode.Strict) => LabelParsing.Validate(_bytes, Kind, mode);

    /// <inheritdoc/>
    public void WriteTo(Span<byte> destination) => LabelParsing.WriteTo(_bytes, destination);

    /// <summary>A copy of the label with the VSN compared as CTA does: the 6-byte S-padded field.</summary>
    /// <param name="expectedVsn">The VSN the caller expects.</param>
    /// <returns>Whether the label's VSN field equals <paramref name="expectedVsn"/> S-padded to 6 bytes.</returns>
    public bool HasVsn(string expectedVsn)
    {
        ArgumentNullException.ThrowIfNull(expectedVsn);
        if (expectedVsn.Length > 6)
        {
            return false;
        }

        ReadOnlySpan<byte> field = LabelBytes.Field(in _bytes, Fields.Vsn);
        for (int i = 0; i < 6; i++)
        {
            char expected = i < expectedVsn.Length ? expectedVsn[i] : ' ';
            if (field[i] != expected)
            {
                return false;
            }
        }

        return true;
    }

    /// <inheritdoc/>
    public bool Equals(Vol1Label other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Vol1Label other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => LabelHash.Of(_bytes);

    /// <summary>The 80 bytes as text.</summary>
    /// <returns>The label text.</returns>
    public override string ToString() => LabelAscii.ToText(_bytes);

    /// <summary>Equality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are byte-identical.</returns>
    public static bool operator ==(Vol1Label left, Vol1Label right) => left.Equals(right);

    /// <summary>Inequality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(Vol1Label left, Vol1Label right) => !left.Equals(right);

    private string Text(LabelField field) => LabelAscii.ToTrimmedText(LabelBytes.Field(in _bytes, field));
}
