using TapeKit.Aggregation;

namespace TapeKit.Tests.Aggregation;

/// <summary>A clock that always says the same instant.</summary>
internal sealed class FixedClock(long unixSeconds) : TimeProvider
{
    public long Seconds { get; set; } = unixSeconds;

    public override DateTimeOffset GetUtcNow() => DateTimeOffset.FromUnixTimeSeconds(Seconds);
}

/// <summary>Collects written blocks in memory.</summary>
internal sealed class MemorySink(int blockSize) : IBlockSink
{
    private readonly List<byte[]> _blocks = [];

    public int BlockSize => blockSize;

    public int Blocks => _blocks.Count;

    public byte[] ToArray() => _blocks.SelectMany(b => b).ToArray();

    public void WriteBlock(ReadOnlySpan<byte> block)
    {
        Assert.Equal(blockSize, block.Length);
        _blocks.Add(block.ToArray());
    }
}

/// <summary>A block source over a byte array.</summary>
internal sealed class MemorySource(byte[] data, int blockSize) : IBlockSource
{
    public int BlockSize => blockSize;

    public long? BlockCount => (data.Length + blockSize - 1) / blockSize;

    public int ReadBlock(long index, Span<byte> destination)
    {
        long offset = index * blockSize;
        if (offset >= data.Length)
        {
            return 0;
        }

        int n = (int)Math.Min(blockSize, data.Length - offset);
        data.AsSpan((int)offset, n).CopyTo(destination);
        return n;
    }
}
