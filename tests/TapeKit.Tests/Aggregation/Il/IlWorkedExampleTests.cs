using System.Text;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Checksums;

namespace TapeKit.Tests.Aggregation.Il;

/// <summary>spec/formats.md §6.5, byte for byte.</summary>
public sealed class IlWorkedExampleTests
{
    internal static IlWriterOptions ExampleOptions(TimeProvider clock) => new()
    {
        TapeMarkCount = 1,
        FirstBlockCount = 5,
        StagerVersion = "1.0.0",
        StagerHost = "tpsrv01",
        DriveHost = "tpsrv01",
        FileNsHost = "tpsrv01",
        DriveName = "DRV0",
        DriveSerial = "SN0001",
        DriveFirmware = "FW01",
        VolDensity = "18TB",
        VolId = "V12345",
        VolSerial = "V12345",
        DeviceGroupName = "LTO9",
        Clock = clock,
    };

    [Fact]
    public void The_worked_example_block_matches_the_spec()
    {
        var sink = new MemorySink(262144);
        var writer = new IlAggregationWriter(sink, ExampleOptions(new FixedClock(1700000000)));
        var member = writer.Add(MemberSource.FromMemory("0123456789"u8.ToArray(), "data/a.bin") with { FileId = 42 });
        writer.Complete();

        byte[] block = sink.ToArray();
        Assert.Equal(262144, block.Length);
        string expected =
            "01.0001024Adler-32  0554276684000000000000000000010000262144000000000000000" +
            "0000517000000001.0.0          tpsrv01                       DRV0      SN000" +
            "1              FW01      tpsrv01                       18TB      V12345    " +
            "          V12345              LTO9      000000000000000000100184484366tpsrv" +
            "01                       00000000000000000042096069275000000000000000000000" +
            "data/a.bin" + new string(' ', 639);
        Assert.Equal(expected, Encoding.ASCII.GetString(block, 0, 1024));
        Assert.Equal("0123456789"u8.ToArray(), block.AsSpan(1024, 10).ToArray());
        Assert.False(block.AsSpan(1034).ContainsAnyExcept((byte)0));
        Assert.Equal(2668272168u, Adler32.Compute(block));
        Assert.Equal(0x54EBBB04u, Crc32C.Compute(block));

        Assert.Equal(0, member.BlockIndex);
        Assert.Equal(1024, member.PayloadOffset);
        Assert.Equal(184484366u, member.Digest.Adler32);
        Assert.Equal(0x6de3431b05f7c11fUL, member.Digest.XxHash3);
    }

    [Fact]
    public void The_header_record_round_trips_through_Parse_and_WriteTo()
    {
        var sink = new MemorySink(262144);
        var writer = new IlAggregationWriter(sink, ExampleOptions(new FixedClock(1700000000)));
        writer.Add(MemberSource.FromMemory("0123456789"u8.ToArray(), "data/a.bin") with { FileId = 42 });
        byte[] block = sink.ToArray();

        var header = IlHeader.Parse(block);
        Assert.Equal(554276684u, header.HeaderChecksum);
        Assert.Equal(1UL, header.TapeMarkCount);
        Assert.Equal(5UL, header.BlockCount);
        Assert.Equal(1700000000, header.BlockTimeStamp);
        Assert.Equal("tpsrv01", header.StagerHost);
        Assert.Equal(10, header.FileSize);
        Assert.Equal(42UL, header.FileNsId);
        Assert.Equal(960692750u, header.FileProgressiveChecksum);
        Assert.Equal("data/a.bin", header.FileName);

        byte[] again = new byte[1024];
        Assert.Equal(554276684u, header.WriteTo(again));
        Assert.Equal(block.AsSpan(0, 1024).ToArray(), again);
        Assert.True(IlHeader.IsIlBlock(block));
    }

