using System.Text;
using TapeKit.Labels;

namespace TapeKit.Tests.Labels;

/// <summary>Each row of spec/formats.md §2.7 "Per-label checks", in Strict and Lenient mode.</summary>
public sealed class LabelValidationTests
{
    public enum Outcome
    {
        Ok,
        Warning,
        Error,
    }

    // base label, offset, replacement, field, strict outcome, lenient outcome
    public static TheoryData<string, int, string, string, Outcome, Outcome> Rows => new()
    {
        // VOL1
        { SpecVectors.CtaVol1, 4, "      ", "vsn", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaVol1, 10, "A", "accessibility", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaVol1, 11, "X", "reserved1", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaVol1, 24, "IMPL", "implementationId", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaVol1, 51, "Z", "reserved2", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaVol1, 79, "0", "labelStandard", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaVol1, 79, "4", "labelStandard", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaVol1, 79, " ", "labelStandard", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaVol1, 37, "SOMEONE ELSE  ", "ownerId", Outcome.Ok, Outcome.Ok },
        { SpecVectors.CtaVol1, 37, "              ", "ownerId", Outcome.Ok, Outcome.Ok },

        // HDR1 / EOF1 non-blank fields
        { SpecVectors.CtaHdr1, 4, "                 ", "fileId", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 21, "      ", "fileSetId", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 31, "    ", "fileSequence", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 41, "      ", "creationDate", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaEof1, 47, "      ", "expirationDate", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 60, "             ", "systemCode", Outcome.Error, Outcome.Warning },
        // fixed values
        { SpecVectors.CtaHdr1, 27, "0002", "fileSection", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 35, "0003", "generation", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 39, "01", "generationVersion", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaEof1, 53, "X", "accessibility", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 73, "RESERVE", "reserved", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 54, "000042", "blockCount", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaEof1, 54, "      ", "blockCount", Outcome.Error, Outcome.Warning },
        // numbers and dates
        { SpecVectors.CtaHdr1, 31, "00A1", "fileSequence", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaEof1, 54, "0004 2", "blockCount", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 41, "024400", "creationDate", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 47, "023366", "expirationDate", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr1, 47, "000000", "expirationDate", Outcome.Ok, Outcome.Ok },
        { SpecVectors.CtaHdr1, 41, "05041 ", "creationDate", Outcome.Warning, Outcome.Warning },

        // HDR2 / EOF2
        { SpecVectors.CtaHdr2, 4, "U", "recordFormat", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaEof2, 4, "D", "recordFormat", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 5, "     ", "blockLength", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 10, "     ", "recordLength", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 10, "1 2 3", "recordLength", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 16, "R", "reserved1", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 36, "R", "reserved2", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 52, "R", "reserved3", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 50, "01", "bufferOffset", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaHdr2, 15, "D", "density", Outcome.Ok, Outcome.Ok },
        { SpecVectors.CtaHdr2, 34, "  ", "recordingTechnique", Outcome.Ok, Outcome.Ok },

        // UHL1 / UTL1
        { SpecVectors.CtaUhl1, 4, "          ", "fileSequence", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUhl1, 24, "          ", "recordLength", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUhl1, 34, "        ", "site", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUtl1, 42, "          ", "moverHost", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUhl1, 52, "        ", "driveVendor", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUhl1, 60, "        ", "driveModel", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUhl1, 68, "            ", "driveSerial", Outcome.Error, Outcome.Warning },
        { SpecVectors.CtaUhl1, 14, "          ", "blockSize", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaUhl1, 14, "0000000000", "blockSize", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaUhl1, 14, "00002621X4", "blockSize", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaUhl1, 4, "000000000A", "fileSequence", Outcome.Error, Outcome.Warning },

        // never relaxed: identifiers and bytes outside 0x20-0x7E
        { SpecVectors.CtaHdr1, 0, "HDR3", "labelId", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaUhl1, 36, "\0", "site", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaVol1, 60, "\u007f", "reserved2", Outcome.Error, Outcome.Error },
        { SpecVectors.CtaHdr2, 79, "\u00e9", "reserved3", Outcome.Error, Outcome.Error },
    };

    [Theory]
    [MemberData(nameof(Rows))]
    public void Check(string baseLabel, int offset, string replacement, string field, Outcome strict, Outcome lenient)
    {
        byte[] label = SpecVectors.Bytes(baseLabel);
        Encoding.Latin1.GetBytes(replacement).CopyTo(label, offset);
        Assert.Equal(80, label.Length);

        Expect(label, LabelReadMode.Strict, field, strict);
        Expect(label, LabelReadMode.Lenient, field, lenient);
    }

    [Fact]
    public void Every_byte_belongs_to_exactly_one_field_of_each_layout()
    {
        foreach (LabelKind kind in Enum.GetValues<LabelKind>())
        {
            int next = 0;
            foreach (LabelField field in AnsiLabel.FieldsOf(kind))
            {
                Assert.Equal(next, field.Offset);
                next += field.Length;
            }

            Assert.Equal(80, next);
        }
    }

    [Fact]
    public void Messages_follow_the_form_of_F3_4()
    {
        byte[] hdr1 = SpecVectors.Bytes(SpecVectors.CtaHdr1);
        "0002"u8.CopyTo(hdr1.AsSpan(27));
        var error = Assert.Throws<TapeFormatException>(() => Hdr1Label.Parse(hdr1));
        Assert.Equal("HDR1 field fileSection (offset 27, length 4) is \"0002\"; expected \"0001\".", error.Message);
        Assert.Equal(("HDR1", "fileSection", 27L, 4, "0002"), (error.Kind, error.Field, error.Offset, error.Length, error.OffendingBytes));

        byte[] uhl1 = SpecVectors.Bytes(SpecVectors.CtaUhl1);
        uhl1[36] = 0;
        error = Assert.Throws<TapeFormatException>(() => Uhl1Label.Parse(uhl1));
        Assert.StartsWith("UHL1 field site (offset 34, length 8) contains byte 0x00 at offset 36.", error.Message, StringComparison.Ordinal);
        Assert.Equal(36, error.Offset);
        Assert.Equal("CE\\x00N    ", error.OffendingBytes);
        Assert.IsAssignableFrom<IOException>(error);
    }

