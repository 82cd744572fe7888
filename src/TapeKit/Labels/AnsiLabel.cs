namespace TapeKit.Labels;

/// <summary>
/// A label of any kind, identified by its first four bytes: what a reader that does not yet know
/// what comes next (a dump, <c>tapekit label decode</c>) works with. Convert to the typed struct
/// with <see cref="AsVol1"/>, <see cref="AsHdr1"/>, <see cref="AsHdr2"/> or <see cref="AsUhl1"/>.
/// </summary>
public readonly struct AnsiLabel : IEquatable<AnsiLabel>
{
    /// <summary>The length of every label: one 80-byte tape block.</summary>
    public const int Length = LabelValidator.LabelLength;

    private readonly LabelBytes _bytes;

    private AnsiLabel(in LabelBytes bytes, LabelKind kind)
    {
        _bytes = bytes;
        Kind = kind;
    }

    /// <summary>The label's kind.</summary>
    public LabelKind Kind { get; }

    /// <summary>The fields of a label kind, in offset order, covering all 80 bytes.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The layout of its kind (<c>docs/formats/aul.md#2-the-labels</c>).</returns>
    public static IReadOnlyList<LabelField> FieldsOf(LabelKind kind) => kind switch
    {
        LabelKind.Vol1 => Layouts.Vol1,
        LabelKind.Hdr1 or LabelKind.Eof1 => Layouts.Hdr1,
        LabelKind.Hdr2 or LabelKind.Eof2 => Layouts.Hdr2,
        _ => Layouts.Uhl1,
    };

    /// <summary>The four-character identifier of a kind, e.g. <c>EOF1</c>.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The identifier.</returns>
    public static string IdentifierOf(LabelKind kind) => LabelIds.Text(kind);

    /// <summary>Identifies, parses and validates a label of any kind.</summary>
    /// <param name="label">Exactly 80 bytes.</param>
    /// <param name="mode">Strict or Lenient.</param>
    /// <param name="warnings">The warnings (empty when none).</param>
    /// <returns>The label.</returns>
    /// <exception cref="TapeFormatException">The bytes are not a valid label.</exception>
    public static AnsiLabel Parse(ReadOnlySpan<byte> label, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        LabelKind kind = LabelParsing.Parse(label, LabelKind.Vol1, anyKind: true, mode, out warnings);
        return new AnsiLabel(LabelBytes.Copy(label), kind);
    }

    /// <summary>Identifies, parses and validates a label of any kind in Strict mode, without throwing.</summary>
    /// <param name="label">The bytes.</param>
    /// <param name="result">The label, when valid.</param>
    /// <returns>Whether the bytes are a valid label.</returns>
    public static bool TryParse(ReadOnlySpan<byte> label, out AnsiLabel result)
    {
        bool ok = LabelParsing.TryParse(label, LabelKind.Vol1, anyKind: true, out LabelKind kind);
        result = ok ? new AnsiLabel(LabelBytes.Copy(label), kind) : default;
        return ok;
    }

    /// <summary>The raw text of one field, padding included.</summary>
    /// <param name="field">A field of <see cref="FieldsOf"/> for this label's kind.</param>
    /// <returns>The field's bytes as text.</returns>
    public string FieldText(LabelField field)
    {
        if (field.Offset < 0 || field.Length < 1 || field.Offset + field.Length > Length)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "The field does not lie inside an 80-byte label.");
        }

        return LabelAscii.ToText(LabelBytes.Field(in _bytes, field));
    }

    /// <summary>The label as a VOL1.</summary>
    /// <returns>The typed label.</returns>
    public Vol1Label AsVol1() => Kind == LabelKind.Vol1 ? Vol1Label.FromValidated(_bytes) : throw WrongKind("VOL1");

    /// <summary>The label as an HDR1 or EOF1.</summary>
    /// <returns>The typed label.</returns>
    public Hdr1Label AsHdr1() => Kind is LabelKind.Hdr1 or LabelKind.Eof1 ? Hdr1Label.FromValidated(_bytes) : throw WrongKind("HDR1 or EOF1");

    /// <summary>The label as an HDR2 or EOF2.</summary>
    /// <returns>The typed label.</returns>
    public Hdr2Label AsHdr2() => Kind is LabelKind.Hdr2 or LabelKind.Eof2 ? Hdr2Label.FromValidated(_bytes) : throw WrongKind("HDR2 or EOF2");

    /// <summary>The label as a UHL1 or UTL1.</summary>
    /// <returns>The typed label.</returns>
    public Uhl1Label AsUhl1() => Kind is LabelKind.Uhl1 or LabelKind.Utl1 ? Uhl1Label.FromValidated(_bytes) : throw WrongKind("UHL1 or UTL1");

    /// <summary>Writes the 80 bytes.</summary>
    /// <param name="destination">At least 80 bytes.</param>
    public void WriteTo(Span<byte> destination) => LabelParsing.WriteTo(_bytes, destination);

    /// <inheritdoc/>
    public bool Equals(AnsiLabel other) => ((ReadOnlySpan<byte>)_bytes).SequenceEqual(other._bytes);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AnsiLabel other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => LabelHash.Of(_bytes);

    /// <summary>The 80 bytes as text.</summary>
    /// <returns>The label text.</returns>
    public override string ToString() => LabelAscii.ToText(_bytes);

    /// <summary>Equality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they are byte-identical.</returns>
    public static bool operator ==(AnsiLabel left, AnsiLabel right) => left.Equals(right);

    /// <summary>Inequality of the 80 bytes.</summary>
    /// <param name="left">One label.</param>
    /// <param name="right">The other.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(AnsiLabel left, AnsiLabel right) => !left.Equals(right);

    private InvalidOperationException WrongKind(string wanted) =>
        new($"This label is a {LabelIds.Text(Kind)}, not a {wanted}.");

    private static class Layouts
    {
        public static readonly IReadOnlyList<LabelField> Vol1 = Array.AsReadOnly(Project(LabelLayouts.Vol1));
        public static readonly IReadOnlyList<LabelField> Hdr1 = Array.AsReadOnly(Project(LabelLayouts.Hdr1));
        public static readonly IReadOnlyList<LabelField> Hdr2 = Array.AsReadOnly(Project(LabelLayouts.Hdr2));
        public static readonly IReadOnlyList<LabelField> Uhl1 = Array.AsReadOnly(Project(LabelLayouts.Uhl1));

        private static LabelField[] Project(FieldRule[] rules) => Array.ConvertAll(rules, r => r.Field);
    }
}
