using Chelonia.Hosting;
using ChelCommandLine = Chelonia.CommandLine;
using ChelUsageException = Chelonia.UsageException;

namespace TapeKit.Chelonia.Tests;

/// <summary>The sample's command line: every bad argument is a usage error that names it; timings pass through to the children.</summary>
public sealed class CheloniaCommandLineTests
{
    [Theory]
    [InlineData(new string[0], "Name a command")]
    [InlineData(new[] { "demo", "files" }, "Unexpected argument 'files'")]
    [InlineData(new[] { "demo", "--files" }, "--files needs a value")]
    [InlineData(new[] { "demo", "--files", "1", "--files", "2" }, "--files is given twice")]
    public void Malformed_command_lines_are_refused(string[] args, string message)
    {
        ChelUsageException e = Assert.Throws<ChelUsageException>(() => ChelCommandLine.Parse(args, "json"));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Values_are_checked_and_unknown_options_named()
    {
        ChelCommandLine line = ChelCommandLine.Parse(["demo", "--files", "0", "--scan-period", "-1", "--bogus", "x", "--json"], "json");
        Assert.Contains("--files must be a whole number from 1", Assert.Throws<ChelUsageException>(() => line.Number("files", 2000, 1, 10)).Message, StringComparison.Ordinal);
        Assert.Contains("--scan-period must be a number of seconds", Assert.Throws<ChelUsageException>(() => line.Seconds("scan-period", TimeSpan.FromSeconds(1))).Message, StringComparison.Ordinal);
        Assert.True(line.Flag("json"));
        Assert.Contains("--bogus is not known to 'demo'", Assert.Throws<ChelUsageException>(line.RejectUnknown).Message, StringComparison.Ordinal);
        Assert.Contains("--db is required for 'demo'", Assert.Throws<ChelUsageException>(() => line.Required("db")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timings_go_to_the_children_and_come_back_unchanged()
    {
        var t = new ChelTimings { HeartbeatTimeout = TimeSpan.FromSeconds(3.5), ScanPeriod = TimeSpan.FromMilliseconds(750) };
        ChelCommandLine line = ChelCommandLine.Parse(["shepherd", .. t.ToArguments()]);
        ChelTimings back = new ChelTimings().With(line);
        line.RejectUnknown();
        Assert.Equal(t, back);
        Assert.Equal(TimeSpan.FromSeconds(3.5), back.ToReplicaOptions().HeartbeatTimeout);
        back.ToReplicaOptions().Validate();
    }
}
