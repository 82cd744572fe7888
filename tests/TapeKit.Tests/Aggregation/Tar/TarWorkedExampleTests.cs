using System.Formats.Tar;
using System.Text;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;

namespace TapeKit.Tests.Aggregation.Tar;

/// <summary>spec/formats.md §6.6, byte for byte, and equality with System.Formats.Tar's GNU entries.</summary>
public sealed class TarWorkedExampleTests
{
    private const string Manifest =
        "{\"format\":\"tapekit-tar-manifest\",\"version\":1,\"aggregationId\":\"1A2B\",\"blockSize\":262144,\"members\":[{\"name\":\"data/a.bin\",\"fileId\":\"42\",\"size\":10,\"headerOffset\":0,\"dataOffset\":512,\"adler32\":\"0aff020e\",\"xxh3\":\"6de3431b05f7c11f\"}]}\n";

    internal static byte[] Example()
    {
        var sink = new MemorySink(262144);
        var writer = new TarAggregationWriter(sink, new TarWriterOptions { AggregationId = 0x1A2B, Clock = new FixedClock(1700000100) });
        writer.Add(MemberSource.FromMemory("0123456789"u8.ToArray(), "data/a.bin") with
        {
            FileId = 42,
            ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1700000000),
        });
        writer.Complete();
        return sink.ToArray();
    }

    [Fact]
    public void The_worked_example_matches_the_spec()
    {
        byte[] block = Example();
        Assert.Equal(262144, block.Length);
        Assert.Equal("data/a.bin", Encoding.ASCII.GetString(block, 0, 10));
        Assert.Equal("00000000012\0", Encoding.ASCII.GetString(block, 124, 12));
        Assert.Equal("14524770400\0", Encoding.ASCII.GetString(block, 136, 12));
        Assert.Equal("007563\0 ", Encoding.ASCII.GetString(block, 148, 8));
        Assert.Equal("0123456789", Encoding.ASCII.GetString(block, 512, 10));
        Assert.False(block.AsSpan(522, 502).ContainsAnyExcept((byte)0));
        Assert.Equal("TAPEKIT-MANIFEST.json", Encoding.ASCII.GetString(block, 1024, 21));
        Assert.Equal("00000000343\0", Encoding.ASCII.GetString(block, 1024 + 124, 12));
        Assert.Equal("14524770544\0", Encoding.ASCII.GetString(block, 1024 + 136, 12));
        Assert.Equal("011160\0 ", Encoding.ASCII.GetString(block, 1024 + 148, 8));
        Assert.Equal(226 + 1, Manifest.Length);
        Assert.Equal(Manifest, Encoding.UTF8.GetString(block, 1536, 227));
        Assert.False(block.AsSpan(1763).ContainsAnyExcept((byte)0));
        Assert.Equal("2eed6a41", ChecksumText.Adler32Hex(Adler32.Compute(block)));
        Assert.Equal("7be439755067eb77", ChecksumText.Hash64Hex(XxHash3Checksum.Compute(block)));
    }

    [Fact]
    public void The_example_equals_TarWriter_output_padded_to_the_tape_block()
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Gnu, leaveOpen: true))
        {
            Write(w, "data/a.bin", "0123456789"u8.ToArray(), 1700000000);
            Write(w, "TAPEKIT-MANIFEST.json", Encoding.UTF8.GetBytes(Manifest), 1700000100);
        }

        byte[] reference = new byte[262144];
        ms.ToArray().CopyTo(reference, 0);
        Assert.Equal(reference, Example());
    }

    public static TheoryData<string, int> Names() => new()
    {
        { "a", 0 },
        { new string('x', 100), 511 },
        { new string('y', 101), 512 },
        { new string('z', 99) + "é" + "tail", 513 },
        { "dir/" + string.Concat(Enumerable.Repeat("ünïcødé/", 40)) + "file", 1 },
        { "sizes/" + new string('s', 4000), 262144 - 1536 },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Member_entries_equal_TarWriter_GnuTarEntry_bytes(string name, int size)
    {
        byte[] data = new byte[size];
        new Random(size).NextBytes(data);
        var sink = new MemorySink(512 * 20);
        var writer = new TarAggregationWriter(sink, new TarWriterOptions { Clock = new FixedClock(1700000000) });
        var member = writer.Add(MemberSource.FromMemory(data, name));
        writer.Complete();
        byte[] ours = sink.ToArray();

        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Gnu, leaveOpen: true))
        {
            Write(w, name, data, 1700000000);
        }

        byte[] reference = ms.ToArray()[..^1024]; // without TarWriter's end-of-archive records
        Assert.Equal(reference, ours.AsSpan(0, reference.Length).ToArray());
        Assert.Equal(reference.Length - (((size + 511) / 512) * 512), member.PayloadOffset);
        Assert.Equal(0, member.HeaderOffset);
    }

    [Fact]
    public void Sizes_of_8_GiB_and_more_are_written_in_base_256()
    {
        byte[] field = new byte[12];
        TarNumbers.WriteSize(field, 9L * 1024 * 1024 * 1024);
        Assert.Equal(new byte[] { 0x80, 0, 0, 0, 0, 0, 0, 0x02, 0x40, 0, 0, 0 }, field);
    }

    private static void Write(TarWriter writer, string name, byte[] data, long mtime)
    {
        var entry = new GnuTarEntry(TarEntryType.RegularFile, name)
        {
            ModificationTime = DateTimeOffset.FromUnixTimeSeconds(mtime),
            Mode = (UnixFileMode)Convert.ToInt32("644", 8),
            DataStream = new MemoryStream(data),
        };
        writer.WriteEntry(entry);
    }
}
