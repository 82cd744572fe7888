using System.Globalization;
using TapeKit.Checksums;

namespace Chelonia.Demo;

/// <summary>The demo's files, made again from the seed whenever needed (nothing kept in memory): a path, a log-uniform size, random bytes.</summary>
/// <param name="options">The settings.</param>
public sealed class DemoWorkload(DemoOptions options)
{
    /// <summary>The path of file <paramref name="i"/>.</summary>
    /// <param name="i">The index.</param>
    public static string PathOf(int i) => string.Create(CultureInfo.InvariantCulture, $"demo/d{i % 20:00}/file-{i:000000}.bin");

    /// <summary>The bytes of file <paramref name="i"/>.</summary>
    /// <param name="i">The index.</param>
    public byte[] Content(int i)
    {
        var random = new Random(unchecked((options.Seed * 1_000_003) + i));
        double lo = Math.Log(options.MinSize), hi = Math.Log(options.MaxSize);
        int size = (int)Math.Round(Math.Exp(lo + (random.NextDouble() * (hi - lo))));
        byte[] bytes = new byte[size];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The checksum header value of some bytes.</summary>
    /// <param name="bytes">The bytes.</param>
    public static string ChecksumOf(ReadOnlySpan<byte> bytes) => "xxh3:" + ChecksumText.Hash64Hex(XxHash3Checksum.Compute(bytes));
}