    [Fact]
    public void A_second_block_differs_only_in_the_per_block_fields()
    {
        var sink = new MemorySink(262144);
        var clock = new FixedClock(1700000000);
        var writer = new IlAggregationWriter(sink, ExampleOptions(clock));
        byte[] data = new byte[261120 + 5];
        new Random(1).NextBytes(data);
        writer.Add(MemberSource.FromMemory(data, "data/a.bin") with { FileId = 42 });
        byte[] all = sink.ToArray();
        Assert.Equal(2 * 262144, all.Length);
        var first = IlHeader.Parse(all);
        var second = IlHeader.Parse(all.AsSpan(262144), 262144);
        Assert.Equal(6UL, second.BlockCount);
        Assert.Equal(261120, second.FileBlockCount);
        Assert.Equal(first with { HeaderChecksum = 0, BlockCount = 0, FileProgressiveChecksum = 0, FileBlockCount = 0 },
            second with { HeaderChecksum = 0, BlockCount = 0, FileProgressiveChecksum = 0, FileBlockCount = 0 });
        Assert.Equal(Adler32.Compute(data), second.FileChecksum);
    }

    [Fact]
    public void An_empty_member_occupies_one_zero_block_with_the_spec_checksums()
    {
        var sink = new MemorySink(262144);
        var writer = new IlAggregationWriter(sink, ExampleOptions(new FixedClock(1700000000)));
        writer.Add(MemberSource.FromMemory(Array.Empty<byte>(), "empty"));
        byte[] block = sink.ToArray();
        var header = IlHeader.Parse(block);
        Assert.Equal(0, header.FileSize);
        Assert.Equal(1u, header.FileChecksum);
        Assert.Equal(4230807553u, header.FileProgressiveChecksum);
        Assert.False(block.AsSpan(1024).ContainsAnyExcept((byte)0));
    }

    [Fact]
    public void Text_fields_are_cut_as_F5_3_says()
    {
        var options = ExampleOptions(new FixedClock(1700000000)) with
        {
            StagerVersion = "2.1.7.18-12345678",
            StagerHost = "a-very-long-stager-host-name.example.org",
        };
        var sink = new MemorySink(4096);
        new IlAggregationWriter(sink, options).Add(MemberSource.FromMemory(new byte[3], new string('n', 700) + "é" + "x"));
        var header = IlHeader.Parse(sink.ToArray());
        Assert.Equal("1.7.18-12345678", header.StagerVersion);
        Assert.Equal("a-very-long-stager-host-name.e", header.StagerHost);
        Assert.EndsWith("éx", header.FileName, StringComparison.Ordinal);
        Assert.Equal(649, Encoding.UTF8.GetByteCount(header.FileName));
    }

    [Fact]
    public void On_tape_the_reader_checks_fseq_and_object_ids()
    {
        var sink = new MemorySink(4096);
        var writer = new IlAggregationWriter(sink, ExampleOptions(new FixedClock(1700000000)));
        writer.Add(MemberSource.FromMemory(new byte[5000], "a"));
        byte[] stream = sink.ToArray();
        using (var good = new IlAggregationReader(new MemorySource(stream, 4096), false, 0, tapeFileSequence: 1, firstObjectId: 5))
        {
            Assert.Single(good.VerifyAll());
        }

        using var wrongFseq = new IlAggregationReader(new MemorySource(stream, 4096), false, 0, tapeFileSequence: 2);
        Assert.Equal("tapeMarkCount", Assert.Throws<TapeFormatException>(() => wrongFseq.ReadNext()).Field);
        using var wrongPosition = new IlAggregationReader(new MemorySource(stream, 4096), false, 0, firstObjectId: 9);
        Assert.Equal("blockCount", Assert.Throws<TapeFormatException>(() => wrongPosition.ReadNext()).Field);
    }

    [Fact]
    public void Non_printable_option_values_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new IlAggregationWriter(new MemorySink(4096), new IlWriterOptions { VolId = "V1\u00e9" }));
    }
}
