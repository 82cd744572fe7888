using System.Text;
using TapeKit.Labels;

namespace TapeKit.Tests.Labels;

/// <summary>The values CTA's own unit tests assert (spec/formats.md §6.1, CTA StructuresTest.cpp).</summary>
public sealed class CtaUnitTestValueTests
{
    private static readonly LabelDate AnyDate = LabelDate.FromDate(new DateOnly(2024, 5, 2));

    [Theory]
    [InlineData(LabelKind.Vol1)]
    [InlineData(LabelKind.Hdr1)]
    [InlineData(LabelKind.Eof1)]
    [InlineData(LabelKind.Hdr2)]
    [InlineData(LabelKind.Eof2)]
    [InlineData(LabelKind.Uhl1)]
    [InlineData(LabelKind.Utl1)]
    public void A_new_all_space_label_does_not_verify(LabelKind kind)
    {
        byte[] label = Encoding.ASCII.GetBytes(AnsiLabel.IdentifierOf(kind).PadRight(80));
        Assert.False(AnsiLabel.TryParse(label, out _));
        Assert.Throws<TapeFormatException>(() => AnsiLabel.Parse(label, LabelReadMode.Strict, out _));
    }

    [Fact]
    public void Vol1_fill_test()
    {
        // CTA's fill does not validate the VSN's characters; TapeKit's writer does, so the raw field is checked here.
        string text = Vol1Label.Create("TEST", "CTA").ToString();
        Assert.Equal("TEST  ", text.Substring(4, 6));
        Assert.Equal("00", text.Substring(77, 2));
        Assert.True(Vol1Label.TryParse(Encoding.ASCII.GetBytes(text.Replace("TEST  ", "test  ", StringComparison.Ordinal)), out Vol1Label lower));
        Assert.Equal("test", lower.Vsn);
    }

    [Theory]
    [InlineData("  ", true, LbpMethod.None)]
    [InlineData("00", true, LbpMethod.None)]
    [InlineData("02", true, LbpMethod.Crc32C)]
    [InlineData("01", false, LbpMethod.None)]
    [InlineData("03", false, LbpMethod.None)]
    [InlineData("XY", false, LbpMethod.None)]
    public void Vol1_lbp_field(string field, bool valid, LbpMethod method)
    {
        byte[] label = SpecVectors.Bytes(SpecVectors.CtaVol1);
        Encoding.ASCII.GetBytes(field).CopyTo(label, 77);
        foreach (LabelReadMode mode in new[] { LabelReadMode.Strict, LabelReadMode.Lenient })
        {
            if (valid)
            {
                Assert.Equal(method, Vol1Label.Parse(label, mode, out _).LbpMethod);
            }
            else
            {
                var error = Assert.Throws<TapeFormatException>(() => Vol1Label.Parse(label, mode, out _));
                Assert.Equal("lbpMethod", error.Field);
                Assert.Equal(77, error.Offset);
            }
        }
    }

    [Fact]
    public void Reed_solomon_is_named_as_unsupported()
    {
        byte[] label = SpecVectors.Bytes(SpecVectors.CtaVol1);
        "01"u8.CopyTo(label.AsSpan(77));
        var error = Assert.Throws<TapeFormatException>(() => Vol1Label.Parse(label));
        Assert.Contains("Reed-Solomon", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Hdr1_fill_keeps_fseq_modulo_10000()
    {
        // CTA's test uses file id "AABBCC" and VSN "test"; TapeKit writes ids as numbers and VSNs in upper case.
        string text = Hdr1Label.Create(LabelKind.Hdr1, 0xAABBCC, "TEST", 12345, AnyDate, 0, "CTA 5.11.2.0").ToString();
        Assert.Equal("AABBCC           ", text.Substring(4, 17));
        Assert.Equal("TEST  ", text.Substring(21, 6));
        Assert.Equal("2345", text.Substring(31, 4));
    }

    [Fact]
    public void Prelabel_fill()
    {
        string text = Hdr1Label.CreatePrelabel("TEST", AnyDate, "CTA 5.11.2.0").ToString();
        Assert.Equal("TEST  ", text.Substring(21, 6));
        Assert.Equal("PRELABEL         ", text.Substring(4, 17));
        Assert.Equal("0001", text.Substring(31, 4));
    }

    [Fact]
    public void Eof1_fill()
    {
        Hdr1Label hdr1 = Hdr1Label.Create(LabelKind.Hdr1, 0xAABBCC, "TEST", 12345, AnyDate, 0, "CTA 5.11.2.0");
        string text = hdr1.ToTrailer(7654).ToString();
        Assert.Equal("2345", text.Substring(31, 4));
        Assert.Equal("007654", text.Substring(54, 6));
        Assert.Equal(text, Hdr1Label.Create(LabelKind.Eof1, 0xAABBCC, "TEST", 12345, AnyDate, 7654, "CTA 5.11.2.0").ToString());
    }

    [Theory]
    [InlineData(262144, "00000")]
    [InlineData(32760, "32760")]
    [InlineData(99999, "99999")]
    [InlineData(100000, "00000")]
    public void Hdr2_and_eof2_fill(int blockSize, string written)
    {
        foreach (LabelKind kind in new[] { LabelKind.Hdr2, LabelKind.Eof2 })
        {
            string text = Hdr2Label.Create(kind, blockSize, compressed: false).ToString();
            Assert.Equal(written, text.Substring(5, 5));
            Assert.Equal(written, text.Substring(10, 5));
        }
    }

    [Fact]
    public void Uhl1_and_utl1_fill()
    {
        var identity = new UserLabelIdentity("CERN", "TESTMOVER", "TEST", "TEST DRIVE", "XXYYTEST");
        foreach (LabelKind kind in new[] { LabelKind.Uhl1, LabelKind.Utl1 })
        {
            string text = Uhl1Label.Create(kind, 12345, 262144, identity).ToString();
            Assert.Equal("0000262144", text.Substring(14, 10));
            Assert.Equal("0000012345", text.Substring(4, 10));
        }
    }

    [Fact]
    public void Set_date_gives_six_characters_after_29_march_2022()
    {
        string text = Hdr1Label.Create(LabelKind.Hdr1, 1, "TEST", 1, LabelDate.Today(TimeProvider.System), 0, "X").ToString();
        string date = text.Substring(41, 6);
        Assert.Equal(6, date.Length);
        Assert.True(int.Parse(date, System.Globalization.CultureInfo.InvariantCulture) > 22088);
    }
}
