using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>The shared text forms: fault lines (§7.2) and <c>drive.conf</c> (§8.4).</summary>
public sealed class FaultAndOptionsTests
{
    [Theory]
    [InlineData("media-error read 12 once")]
    [InlineData("media-error write 3 sticky")]
    [InlineData("random-media-errors seed=7 read-rate=0.01 write-rate=0")]
    [InlineData("drive-failure after 4")]
    [InlineData("power-loss after 10")]
    [InlineData("reset after 2")]
    [InlineData("not-ready 30")]
    [InlineData("early-warning at 1000")]
    [InlineData("end-of-medium at 5000")]
    [InlineData("write-protect")]
    [InlineData("write-protect off")]
    [InlineData("cleaning-request")]
    [InlineData("recovered-errors 3")]
    [InlineData("wrong-cartridge slot 4 holds B00002")]
    [InlineData("load-failure A00001 sticky")]
    [InlineData("robot-failure after 2 once")]
    public void Fault_lines_round_trip(string line) => Assert.Equal(line, Fault.Parse(line).ToString());

    [Theory]
    [InlineData("media-error read")]
    [InlineData("media-error read -1")]
    [InlineData("power-loss 3")]
    [InlineData("random-media-errors seed=1 read-rate=2 write-rate=0")]
    [InlineData("media-error read 1 forever")]
    public void Bad_fault_lines_are_argument_errors(string line) =>
        Assert.Contains(line, Assert.Throws<ArgumentException>(() => Fault.Parse(line)).Message, StringComparison.Ordinal);

    [Fact]
    public void Drive_conf_round_trips_and_rejects_unknown_keys()
    {
        var options = new VirtualDriveOptions
        {
            Scsi2Logical = true,
            KernelProfile = KernelProfile.Legacy,
            FastMteom = true,
            MinBlockLength = 4,
            MaxBlockLength = 65536,
            CompressionSupported = false,
            Faults = [Fault.Parse("media-error read 2 once")],
        };
        string text = options.ToConfText();
        var parsed = VirtualDriveOptions.Parse(text);
        Assert.Equal(text, parsed.ToConfText());
        Assert.Equal(0x927u, parsed.DriverOptions);
        Assert.Contains("line 2", Assert.Throws<ArgumentException>(() => VirtualDriveOptions.Parse("# c\nspeed = 3\n")).Message, StringComparison.Ordinal);
        Assert.Contains("T29", Assert.Throws<ArgumentException>(() => VirtualDriveOptions.Parse("async-writes = 1")).Message, StringComparison.Ordinal);
    }
}
