using TapeKit.Aggregation;
using TapeKit.Tests.Cli;

namespace TapeKit.Tests.Aggregation;

/// <summary>The stream sink: blocks of its size only, and early write-back that changes nothing in what is written.</summary>
public sealed class StreamBlockSinkTests
{
    [Fact]
    public void With_early_writeback_a_file_holds_exactly_the_blocks_written_after_existing_bytes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("out.bin");
        byte[] prefix = [1, 2, 3];
        var random = new Random(7);
        byte[][] blocks = [.. Enumerable.Range(0, 40).Select(_ =>
        {
            byte[] b = new byte[65536];
            random.NextBytes(b);
            return b;
        })];
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
        {
            stream.Write(prefix);
            using var sink = new StreamBlockSink(stream, 65536) { WritebackInterval = 256 * 1024 };
            foreach (byte[] block in blocks)
            {
                sink.WriteBlock(block);
            }

            sink.Flush(toDisk: true);
            Assert.Equal(40, sink.BlocksWritten);
        }

        Assert.Equal([.. prefix, .. blocks.SelectMany(b => b)], File.ReadAllBytes(path));
    }

    [Fact]
    public void A_block_of_another_size_is_refused_and_writeback_over_memory_is_ignored()
    {
        using var memory = new MemoryStream();
        using var sink = new StreamBlockSink(memory, 512, leaveOpen: true) { WritebackInterval = 512 };
        sink.WriteBlock(new byte[512]);
        sink.WriteBlock(new byte[512]);
        Assert.Throws<ArgumentException>(() => sink.WriteBlock(new byte[511]));
        Assert.Equal(1024, memory.Length);
    }
}
