using TapeKit.Labels;

namespace TapeKit.Tests.Labels;

public sealed class SpecVectorTests
{
    private static readonly LabelDate May2 = LabelDate.FromDate(SpecVectors.Date);

    private static readonly UserLabelIdentity CtaIdentity = new("CERN", "TPSRV001", "IBM", "ULT3580-TD9", "1013005289");

    [Fact]
    public void Cta_vol1_without_and_with_lbp()
    {
        Assert.Equal(SpecVectors.CtaVol1, Vol1Label.Create("V12345", "CTA").ToString());
        Assert.Equal(SpecVectors.CtaVol1Lbp, Vol1Label.Create("V12345", "CTA", LbpMethod.Crc32C).ToString());
    }

    [Fact]
    public void Cta_prelabel_hdr1()
    {
        Assert.Equal(SpecVectors.CtaPrelabel, Hdr1Label.CreatePrelabel("V12345", May2, "CTA 5.11.2.0").ToString());
    }

    [Fact]
    public void Cta_file_header_and_trailer_groups()
    {
        var headers = new FileLabelGroup(
            Hdr1Label.Create(LabelKind.Hdr1, 0x1A2B, "V12345", 1, May2, 0, "CTA 5.11.2.0"),
            Hdr2Label.Create(LabelKind.Hdr2, 262144, compressed: true),
            Uhl1Label.Create(LabelKind.Uhl1, 1, 262144, CtaIdentity));
        Assert.Equal(SpecVectors.CtaHdr1, headers.Label1.ToString());
        Assert.Equal(SpecVectors.CtaHdr2, headers.Label2.ToString());
        Assert.Equal(SpecVectors.CtaUhl1, headers.UserLabel.ToString());

        FileLabelGroup trailers = headers.ToTrailers(42);
        Assert.Equal(SpecVectors.CtaEof1, trailers.Label1.ToString());
        Assert.Equal(SpecVectors.CtaEof2, trailers.Label2.ToString());
        Assert.Equal(SpecVectors.CtaUtl1, trailers.UserLabel.ToString());
    }

    [Fact]
    public void Writer_with_cta_profile_reproduces_the_cta_labels()
    {
        var writer = new LabelWriter(new LabelWriterOptions
        {
            Profile = LabelProfile.Cta("5.11.2.0"),
            Clock = new FixedClock(new DateTimeOffset(2024, 5, 2, 23, 59, 0, TimeSpan.Zero)),
            Site = "cern",
            HostName = "tpsrv001.cern.ch",
            DriveVendor = "IBM",
            DriveProduct = "ULT3580-TD9",
            DriveSerial = "1013005289",
        });
        Assert.Equal(SpecVectors.CtaVol1, writer.Volume("V12345").ToString());
        Assert.Equal(SpecVectors.CtaPrelabel, writer.Prelabel("V12345").ToString());
        FileLabelGroup headers = writer.Headers(0x1A2B, "V12345", 1, 262144, compressed: true);
        Assert.Equal(SpecVectors.CtaHdr1, headers.Label1.ToString());
        Assert.Equal(SpecVectors.CtaHdr2, headers.Label2.ToString());
        Assert.Equal(SpecVectors.CtaUhl1, headers.UserLabel.ToString());
        Assert.Equal(SpecVectors.CtaEof1, headers.ToTrailers(42).Label1.ToString());
    }

    [Fact]
    public void TapeKit_and_castor_profiles()
    {
        var tapekit = new LabelWriter(new LabelWriterOptions
        {
            Profile = LabelProfile.ForTapeKit("1.0.0"),
            Clock = new FixedClock(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero)),
            Site = "CERN",
            HostName = "TPSRV001",
        });
        Assert.Equal(SpecVectors.TapeKitVol1, tapekit.Volume("V12345").ToString());
        FileLabelGroup headers = tapekit.Headers(0x1A2B, "V12345", 1, 262144);
        Assert.Equal(SpecVectors.TapeKitHdr1, headers.Label1.ToString());
        Assert.Equal(SpecVectors.TapeKitUhl1DriveUnknown, headers.UserLabel.ToString());
        Assert.False(headers.Label2.IsCompressed);

