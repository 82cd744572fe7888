using System.Formats.Tar;
using System.Text;
using ICSharpCode.SharpZipLib.Tar;
using TapeKit.Aggregation;
using TapeKit.Conformance.Support;
using TapeKit.Aggregation.Tar;

namespace TapeKit.Conformance.Aggregation;

/// <summary>
/// TapeKit tar against the real tools: GNU tar and bsdtar list and extract TapeKit archives
/// byte-identically, and TapeKit lists and extracts what GNU tar (gnu, ustar, posix), bsdtar,
/// System.Formats.Tar and SharpZipLib write.
/// </summary>
public sealed class TarInteropTests
{
    private static readonly string LongName = string.Concat(Enumerable.Repeat(new string('x', 50) + "/", 5)) + new string('y', 40);
    private static readonly string UstarLongName = new string('l', 90) + "/" + new string('m', 95);

    /// <summary>Member names and sizes around 512-byte records, tar records and tape blocks.</summary>
    private static List<(string Name, int Size)> Files(bool ustarOnly)
    {
        var files = new List<(string, int)>
        {
            ("tree/empty", 0), ("tree/one", 1), ("tree/r511", 511), ("tree/r512", 512), ("tree/r513", 513),
            ("tree/b10239", 10239), ("tree/b10240", 10240), ("tree/b10241", 10241),
            ("tree/blk-1", 262143), ("tree/blk", 262144), ("tree/blk+1", 262145),
            ("tree/ünïcødé/名前.txt", 100), ("tree/" + UstarLongName, 700),
        };
        if (!ustarOnly)
        {
            files.Add(("tree/" + LongName, 1234));
        }

        return files;
    }

    private static void MakeTree(string root, List<(string Name, int Size)> files)
    {
        var random = new Random(5);
        foreach (var (name, size) in files)
        {
            string path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            byte[] data = new byte[size];
            random.NextBytes(data);
            File.WriteAllBytes(path, data);
        }
    }

    private static void AssertSameFiles(string expectedRoot, string actualRoot, List<(string Name, int Size)> files)
    {
        foreach (var (name, _) in files)
        {
            string actual = Path.Combine(actualRoot, name);
            Assert.True(File.Exists(actual), $"{name} was not extracted");
            Assert.True(File.ReadAllBytes(Path.Combine(expectedRoot, name)).AsSpan().SequenceEqual(File.ReadAllBytes(actual)), $"{name} differs");
        }
    }

    private static IReadOnlyList<AggregationMember> ExtractWithTapeKit(string archive, string target, out IReadOnlyList<string> warnings)
    {
        var result = SafeExtractor.Extract(() => AggregationReader.OpenFile(archive), target);
        using var reader = AggregationReader.OpenFile(archive);
        reader.VerifyAll();
        warnings = reader.Warnings;
        return result.Extracted;
    }

    [ExternalToolTheory]
    [InlineData("tar", 262144)]
    [InlineData("bsdtar", 262144)]
    [InlineData("tar", 10240)]
    [InlineData("bsdtar", 512)]
    public void Real_tools_list_and_extract_TapeKit_archives_byte_identically(string tool, int blockSize)
    {
        using var scratch = new Scratch();
        var files = Files(ustarOnly: false);
        MakeTree(scratch.Path, files);
        string archive = scratch.Combine("tapekit.tar");
        using (var sink = new StreamBlockSink(File.Create(archive), blockSize))
        {
            var writer = new TarAggregationWriter(sink);
            foreach (var (name, _) in files)
            {
                writer.Add(MemberSource.FromFile(scratch.Combine(name), name));
            }

            writer.Complete();
        }

        Assert.Equal(0, new FileInfo(archive).Length % blockSize);
        string listing = ExternalTools.Run(tool, "-tf", archive);
        var names = listing.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(files.Select(f => f.Name).Append(MemberName.Manifest), names);

        string output = scratch.Combine("out-" + tool);
        Directory.CreateDirectory(output);
        ExternalTools.Run(tool, "-xf", archive, "-C", output);
        AssertSameFiles(scratch.Path, output, files);
    }

