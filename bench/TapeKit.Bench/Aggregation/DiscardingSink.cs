using TapeKit.Aggregation;

namespace TapeKit.Bench.Aggregation;

/// <summary>A sink that counts the blocks and drops them, as a drive's DMA takes them from memory.</summary>
internal sealed class DiscardingSink(int blockSize) : IBlockSink
{
    public int BlockSize => blockSize;

    public long Bytes { get; private set; }

    public void WriteBlock(ReadOnlySpan<byte> block) => Bytes += block.Length;
}