    [Fact]
    public void Lenient_warnings_name_kind_field_offset_and_bytes()
    {
        byte[] hdr1 = SpecVectors.Bytes(SpecVectors.CtaEof1);
        "0002"u8.CopyTo(hdr1.AsSpan(27));
        "X"u8.CopyTo(hdr1.AsSpan(75));
        Hdr1Label.Parse(hdr1, LabelReadMode.Lenient, out var warnings);
        Assert.Collection(
            warnings,
            w => Assert.Equal(("EOF1", "fileSection", 27, 4, "0002"), (w.Kind, w.Field, w.Offset, w.Length, w.OffendingBytes)),
            w => Assert.Equal(("EOF1", "reserved", 73, 7, "  X    "), (w.Kind, w.Field, w.Offset, w.Length, w.OffendingBytes)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(79)]
    [InlineData(81)]
    [InlineData(84)]
    [InlineData(160)]
    public void Blocks_of_any_other_length_than_80_are_rejected_in_both_modes(int length)
    {
        byte[] block = new byte[length];
        Encoding.ASCII.GetBytes(SpecVectors.CtaHdr1.PadRight(160)).AsSpan(0, length).CopyTo(block);
        foreach (LabelReadMode mode in new[] { LabelReadMode.Strict, LabelReadMode.Lenient })
        {
            var error = Assert.Throws<TapeFormatException>(() => AnsiLabel.Parse(block, mode, out _));
            Assert.Equal("block", error.Field);
            Assert.Contains($"this block is {length} bytes", error.Message, StringComparison.Ordinal);
            Assert.Throws<TapeFormatException>(() => Hdr1Label.Parse(block, mode, out _));
        }

        Assert.False(Hdr1Label.TryParse(block, out _));
    }

    [Fact]
    public void A_label_of_another_kind_is_refused_by_a_typed_parser()
    {
        var error = Assert.Throws<TapeFormatException>(() => Hdr1Label.Parse(SpecVectors.Bytes(SpecVectors.CtaHdr2)));
        Assert.Equal("HDR1 field labelId (offset 0, length 4) is \"HDR2\"; expected \"HDR1\" or \"EOF1\".", error.Message);
        error = Assert.Throws<TapeFormatException>(() => AnsiLabel.Parse(SpecVectors.Bytes(SpecVectors.CtaHdr2.Replace("HDR2", "HDR9", StringComparison.Ordinal)), LabelReadMode.Lenient, out _));
        Assert.Equal("labelId", error.Field);
    }

    [Fact]
    public void A_prelabel_is_required_where_one_is_expected()
    {
        Assert.True(Hdr1Label.ParsePrelabel(SpecVectors.Bytes(SpecVectors.CtaPrelabel), LabelReadMode.Strict, out _).IsPrelabel);
        var error = Assert.Throws<TapeFormatException>(() => Hdr1Label.ParsePrelabel(SpecVectors.Bytes(SpecVectors.CtaHdr1), LabelReadMode.Lenient, out _));
        Assert.Equal("fileId", error.Field);
        error = Assert.Throws<TapeFormatException>(() => Hdr1Label.ParsePrelabel(SpecVectors.Bytes(SpecVectors.CtaEof1), LabelReadMode.Lenient, out _));
        Assert.Equal("labelId", error.Field);
    }

    [Fact]
    public void Label_groups_must_come_in_order()
    {
        byte[] h1 = SpecVectors.Bytes(SpecVectors.CtaHdr1), h2 = SpecVectors.Bytes(SpecVectors.CtaHdr2), u = SpecVectors.Bytes(SpecVectors.CtaUhl1);
        FileLabelGroup group = FileLabelGroup.Parse(h1, h2, u, header: true, LabelReadMode.Strict, out _);
        Assert.True(group.IsHeader);
        var error = Assert.Throws<TapeFormatException>(() => FileLabelGroup.Parse(h1, h2, u, header: false, LabelReadMode.Lenient, out _));
        Assert.Equal(("HDR1", "labelId"), (error.Kind, error.Field));
        error = Assert.Throws<TapeFormatException>(() => FileLabelGroup.Parse(h1, h2, SpecVectors.Bytes(SpecVectors.CtaUtl1), header: true, LabelReadMode.Lenient, out _));
        Assert.Equal(("UTL1", "labelId"), (error.Kind, error.Field));
    }

    private static void Expect(byte[] label, LabelReadMode mode, string field, Outcome outcome)
    {
        switch (outcome)
        {
            case Outcome.Ok:
                AnsiLabel.Parse(label, mode, out var none);
                Assert.Empty(none);
                break;
            case Outcome.Warning:
                AnsiLabel.Parse(label, mode, out var warnings);
                LabelWarning warning = Assert.Single(warnings);
                Assert.Equal(field, warning.Field);
                break;
            case Outcome.Error:
                var error = Assert.Throws<TapeFormatException>(() => AnsiLabel.Parse(label, mode, out _));
                Assert.Equal(field, error.Field);
                Assert.False(AnsiLabel.TryParse(label, out _));
                break;
        }
    }
}
