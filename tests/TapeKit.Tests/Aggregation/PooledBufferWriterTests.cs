using TapeKit.Aggregation;

namespace TapeKit.Tests.Aggregation;

public sealed class PooledBufferWriterTests
{
    [Fact]
    public void What_is_written_survives_every_growth_of_the_buffer()
    {
        using var writer = new PooledBufferWriter(16);
        var expected = new List<byte>();
        var random = new Random(5);
        for (int i = 0; i < 300; i++)
        {
            int size = random.Next(1, 2000);
            Span<byte> span = writer.GetSpan(size);
            Assert.True(span.Length >= size);
            for (int k = 0; k < size; k++)
            {
                span[k] = (byte)(i + k);
                expected.Add((byte)(i + k));
            }

            writer.Advance(size);
        }

        Assert.Equal(expected.ToArray(), writer.WrittenSpan.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Advance(int.MaxValue));
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.GetSpan(1));
    }
}
