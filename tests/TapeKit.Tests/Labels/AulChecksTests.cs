using TapeKit.Labels;

namespace TapeKit.Tests.Labels;

public sealed class AulChecksTests
{
    private static FileLabelGroup Headers() => FileLabelGroup.Parse(
        SpecVectors.Bytes(SpecVectors.CtaHdr1), SpecVectors.Bytes(SpecVectors.CtaHdr2), SpecVectors.Bytes(SpecVectors.CtaUhl1), header: true, LabelReadMode.Strict, out _);

    private static FileLabelGroup Trailers() => FileLabelGroup.Parse(
        SpecVectors.Bytes(SpecVectors.CtaEof1), SpecVectors.Bytes(SpecVectors.CtaEof2), SpecVectors.Bytes(SpecVectors.CtaUtl1), header: false, LabelReadMode.Strict, out _);

    [Fact]
    public void Mount_accepts_the_expected_vsn_and_refuses_another_in_both_modes()
    {
        byte[] vol1 = SpecVectors.Bytes(SpecVectors.CtaVol1);
        Assert.Equal("V12345", AulChecks.CheckVolume(vol1, "V12345", LabelReadMode.Strict, out _).Vsn);
        foreach (LabelReadMode mode in new[] { LabelReadMode.Strict, LabelReadMode.Lenient })
        {
            var error = Assert.Throws<TapeFormatException>(() => AulChecks.CheckVolume(vol1, "V12346", mode, out _));
            Assert.Equal(("VOL1", "vsn", 4L), (error.Kind, error.Field, error.Offset));
            Assert.Contains("wrong cartridge", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Vsn_is_compared_as_the_six_byte_padded_field()
    {
        Vol1Label vol1 = Vol1Label.Create("V123", "CTA");
        Assert.True(vol1.HasVsn("V123"));
        Assert.False(vol1.HasVsn("V1234"));
        Assert.False(vol1.HasVsn("V12"));
        Assert.False(vol1.HasVsn("V1234567"));
    }

    [Fact]
    public void Read_check_returns_the_block_size_from_uhl1()
    {
        Assert.Equal(262144, AulChecks.CheckHeaders(Headers(), 0x1A2B, "V12345", 1));
    }

    [Theory]
    [InlineData(0x1A2CUL, "V12345", 1L, "fileId")]
    [InlineData(0x1A2BUL, "V99999", 1L, "fileSetId")]
    [InlineData(0x1A2BUL, "V12345", 2L, "fileSequence")]
    [InlineData(0x1A2BUL, "V12345", 10001L, "fileSequence")]
    public void Read_check_refuses_the_wrong_file_or_position(ulong fileId, string vsn, long fseq, string field)
    {
        var error = Assert.Throws<TapeFormatException>(() => AulChecks.CheckHeaders(Headers(), fileId, vsn, fseq));
        Assert.Equal(field, error.Field);
    }

    [Fact]
    public void Append_check_requires_utl1_fseq_to_be_the_last_known_file()
    {
        AulChecks.CheckAppendTrailers(Trailers(), 1);
        var error = Assert.Throws<TapeFormatException>(() => AulChecks.CheckAppendTrailers(Trailers(), 2));
        Assert.Equal(("UTL1", "fileSequence", 4L), (error.Kind, error.Field, error.Offset));
        Assert.Throws<ArgumentException>(() => AulChecks.CheckAppendTrailers(Headers(), 1));
    }

    [Fact]
    public void Block_count_is_compared_modulo_a_million()
    {
        Hdr1Label eof1 = Trailers().Label1;
        Assert.Null(AulChecks.CheckBlockCount(eof1, 42, LabelReadMode.Strict));
        Assert.Null(AulChecks.CheckBlockCount(eof1, 1_000_042, LabelReadMode.Strict));
        var error = Assert.Throws<TapeFormatException>(() => AulChecks.CheckBlockCount(eof1, 41, LabelReadMode.Strict));
        Assert.Equal("blockCount", error.Field);
        LabelWarning? warning = AulChecks.CheckBlockCount(eof1, 41, LabelReadMode.Lenient);
        Assert.NotNull(warning);
        Assert.Equal("000042", warning.OffendingBytes);
    }
}
