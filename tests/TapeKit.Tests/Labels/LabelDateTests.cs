using System.Text;
using TapeKit.Labels;

namespace TapeKit.Tests.Labels;

public sealed class LabelDateTests
{
    [Theory]
    [InlineData(1999, 12, 31, " 99365")]
    [InlineData(2000, 1, 1, "000001")]
    [InlineData(2005, 2, 10, "005041")]
    [InlineData(2024, 5, 2, "024123")]
    [InlineData(2024, 12, 31, "024366")]
    [InlineData(2100, 3, 1, "100060")]
    [InlineData(2199, 12, 31, "199365")]
    public void Spec_vectors_write_and_read_back(int year, int month, int day, string written)
    {
        var date = new DateOnly(year, month, day);
        byte[] buffer = new byte[6];
        LabelDate.FromDate(date).WriteTo(buffer);
        Assert.Equal(written, Encoding.ASCII.GetString(buffer));

        LabelDate read = LabelDate.Decode(buffer);
        Assert.Equal(LabelDateForm.Full, read.Form);
        Assert.Equal(date, read.Value);
    }

    [Fact]
    public void Cta_short_form_is_read_as_2000_plus_its_digit()
    {
        LabelDate read = LabelDate.Decode("05041 "u8);
        Assert.Equal(LabelDateForm.CtaShort, read.Form);
        Assert.Equal(new DateOnly(2005, 2, 10), read.Value);
    }

    [Fact]
    public void Zeros_mean_no_date_and_spaces_are_blank()
    {
        Assert.Equal(LabelDateForm.NoDate, LabelDate.Decode("000000"u8).Form);
        Assert.Equal(LabelDateForm.Blank, LabelDate.Decode("      "u8).Form);
        Assert.False(LabelDate.Decode("000000"u8).HasValue);
        Assert.Throws<InvalidOperationException>(() => LabelDate.Decode("000000"u8).Value);
    }

    [Theory]
    [InlineData("0A4123")] // letters
    [InlineData("024000")] // day 000
    [InlineData("023366")] // 2023 is not a leap year
    [InlineData("024367")] // past the end of a leap year
    [InlineData("224123")] // century 2 does not exist
    [InlineData("02412 ")] // short form only for 200x with '0' first and four digits
    [InlineData("12")]     // wrong length
    public void Values_in_no_accepted_form_are_invalid(string text)
    {
        Assert.Equal(LabelDateForm.Invalid, LabelDate.Decode(Encoding.ASCII.GetBytes(text)).Form);
    }

    [Theory]
    [InlineData(1899)]
    [InlineData(2200)]
    public void Years_outside_1900_to_2199_cannot_be_written(int year)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => LabelDate.FromDate(new DateOnly(year, 6, 1)));
    }

    [Fact]
    public void Today_is_the_utc_date_of_the_clock()
    {
        // 23:30 on 1 May in UTC-2 is already 2 May in UTC (F2.2).
        var clock = new FixedClock(new DateTimeOffset(2024, 5, 1, 23, 30, 0, TimeSpan.FromHours(-2)));
        Assert.Equal(new DateOnly(2024, 5, 2), LabelDate.Today(clock).Value);
    }

    [Fact]
    public void Only_full_form_dates_are_written()
    {
        Assert.Throws<InvalidOperationException>(() => LabelDate.Decode("000000"u8).WriteTo(new byte[6]));
        Assert.Throws<InvalidOperationException>(() => default(LabelDate).WriteTo(new byte[6]));
    }
}