        var castor = new LabelWriter(new LabelWriterOptions
        {
            Profile = LabelProfile.Castor("2.1.15"),
            Clock = new FixedClock(new DateTimeOffset(2024, 5, 2, 0, 0, 0, TimeSpan.Zero)),
        });
        Assert.Equal(SpecVectors.CastorVol1, castor.Volume("V12345").ToString());
        Assert.Equal(SpecVectors.CastorHdr1, castor.Headers(0x1A2B, "V12345", 1, 262144).Label1.ToString());
    }

    [Fact]
    public void Alb_file_header_and_trailer_with_a_64_bit_aggregation_id()
    {
        Hdr1Label hdr1 = Hdr1Label.Create(LabelKind.Hdr1, 0xA1B2C3D4E5F60718, "V12345", 2, May2, 0, "TAPEKIT 1.0.0");
        Assert.Equal(SpecVectors.AlbHdr1, hdr1.ToString());
        Assert.Equal(SpecVectors.AlbEof1, hdr1.ToTrailer(1234).ToString());
        Assert.True(Hdr1Label.Parse(SpecVectors.Bytes(SpecVectors.AlbHdr1)).TryGetFileId(out ulong id));
        Assert.Equal(0xA1B2C3D4E5F60718UL, id);
    }

    [Fact]
    public void Uhl1_from_the_inputs_of_ctas_unit_test()
    {
        var identity = new UserLabelIdentity("CERN", "TESTMOVER", "TEST", "TEST DRIVE", "XXYYTEST");
        Assert.Equal(SpecVectors.CtaUnitTestUhl1, Uhl1Label.Create(LabelKind.Uhl1, 12345, 262144, identity).ToString());
    }

    [Theory]
    [InlineData(SpecVectors.CtaVol1)]
    [InlineData(SpecVectors.CtaVol1Lbp)]
    [InlineData(SpecVectors.CtaPrelabel)]
    [InlineData(SpecVectors.CtaHdr1)]
    [InlineData(SpecVectors.CtaHdr2)]
    [InlineData(SpecVectors.CtaUhl1)]
    [InlineData(SpecVectors.CtaEof1)]
    [InlineData(SpecVectors.CtaEof2)]
    [InlineData(SpecVectors.CtaUtl1)]
    [InlineData(SpecVectors.TapeKitVol1)]
    [InlineData(SpecVectors.TapeKitHdr1)]
    [InlineData(SpecVectors.TapeKitUhl1DriveUnknown)]
    [InlineData(SpecVectors.CastorVol1)]
    [InlineData(SpecVectors.CastorHdr1)]
    [InlineData(SpecVectors.AlbHdr1)]
    [InlineData(SpecVectors.AlbEof1)]
    [InlineData(SpecVectors.CtaUnitTestUhl1)]
    public void Every_vector_parses_strictly_without_warnings_and_writes_back_identically(string text)
    {
        byte[] bytes = SpecVectors.Bytes(text);
        AnsiLabel label = AnsiLabel.Parse(bytes, LabelReadMode.Strict, out IReadOnlyList<LabelWarning> warnings);
        Assert.Empty(warnings);
        Assert.Equal(text, SpecVectors.Text(label.WriteTo));
    }

    [Fact]
    public void Typed_values_of_the_cta_labels()
    {
        Vol1Label vol1 = Vol1Label.Parse(SpecVectors.Bytes(SpecVectors.CtaVol1Lbp));
        Assert.Equal("V12345", vol1.Vsn);
        Assert.Equal("CTA", vol1.OwnerId);
        Assert.Equal(LbpMethod.Crc32C, vol1.LbpMethod);
        Assert.Equal('3', vol1.LabelStandard);

        Hdr1Label eof1 = Hdr1Label.Parse(SpecVectors.Bytes(SpecVectors.CtaEof1));
        Assert.Equal(LabelKind.Eof1, eof1.Kind);
        Assert.Equal("1A2B", eof1.FileIdText);
        Assert.Equal("V12345", eof1.FileSetId);
        Assert.Equal(1, eof1.FileSequence);
        Assert.Equal(42, eof1.BlockCount);
        Assert.Equal(SpecVectors.Date, eof1.CreationDate.Value);
        Assert.Equal(SpecVectors.Date, eof1.ExpirationDate.Value);
        Assert.Equal("CTA 5.11.2.0", eof1.SystemCode);
        Assert.False(eof1.IsPrelabel);
        Assert.True(Hdr1Label.Parse(SpecVectors.Bytes(SpecVectors.CtaPrelabel)).IsPrelabel);

        Hdr2Label hdr2 = Hdr2Label.Parse(SpecVectors.Bytes(SpecVectors.CtaHdr2));
        Assert.Equal('F', hdr2.RecordFormat);
        Assert.Equal(0, hdr2.BlockLength);
        Assert.True(hdr2.IsCompressed);
        Assert.Equal(0, hdr2.BufferOffset);

        Uhl1Label uhl1 = Uhl1Label.Parse(SpecVectors.Bytes(SpecVectors.CtaUhl1));
        Assert.Equal(1, uhl1.FileSequence);
        Assert.Equal(262144, uhl1.BlockSize);
        Assert.Equal(new UserLabelIdentity("CERN", "TPSRV001", "IBM", "ULT3580-", "1013005289"), uhl1.Identity);
    }

    [Fact]
    public void Enstore_vol1_with_label_standard_0_is_a_lenient_warning_and_a_strict_error()
    {
        byte[] bytes = SpecVectors.Bytes(SpecVectors.EnstoreVol1);
        var error = Assert.Throws<TapeFormatException>(() => Vol1Label.Parse(bytes));
        Assert.Equal("labelStandard", error.Field);
        Vol1Label label = Vol1Label.Parse(bytes, LabelReadMode.Lenient, out var warnings);
        Assert.Equal('0', label.LabelStandard);
        Assert.Contains(warnings, w => w.Field == "labelStandard");
    }
}
