using BenchmarkDotNet.Attributes;
using TapeKit.Checksums;
using SharpAdler32 = ICSharpCode.SharpZipLib.Checksum.Adler32;

namespace TapeKit.Bench.Checksums;

/// <summary>Checksum throughput over one 1 MiB buffer (in L2/L3): each algorithm against SharpZipLib's Adler-32.</summary>
[MemoryDiagnoser]
public class ChecksumThroughputBenchmarks
{
    private readonly byte[] _data = new byte[1 << 20];
    private readonly SharpAdler32 _sharp = new();
    private readonly XxHash3Checksum _xxh3 = new();

    [GlobalSetup]
    public void Setup() => new Random(42).NextBytes(_data);

    [Benchmark(Baseline = true, Description = "SharpZipLib Adler32")]
    public long SharpZipLibAdler32()
    {
        _sharp.Reset();
        _sharp.Update(new ArraySegment<byte>(_data));
        return _sharp.Value;
    }

    [Benchmark(Description = "TapeKit Adler32")]
    public uint TapeKitAdler32() => Adler32.Compute(_data);

    [Benchmark(Description = "XXH3-64 (System.IO.Hashing)")]
    public ulong XxHash3()
    {
        _xxh3.Reset();
        _xxh3.Append(_data);
        return _xxh3.Value;
    }

    [Benchmark(Description = "XXH64 (K4os)")]
    public ulong XxHash64() => XxHash64Checksum.Compute(_data);

    [Benchmark(Description = "CRC32C (BitOperations, three lanes)")]
    public uint Crc32CHardware() => Crc32C.Compute(_data);

    [Benchmark(Description = "CRC32C (BitOperations, one register)")]
    public uint Crc32COneRegister() => ~Crc32C.UpdateSerial(0xFFFFFFFFu, _data);
}
