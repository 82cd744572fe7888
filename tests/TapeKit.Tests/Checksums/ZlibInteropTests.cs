using System.Runtime.InteropServices;
using TapeKit.Checksums;

namespace TapeKit.Tests.Checksums;

/// <summary>Adler-32 against the machine's zlib (<c>libz.so.1</c>), the reference implementation.</summary>
public sealed partial class ZlibInteropTests
{
    // uLong adler32(uLong adler, const Bytef *buf, uInt len); uLong is 64-bit on LP64 Linux.
    [LibraryImport("libz.so.1", EntryPoint = "adler32")]
    private static unsafe partial nuint ZlibAdler32(nuint adler, byte* buffer, uint length);

    private static unsafe uint Zlib(uint adler, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            return (uint)ZlibAdler32(adler, p, (uint)data.Length);
        }
    }

    [Fact]
    public void Random_inputs_and_chunkings_match_zlib()
    {
        var random = new Random(20261123);
        byte[] data = new byte[1 << 20];
        random.NextBytes(data);
        for (int round = 0; round < 300; round++)
        {
            int length = round < 100 ? random.Next(0, 200) : random.Next(0, data.Length);
            int start = random.Next(0, data.Length - length + 1);
            var span = data.AsSpan(start, length);
            uint expected = Zlib(1, span);
            Assert.Equal(expected, Adler32.Compute(span));

            uint ours = Adler32.Initial;
            uint theirs = 1;
            for (int at = 0; at < length;)
            {
                int piece = Math.Min(length - at, random.Next(0, 3) switch { 0 => random.Next(1, 64), 1 => random.Next(1, 6000), _ => random.Next(1, 200_000) });
                ours = Adler32.Update(ours, span.Slice(at, piece));
                theirs = Zlib(theirs, span.Slice(at, piece));
                Assert.Equal(theirs, ours);
                at += piece;
            }

            Assert.Equal(expected, ours);
        }
    }

    [Fact]
    public void Section_6_3_vectors_match_zlib()
    {
        foreach (string id in new[] { "empty", "a", "abc", "123456789", "0123456789", "Wikipedia", "Hello World!", "zeros262144", "ramp262144" })
        {
            byte[] data = ChecksumVectorTests.Input(id);
            Assert.Equal(Zlib(1, data), Adler32.Compute(data));
            if (data.Length > 0)
            {
                // zlib answers 1 for a NULL buffer whatever the seed; an empty array is pinned as NULL.
                Assert.Equal(Zlib(0, data), Adler32.Update(0, data));
            }
        }
    }
}
