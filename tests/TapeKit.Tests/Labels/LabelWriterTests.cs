using TapeKit.Labels;

namespace TapeKit.Tests.Labels;

public sealed class LabelWriterTests
{
    private static readonly FixedClock Clock = new(new DateTimeOffset(2024, 5, 2, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Unknown_environment_values_become_UNKNOWN()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock, HostName = "", DomainName = "", Site = null });
        Assert.Equal(new UserLabelIdentity("UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN", "UNKNOWN"), writer.Identity);
    }

    [Fact]
    public void Site_falls_back_to_the_first_label_of_the_domain_and_host_is_cut_at_the_first_dot()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock, HostName = "tpsrv001.cern.ch", DomainName = "cern.ch" });
        Assert.Equal("CERN", writer.Identity.Site);
        Assert.Equal("TPSRV001", writer.Identity.MoverHost);
    }

    [Theory]
    [InlineData("IBM\u0001", false, "IBM?")]
    [InlineData("ibm   ", false, "ibm")]
    [InlineData("   ", false, "UNKNOWN")]
    [InlineData("\t", false, "?")]
    [InlineData("cern", true, "CERN")]
    [InlineData("café", true, "CAF?")]
    public void Values_are_sanitised_as_F1_4_says(string raw, bool upper, string expected)
    {
        Assert.Equal(expected, LabelWriter.Sanitise(raw, upper));
    }

    [Fact]
    public void Sanitised_drive_values_make_a_label_cta_accepts()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock, HostName = "h", Site = "s", DriveVendor = "\0\0\0", DriveProduct = "ULTRIUM-HH9 with a long name", DriveSerial = "   " });
        FileLabelGroup headers = writer.Headers(1, "A", 1, 262144);
        Assert.Empty(headers.UserLabel.Validate());
        Assert.Equal("???", headers.UserLabel.DriveVendor);
        Assert.Equal("ULTRIUM-", headers.UserLabel.DriveModel);
        Assert.Equal("UNKNOWN", headers.UserLabel.DriveSerial);
    }

    [Fact]
    public void Trailer_group_repeats_the_header_dates_even_on_a_later_day()
    {
        FileLabelGroup headers = new LabelWriter(new LabelWriterOptions { Clock = Clock }).Headers(7, "V1", 3, 1024);
        FileLabelGroup trailers = headers.ToTrailers(5);
        Assert.Equal(headers.Label1.CreationDate, trailers.Label1.CreationDate);
        Assert.Equal(LabelKind.Eof1, trailers.Label1.Kind);
        Assert.Equal(LabelKind.Eof2, trailers.Label2.Kind);
        Assert.Equal(LabelKind.Utl1, trailers.UserLabel.Kind);
        Assert.Equal(headers.UserLabel.Identity, trailers.UserLabel.Identity);
        byte[] buffer = new byte[240];
        trailers.WriteTo(buffer);
        Assert.Equal(trailers, FileLabelGroup.Parse(buffer.AsSpan(0, 80), buffer.AsSpan(80, 80), buffer.AsSpan(160, 80), header: false, LabelReadMode.Strict, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("V123456")]
    [InlineData("v12345")]
    [InlineData("V-1234")]
    public void Invalid_vsns_are_refused(string vsn)
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock });
        Assert.Throws<ArgumentException>(() => writer.Volume(vsn));
        Assert.Throws<ArgumentException>(() => writer.Headers(1, vsn, 1, 1024));
    }

    [Fact]
    public void Invalid_numbers_are_refused()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock });
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Headers(0, "V1", 1, 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Headers(1, "V1", 0, 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Headers(1, "V1", 4_294_967_296, 1024));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Headers(1, "V1", 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Headers(1, "V1", 1, 1024).ToTrailers(-1));
        Assert.Equal(4_294_967_295, writer.Headers(1, "V1", 4_294_967_295, 1024).UserLabel.FileSequence);
    }

    [Fact]
    public void Numbers_are_written_modulo_their_field_width()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock });
        FileLabelGroup headers = writer.Headers(ulong.MaxValue, "V1", 123_456, 1024);
        Assert.Equal("FFFFFFFFFFFFFFFF", headers.Label1.FileIdText);
        Assert.Equal(3456, headers.Label1.FileSequence);
        Assert.Equal(123_456, headers.UserLabel.FileSequence);
        Assert.Equal(234_567, headers.ToTrailers(1_234_567).Label1.BlockCount);
    }

    [Fact]
    public void Profiles_need_a_version_for_cta_and_castor()
    {
        Assert.Throws<ArgumentException>(() => LabelProfile.Create(LabelProfileKind.Cta, null));
        Assert.Throws<ArgumentException>(() => LabelProfile.Create(LabelProfileKind.Castor, null));
        Assert.Throws<ArgumentException>(() => LabelProfile.Cta("5.11 beta"));
        Assert.Equal("TAPEKIT", LabelProfile.Create(LabelProfileKind.TapeKit, null).OwnerId);
        Assert.Matches(@"^TAPEKIT \d+\.\d+\.\d+$", LabelProfile.TapeKit.SystemCode);
    }

    [Fact]
    public void A_long_system_code_is_cut_at_13_bytes()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock, Profile = LabelProfile.ForTapeKit("10.20.300") });
        Assert.Equal("TAPEKIT 10.20", writer.Prelabel("V1").SystemCode);
    }
}
