using TapeKit.Aggregation;
using TapeKit.Aggregation.Tar;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.Aggregation;

/// <summary>Extracted members never get wider permissions than the aggregation recorded for them.</summary>
public sealed class SafeExtractorModeTests
{
    [Theory]
    [InlineData(0x180)] // 0600
    [InlineData(0x100)] // 0400
    [InlineData(0x9ED)] // 04755: the set-user-id bit is dropped
    public void A_member_is_extracted_with_its_own_permission_bits_never_more(int mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        string tar = dir.File("a.tar");
        using (var stream = File.Create(tar))
        using (var sink = new StreamBlockSink(stream, BlockSizes.Default))
        {
            var writer = new TarAggregationWriter(sink);
            writer.Add(MemberSource.FromMemory(new byte[] { 1, 2, 3 }, "d/secret") with { Mode = mode });
            _ = writer.Complete();
        }

        SafeExtractor.Extract(() => AggregationReader.OpenFile(tar), dir.Combine("out"));

        UnixFileMode got = File.GetUnixFileMode(dir.Combine("out", "d", "secret"));
        Assert.Equal((UnixFileMode)(mode & 0x1C0), got & (UnixFileMode)0x1C0); // the owner's bits as recorded
        Assert.Equal(UnixFileMode.None, got & ~(UnixFileMode)(mode & 0x1FF)); // nothing the member did not have
    }
}
