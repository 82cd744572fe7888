using TapeKit.Aggregation;

namespace TapeKit.Tests.Aggregation;

/// <summary>The drive thread's pipe: blocks in order, back-pressure at its bound, the inner sink's failure thrown to the writer with its type.</summary>
public sealed class PipelinedBlockSinkTests
{
    private const int BlockSize = 4096;

    [Fact]
    public void Copied_and_lent_blocks_reach_the_inner_sink_in_order()
    {
        var inner = new MemorySink(BlockSize);
        var expected = new List<byte>();
        using (var sink = new PipelinedBlockSink(inner, blocksAhead: 3))
        {
            for (int i = 0; i < 50; i++)
            {
                byte[] block = Block(i);
                expected.AddRange(block);
                if (i % 2 == 0)
                {
                    sink.WriteBlock(block);
                }
                else
                {
                    block.CopyTo(sink.GetBlockMemory().Span);
                    sink.CommitBlock();
                }
            }

            sink.Complete();
            Assert.Equal(50, sink.BlocksWritten);
        }

        Assert.Equal(expected, inner.ToArray());
    }

    [Fact]
    public async Task The_writer_waits_when_the_drive_thread_is_the_bound_behind()
    {
        using var gate = new ManualResetEventSlim(false);
        var inner = new GatedSink(gate);
        int committed = 0;
        using var sink = new PipelinedBlockSink(inner, blocksAhead: 4);
        var writer = Task.Run(() =>
        {
            for (int i = 0; i < 20; i++)
            {
                sink.WriteBlock(Block(i));
                Interlocked.Increment(ref committed);
            }

            sink.Complete();
        });

        Assert.True(SpinWait.SpinUntil(() => Volatile.Read(ref committed) == 3, TimeSpan.FromSeconds(30)), $"committed {committed}");
        Thread.Sleep(100); // time for a writer that would not wait
        Assert.Equal(3, Volatile.Read(ref committed)); // the 4th block fills the pipe: its commit waits
        gate.Set();
        await writer.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(20, inner.Blocks.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => (byte)i), inner.Blocks.Select(b => b[0]));
    }

    [Fact]
    public void A_failure_of_the_inner_sink_is_thrown_to_the_writer_with_its_type()
    {
        var inner = new FailingSink(failAt: 3);
        using var sink = new PipelinedBlockSink(inner, blocksAhead: 2);
        var error = Assert.Throws<IOException>(() =>
        {
            for (int i = 0; i < 1000; i++)
            {
                sink.WriteBlock(Block(i));
            }

            sink.Complete();
        });
        Assert.Equal("No space left on device", error.Message);
        Assert.Throws<IOException>(() => sink.Complete());
        Assert.Equal(3, sink.BlocksWritten);
    }

    [Fact]
    public void Disposed_without_completing_it_stops_and_refuses_more_blocks()
    {
        var inner = new MemorySink(BlockSize);
        var sink = new PipelinedBlockSink(inner);
        sink.WriteBlock(Block(1));
        sink.Dispose();
        Assert.Throws<InvalidOperationException>(() => sink.WriteBlock(Block(2)));
        using var other = new PipelinedBlockSink(inner);
        Assert.Throws<ArgumentException>(() => other.WriteBlock(new byte[10]));
    }

    private static byte[] Block(int i)
    {
        byte[] block = new byte[BlockSize];
        new Random(i).NextBytes(block);
        block[0] = (byte)i;
        return block;
    }

    private sealed class GatedSink(ManualResetEventSlim gate) : IBlockSink
    {
        public List<byte[]> Blocks { get; } = [];

        public int BlockSize => PipelinedBlockSinkTests.BlockSize;

        public void WriteBlock(ReadOnlySpan<byte> block)
        {
            gate.Wait();
            Blocks.Add(block.ToArray());
        }
    }

    private sealed class FailingSink(int failAt) : IBlockSink
    {
        private int _written;

        public int BlockSize => PipelinedBlockSinkTests.BlockSize;

        public void WriteBlock(ReadOnlySpan<byte> block)
        {
            if (_written == failAt)
            {
                throw new IOException("No space left on device");
            }

            _written++;
        }
    }
}