    [ExternalToolTheory]
    [InlineData("gnu")]
    [InlineData("ustar")]
    [InlineData("posix")]
    public void TapeKit_reads_GNU_tar_archives(string format)
    {
        using var scratch = new Scratch();
        var files = Files(ustarOnly: format == "ustar");
        MakeTree(scratch.Path, files);
        string archive = scratch.Combine("gnu.tar");
        ExternalTools.Run("tar", "--format=" + format, "-b", "512", "-cf", archive, "-C", scratch.Path, "tree");
        var extracted = ExtractWithTapeKit(archive, scratch.Combine("out"), out var warnings);
        Assert.Equal(files.Count, extracted.Count);
        Assert.Contains(warnings, w => w.Contains("No TapeKit manifest", StringComparison.Ordinal));
        AssertSameFiles(scratch.Path, scratch.Combine("out"), files);
    }

    [ExternalToolFact]
    public void TapeKit_reads_bsdtar_archives()
    {
        using var scratch = new Scratch();
        var files = Files(ustarOnly: false);
        MakeTree(scratch.Path, files);
        string archive = scratch.Combine("bsd.tar");
        ExternalTools.Run("bsdtar", "-cf", archive, "-C", scratch.Path, "tree");
        var extracted = ExtractWithTapeKit(archive, scratch.Combine("out"), out _);
        Assert.Equal(files.Count, extracted.Count);
        AssertSameFiles(scratch.Path, scratch.Combine("out"), files);
    }

    [Theory]
    [InlineData(TarEntryFormat.Pax)]
    [InlineData(TarEntryFormat.Gnu)]
    [InlineData(TarEntryFormat.Ustar)]
    public void TapeKit_reads_System_Formats_Tar_archives(TarEntryFormat format)
    {
        using var scratch = new Scratch();
        var files = Files(ustarOnly: format == TarEntryFormat.Ustar);
        MakeTree(scratch.Path, files);
        string archive = scratch.Combine("dotnet.tar");
        using (var stream = File.Create(archive))
        using (var writer = new TarWriter(stream, format))
        {
            foreach (var (name, _) in files)
            {
                writer.WriteEntry(scratch.Combine(name), name);
            }
        }

        var extracted = ExtractWithTapeKit(archive, scratch.Combine("out"), out _);
        Assert.Equal(files.Count, extracted.Count);
        AssertSameFiles(scratch.Path, scratch.Combine("out"), files);
    }

    [Fact]
    public void TapeKit_reads_SharpZipLib_archives()
    {
        using var scratch = new Scratch();
        var files = Files(ustarOnly: false);
        MakeTree(scratch.Path, files);
        string archive = scratch.Combine("sharp.tar");
        using (var stream = File.Create(archive))
        using (var tar = new TarOutputStream(stream, Encoding.UTF8))
        {
            foreach (var (name, size) in files)
            {
                var entry = ICSharpCode.SharpZipLib.Tar.TarEntry.CreateTarEntry(name);
                entry.Size = size;
                tar.PutNextEntry(entry);
                byte[] data = File.ReadAllBytes(scratch.Combine(name));
                tar.Write(data, 0, data.Length);
                tar.CloseEntry();
            }
        }

        var extracted = ExtractWithTapeKit(archive, scratch.Combine("out"), out _);
        Assert.Equal(files.Count, extracted.Count);
        AssertSameFiles(scratch.Path, scratch.Combine("out"), files);
    }

    [ExternalToolFact]
    public void GNU_tar_block_numbers_agree_with_the_manifest_offsets()
    {
        using var scratch = new Scratch();
        var files = Files(ustarOnly: false);
        MakeTree(scratch.Path, files);
        string archive = scratch.Combine("tapekit.tar");
        IReadOnlyList<AggregationMember> index;
        using (var sink = new StreamBlockSink(File.Create(archive), 262144))
        {
            var writer = new TarAggregationWriter(sink);
            foreach (var (name, _) in files)
            {
                writer.Add(MemberSource.FromFile(scratch.Combine(name), name));
            }

            index = writer.Complete();
        }

        // GNU tar prints "block N: name" where N counts 512-byte records up to the entry's header (F6.6).
        var lines = ExternalTools.Run("tar", "--block-number", "-tf", archive).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < index.Count; i++)
        {
            long block = long.Parse(lines[i]["block ".Length..lines[i].IndexOf(':', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(index[i].HeaderOffset / 512, block);
        }
    }
}
