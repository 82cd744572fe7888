using SmallFilesCache;

namespace TapeKit.Hsm.Tests.Samples;

/// <summary>The demo's file contents: every byte is SplitMix64's finaliser of (key + word counter), whatever the path that filled it.</summary>
public sealed class PayloadTests
{
    [Theory]
    [InlineData(0, 0)]
    [InlineData(0, 7)]
    [InlineData(0, 64)]
    [InlineData(8, 63)]
    [InlineData(64, 65)]
    [InlineData(4096, 1000)]
    [InlineData(1 << 20, 131_075)]
    public void Every_fill_gives_the_bytes_of_the_plain_word_by_word_definition(long offset, int length)
    {
        foreach ((int seed, int number) in new[] { (1, 0), (20261207, 4242), (-1, int.MaxValue) })
        {
            byte[] filled = new byte[length];
            Payload.Fill(seed, number, offset, filled);
            Assert.True(Reference(seed, number, offset, length).AsSpan().SequenceEqual(filled), $"seed {seed}, file {number}, offset {offset}, length {length}");
        }
    }

    [Fact]
    public void A_file_filled_in_pieces_is_the_file_filled_whole()
    {
        byte[] whole = new byte[10_000];
        Payload.Fill(3, 9, 0, whole);
        byte[] pieces = new byte[10_000];
        for (int at = 0; at < pieces.Length; at += 1024)
        {
            Payload.Fill(3, 9, at, pieces.AsSpan(at, Math.Min(1024, pieces.Length - at)));
        }

        Assert.Equal(whole, pieces);
    }

    private static byte[] Reference(int seed, int number, long offset, int length)
    {
        static ulong Mix(ulong z)
        {
            z += 0x9E3779B97F4A7C15;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
            return z ^ (z >> 31);
        }

        ulong key = Mix(((ulong)(uint)seed << 32) | (uint)number);
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            ulong word = Mix(key + (ulong)(offset / 8) + (ulong)(i / 8));
            bytes[i] = (byte)(word >> (8 * (i % 8))); // little-endian words
        }

        return bytes;
    }
}
