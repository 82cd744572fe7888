using System.Globalization;

namespace TapeKit.Labels;

/// <summary>
/// The checks CTA applies when it mounts a tape, reads a file and appends after file n
/// (<c>docs/formats/aul.md#5-reading-and-appending</c>). The comparisons with what the caller expects
/// protect against the wrong cartridge or the wrong position and are never relaxed (F3.3).
/// </summary>
public static class AulChecks
{
    /// <summary>Mount check: VOL1 is valid under <paramref name="mode"/> and its VSN is the one expected.</summary>
    /// <param name="vol1">The 80 bytes read at the start of the tape.</param>
    /// <param name="expectedVsn">The VSN the caller mounted.</param>
    /// <param name="mode">Strict or Lenient.</param>
    /// <param name="warnings">The warnings.</param>
    /// <returns>The VOL1.</returns>
    /// <exception cref="TapeFormatException">VOL1 is invalid, or it names another VSN.</exception>
    public static Vol1Label CheckVolume(ReadOnlySpan<byte> vol1, string expectedVsn, LabelReadMode mode, out IReadOnlyList<LabelWarning> warnings)
    {
        ArgumentNullException.ThrowIfNull(expectedVsn);
        Vol1Label label = Vol1Label.Parse(vol1, mode, out warnings);
        if (!label.HasVsn(expectedVsn))
        {
            throw Mismatch("VOL1", LabelFields.Vol1.Vsn, vol1, $"\"{expectedVsn}\" (the wrong cartridge is mounted)");
        }

        return label;
    }

    /// <summary>
    /// Read check of a header group: HDR1 <c>fileId</c> (hexadecimal) is the expected file id, HDR1
    /// <c>fileSetId</c> the VSN and UHL1 <c>fileSequence</c> the expected fseq.
    /// </summary>
    /// <param name="headers">The header group, already validated.</param>
    /// <param name="expectedFileId">The archive file id (ALB: aggregation id) from the catalogue.</param>
    /// <param name="expectedVsn">The VSN of the mounted tape.</param>
    /// <param name="expectedFileSequence">The fseq from the catalogue.</param>
    /// <returns>The data block size S from UHL1, the size of the read buffer.</returns>
    /// <exception cref="TapeFormatException">A value differs: wrong file or wrong position.</exception>
    public static int CheckHeaders(in FileLabelGroup headers, ulong expectedFileId, string expectedVsn, long expectedFileSequence)
    {
        ArgumentNullException.ThrowIfNull(expectedVsn);
        Span<byte> label = stackalloc byte[AnsiLabel.Length];
        RequireKinds(headers, header: true);

        headers.Label1.WriteTo(label);
        if (!headers.Label1.TryGetFileId(out ulong fileId) || fileId != expectedFileId)
        {
            throw Mismatch("HDR1", LabelFields.Hdr1.FileId, label, $"file id {expectedFileId:X} (wrong file or wrong position)");
        }

        if (headers.Label1.FileSetId != expectedVsn)
        {
            throw Mismatch("HDR1", LabelFields.Hdr1.FileSetId, label, $"\"{expectedVsn}\" (a file of another tape)");
        }

        headers.UserLabel.WriteTo(label);
        if (headers.UserLabel.FileSequence != expectedFileSequence)
        {
            throw Mismatch("UHL1", LabelFields.Uhl1.FileSequence, label, string.Create(CultureInfo.InvariantCulture, $"fseq {expectedFileSequence} (wrong position)"));
        }

        long blockSize = headers.UserLabel.BlockSize ?? 0;
        if (blockSize is < 1 or > int.MaxValue)
        {
            throw Mismatch("UHL1", LabelFields.Uhl1.BlockSize, label, "a block size from 1 to 2147483647");
        }

        return (int)blockSize;
    }

    /// <summary>
    /// Append check after file n (F11): the trailer group read after the data TM of file n is valid
    /// and UTL1 <c>fileSequence</c> is n. EOF1/EOF2 are deliberately not compared with the catalogue.
    /// </summary>
    /// <param name="trailers">The trailer group, already validated.</param>
    /// <param name="expectedLastFileSequence">n, the fseq of the last file the catalogue knows.</param>
    /// <exception cref="TapeFormatException">UTL1 names another fseq: the tape and the catalogue disagree.</exception>
    public static void CheckAppendTrailers(in FileLabelGroup trailers, long expectedLastFileSequence)
    {
        RequireKinds(trailers, header: false);
        if (trailers.UserLabel.FileSequence != expectedLastFileSequence)
        {
            Span<byte> label = stackalloc byte[AnsiLabel.Length];
            trailers.UserLabel.WriteTo(label);
            throw Mismatch("UTL1", LabelFields.Uhl1.FileSequence, label, string.Create(CultureInfo.InvariantCulture, $"fseq {expectedLastFileSequence}, the last file the catalogue knows (appending here could overwrite data)"));
        }
    }

    /// <summary>
    /// ⊕ TapeKit's check once every data block of a file was read: EOF1 <c>blockCount</c> equals the
    /// blocks read modulo 10⁶ (Strict: error; Lenient: warning).
    /// </summary>
    /// <param name="eof1">The EOF1.</param>
    /// <param name="blocksRead">The data blocks read.</param>
    /// <param name="mode">Strict or Lenient.</param>
    /// <returns>The warning in Lenient mode, or <see langword="null"/> when the counts agree.</returns>
    /// <exception cref="TapeFormatException">The counts differ in Strict mode.</exception>
    public static LabelWarning? CheckBlockCount(in Hdr1Label eof1, long blocksRead, LabelReadMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(blocksRead);
        if (eof1.BlockCount == blocksRead % 1_000_000)
        {
            return null;
        }

        Span<byte> label = stackalloc byte[AnsiLabel.Length];
        eof1.WriteTo(label);
        LabelField field = LabelFields.Hdr1.BlockCount;
        TapeFormatException mismatch = Mismatch("EOF1", field, label, string.Create(CultureInfo.InvariantCulture, $"{blocksRead % 1_000_000:D6}, the {blocksRead} data blocks read"));
        if (mode == LabelReadMode.Strict)
        {
            throw mismatch;
        }

        return new LabelWarning("EOF1", field.Name, field.Offset, field.Length, mismatch.OffendingBytes, mismatch.Message);
    }

    private static void RequireKinds(in FileLabelGroup group, bool header)
    {
        LabelKind k1 = header ? LabelKind.Hdr1 : LabelKind.Eof1;
        LabelKind k2 = header ? LabelKind.Hdr2 : LabelKind.Eof2;
        LabelKind k3 = header ? LabelKind.Uhl1 : LabelKind.Utl1;
        if (group.Label1.Kind != k1 || group.Label2.Kind != k2 || group.UserLabel.Kind != k3)
        {
            throw new ArgumentException($"Expected the {(header ? "header" : "trailer")} group {LabelIds.Text(k1)} {LabelIds.Text(k2)} {LabelIds.Text(k3)}.", nameof(group));
        }
    }

    /// <summary>The exception for a field of <paramref name="label"/> that holds another value than the caller expects.</summary>
    private static TapeFormatException Mismatch(string kind, LabelField field, ReadOnlySpan<byte> label, string expected)
    {
        string shown = TapeFormatException.Printable(field.Of(label));
        string message = $"{LabelFields.Describe(kind, field)} is \"{shown}\"; expected {expected}.";
        return new TapeFormatException(message, kind, field.Name, field.Offset, field.Length, shown);
    }
}
