namespace TapeKit.Labels;

/// <summary>
/// The three labels of a file's header group (HDR1 HDR2 UHL1) or trailer group (EOF1 EOF2 UTL1),
/// in the order they are written, each as its own 80-byte block (<c>docs/formats/aul.md#1-what-is-on-the-tape</c>).
/// </summary>
/// <param name="Label1">HDR1 or EOF1.</param>
/// <param name="Label2">HDR2 or EOF2.</param>
/// <param name="UserLabel">UHL1 or UTL1.</param>
public readonly record struct FileLabelGroup(Hdr1Label Label1, Hdr2Label Label2, Uhl1Label UserLabel)
{
    /// <summary>Whether this is a header group (HDR1 …) rather than a trailer group (EOF1 …).</summary>
    public bool IsHeader => Label1.Kind == LabelKind.Hdr1;

    /// <summary>
    /// The trailer group that closes the file this header group opens: EOF1 with the block count and
    /// HDR1's dates (F2.3), EOF2 = HDR2, UTL1 = UHL1 (F1.5).
    /// </summary>
    /// <param name="blockCount">The number of data blocks written.</param>
    /// <returns>The trailer group.</returns>
    public FileLabelGroup ToTrailers(long blockCount) =>
        new(Label1.ToTrailer(blockCount), Label2.ToTrailer(), UserLabel.ToTrailer());

    /// <summary>
    /// Parses a header group (HDR1 HDR2 UHL1) or trailer group (EOF1 EOF2 UTL1) read as three
    /// 80-byte blocks. The order of the labels is never relaxed (F3.3).
    /// </summary>
    /// <param name="label1">The first block: HDR1 or EOF1.</param>
    /// <param name="label2">The second block: HDR2 or EOF2.</param>
    /// <param name="label3">The third block: UHL1 or UTL1.</param>
    /// <param name="header">Whether a header group is expected (else a trailer group).</param>
    /// <param name="mode">Strict or Lenient.</param>
    /// <param name="warnings">The warnings of all three labels.</param>
    /// <returns>The group.</returns>
    /// <exception cref="TapeFormatException">A label is invalid or out of place.</exception>
    public static FileLabelGroup Parse(ReadOnlySpan<byte> label1, ReadOnlySpan<byte> label2, ReadOnlySpan<byte> label3, bool header, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        List<LabelWarning>? list = null;
        ParseOne(label1, header ? LabelKind.Hdr1 : LabelKind.Eof1, mode, ref list);
        ParseOne(label2, header ? LabelKind.Hdr2 : LabelKind.Eof2, mode, ref list);
        ParseOne(label3, header ? LabelKind.Uhl1 : LabelKind.Utl1, mode, ref list);
        warnings = (IReadOnlyList<LabelWarning>?)list ?? [];
        return new FileLabelGroup(
            Hdr1Label.FromValidated(label1),
            Hdr2Label.FromValidated(label2),
            Uhl1Label.FromValidated(label3));
    }

    /// <summary>Writes the three labels, 240 bytes, one after another.</summary>
    /// <param name="destination">At least 240 bytes.</param>
    public void WriteTo(Span<byte> destination)
    {
        if (destination.Length < 3 * AnsiLabel.Length)
        {
            throw new ArgumentException($"Three labels need 240 bytes; the destination has {destination.Length}.", nameof(destination));
        }

        Label1.WriteTo(destination);
        Label2.WriteTo(destination[AnsiLabel.Length..]);
        UserLabel.WriteTo(destination[(2 * AnsiLabel.Length)..]);
    }

    private static void ParseOne(ReadOnlySpan<byte> label, LabelKind expected, LabelReadMode mode, ref List<LabelWarning>? warnings)
    {
        LabelFault fault = LabelValidator.Validate(label, expected, anyKind: false, mode, ref warnings, out LabelKind kind);
        if (!fault.IsFault && kind != expected)
        {
            fault = new LabelFault(FaultReason.WrongIdentifier, LabelIds.Text(kind), "labelId", 0, 4, expected: "\"" + LabelIds.Text(expected) + "\" here");
        }

        if (fault.IsFault)
        {
            fault.Throw(label);
        }
    }
}
