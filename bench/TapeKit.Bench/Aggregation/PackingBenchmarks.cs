using System.Formats.Tar;
using System.Text;
using BenchmarkDotNet.Attributes;
using ICSharpCode.SharpZipLib.Tar;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;

namespace TapeKit.Bench.Aggregation;

/// <summary>
/// Packing two in-memory trees — 10 000 × 4 KiB and 256 × 4 MiB — into one archive. TapeKit
/// computes Adler-32 and XXH3-64 of every member as it packs; System.Formats.Tar (the baseline) and
/// SharpZipLib compute nothing. Every archive byte is written once into memory: the baselines into
/// a preallocated MemoryStream, TapeKit into its tape block buffer, handed to a sink that discards
/// it as a tape drive's DMA would (the "TapeKit … → MemoryStream" rows add the copy into a stream). The "fed" row
/// packs through the feeder (<see cref="MemberReadAhead"/>, one reader), whose thread computes the checksums on the
/// machine's second core while the writer's frames and copies.
/// </summary>
[MemoryDiagnoser]
public class PackingBenchmarks : IDisposable
{
    private const int BlockSize = 262144;
    private (string Name, byte[] Data)[] _files = [];
    private MemoryStream _output = new();

    /// <summary>The tree: count × size.</summary>
    [Params("10000x4KiB", "256x4MiB")]
    public string Tree { get; set; } = "10000x4KiB";

    [GlobalSetup]
    public void Setup()
    {
        (int count, int size) = Tree == "256x4MiB" ? (256, 4 << 20) : (10000, 4 << 10);
        var random = new Random(42);
        _files = new (string, byte[])[count];
        for (int i = 0; i < count; i++)
        {
            byte[] data = new byte[size];
            random.NextBytes(data);
            _files[i] = ($"dir{i / 100:D3}/file{i:D5}.bin", data);
        }

        _output = new MemoryStream(capacity: (int)Math.Min(int.MaxValue - 64, ((long)count * (size + 1536)) + (2 * BlockSize)));
    }

    [Benchmark(Baseline = true, Description = "System.Formats.Tar TarWriter (GNU)")]
    public long SystemFormatsTar()
    {
        _output.SetLength(0);
        using (var writer = new TarWriter(_output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (var (name, data) in _files)
            {
                var entry = new GnuTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data, writable: false) };
                writer.WriteEntry(entry);
            }
        }

        return _output.Length;
    }

    [Benchmark(Description = "SharpZipLib TarOutputStream")]
    public long SharpZipLib()
    {
        _output.SetLength(0);
        using (var tar = new TarOutputStream(_output, 512, Encoding.UTF8) { IsStreamOwner = false })
        {
            foreach (var (name, data) in _files)
            {
                var entry = ICSharpCode.SharpZipLib.Tar.TarEntry.CreateTarEntry(name);
                entry.Size = data.Length;
                tar.PutNextEntry(entry);
                tar.Write(data, 0, data.Length);
                tar.CloseEntry();
            }
        }

        return _output.Length;
    }

    [Benchmark(Description = "TapeKit tar (+Adler-32, XXH3)")]
    public long TapeKitTar()
    {
        var sink = new DiscardingSink(BlockSize);
        var writer = new TarAggregationWriter(sink);
        foreach (var (name, data) in _files)
        {
            writer.Add(MemberSource.FromMemory(data, name));
        }

        writer.Complete();
        return sink.Bytes;
    }

    [Benchmark(Description = "TapeKit tar, fed (checksums on a reader thread)")]
    public long TapeKitTarFed()
    {
        var sink = new DiscardingSink(BlockSize);
        var writer = new TarAggregationWriter(sink);
        var members = new MemberSource[_files.Length];
        for (int i = 0; i < members.Length; i++)
        {
            members[i] = MemberSource.FromMemory(_files[i].Data, _files[i].Name);
        }

        using var feeder = MemberReadAhead.Start(members, new ReadAheadOptions { Readers = 1 });
        foreach (MemberSource member in feeder)
        {
            writer.Add(member);
        }

        writer.Complete();
        return sink.Bytes;
    }

    [Benchmark(Description = "TapeKit IL (+Adler-32, XXH3)")]
    public long TapeKitIl()
    {
        var sink = new DiscardingSink(BlockSize);
        var writer = new IlAggregationWriter(sink);
        foreach (var (name, data) in _files)
        {
            writer.Add(MemberSource.FromMemory(data, name));
        }

        writer.Complete();
        return sink.Bytes;
    }

    [Benchmark(Description = "TapeKit tar → MemoryStream")]
    public long TapeKitTarToMemory()
    {
        _output.SetLength(0);
        using var sink = new StreamBlockSink(_output, BlockSize, leaveOpen: true);
        var writer = new TarAggregationWriter(sink);
        foreach (var (name, data) in _files)
        {
            writer.Add(MemberSource.FromMemory(data, name));
        }

        writer.Complete();
        return _output.Length;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _output.Dispose();
        GC.SuppressFinalize(this);
    }
}
