using System.Formats.Tar;
using BenchmarkDotNet.Attributes;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Tar;

namespace TapeKit.Bench.Aggregation;

/// <summary>
/// Packing a tree of files from the disk (in the page cache) into a tar aggregation, with and without the feeder
/// (issue 14, point 1): the serial writer opens and reads each file itself; the read-ahead reads the next files on four
/// threads; "+ drive thread" also hands each block to another thread through the pipe. The blocks are dropped (a
/// drive's DMA), so the rows measure reading, framing and checksums. The rival in the same run is System.Formats.Tar's
/// <c>TarWriter.WriteEntry(path)</c>, which reads the files and computes no checksum, into a preallocated stream.
/// </summary>
[MemoryDiagnoser]
public class FeederBenchmarks : IDisposable
{
    private const int BlockSize = 262144;
    private string _root = string.Empty;
    private MemberSource[] _members = [];
    private MemoryStream _output = new();

    /// <summary>The tree: count × size.</summary>
    [Params("10000x4KiB", "256x1MiB")]
    public string Tree { get; set; } = "10000x4KiB";

    [GlobalSetup]
    public void Setup()
    {
        (int count, int size) = Tree == "256x1MiB" ? (256, 1 << 20) : (10000, 4 << 10);
        _root = Path.Combine(Path.GetTempPath(), "tapekit-feeder-bench-" + Guid.NewGuid().ToString("N"));
        var random = new Random(42);
        byte[] data = new byte[size];
        _members = new MemberSource[count];
        for (int i = 0; i < count; i++)
        {
            string dir = Path.Combine(_root, $"dir{i / 100:D3}");
            Directory.CreateDirectory(dir);
            string path = Path.Combine(dir, $"file{i:D5}.bin");
            random.NextBytes(data);
            File.WriteAllBytes(path, data);
            _members[i] = MemberSource.FromFile(path, $"dir{i / 100:D3}/file{i:D5}.bin", size);
        }

        _output = new MemoryStream(capacity: (int)(((long)count * (size + 1536)) + (2 * BlockSize)));
    }

    [Benchmark(Baseline = true, Description = "System.Formats.Tar TarWriter.WriteEntry(path)")]
    public long SystemFormatsTar()
    {
        _output.SetLength(0);
        using (var writer = new TarWriter(_output, TarEntryFormat.Gnu, leaveOpen: true))
        {
            foreach (MemberSource member in _members)
            {
                writer.WriteEntry(Path.Combine(_root, member.Name), member.Name);
            }
        }

        return _output.Length;
    }

    [Benchmark(Description = "TapeKit tar, serial (+Adler-32, XXH3)")]
    public long Serial() => Pack(_members, new DiscardingSink(BlockSize));

    [Benchmark(Description = "TapeKit tar, read-ahead")]
    public long ReadAhead()
    {
        using var feeder = MemberReadAhead.Start(_members);
        return Pack(feeder, new DiscardingSink(BlockSize));
    }

    [Benchmark(Description = "TapeKit tar, read-ahead + drive thread")]
    public long ReadAheadAndDriveThread()
    {
        var sink = new DiscardingSink(BlockSize);
        using var feeder = MemberReadAhead.Start(_members);
        using var drive = new PipelinedBlockSink(sink);
        Pack(feeder, drive);
        drive.Complete();
        return sink.Bytes;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _output.Dispose();
        if (_root.Length > 0 && Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private static long Pack(IEnumerable<MemberSource> members, IBlockSink sink)
    {
        var writer = new TarAggregationWriter(sink);
        foreach (MemberSource member in members)
        {
            writer.Add(member);
        }

        writer.Complete();
        return writer.BlocksWritten * BlockSize;
    }
}
