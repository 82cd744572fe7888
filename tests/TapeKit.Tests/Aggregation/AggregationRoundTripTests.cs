using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;

namespace TapeKit.Tests.Aggregation;

public sealed class AggregationRoundTripTests
{
    private const int S = 4096;
    private const int P = S - 1024;

    internal static IAggregationWriter Writer(AggregationFormat format, IBlockSink sink) => format == AggregationFormat.Il
        ? new IlAggregationWriter(sink, new IlWriterOptions { Clock = new FixedClock(1700000000) })
        : new TarAggregationWriter(sink, new TarWriterOptions { Clock = new FixedClock(1700000000) });

    internal static (byte[] Archive, IReadOnlyList<AggregationMember> Index, List<byte[]> Data) Build(AggregationFormat format, int[] sizes, int blockSize = S)
    {
        var sink = new MemorySink(blockSize);
        var writer = Writer(format, sink);
        var data = new List<byte[]>();
        var random = new Random(sizes.Length);
        for (int i = 0; i < sizes.Length; i++)
        {
            byte[] bytes = new byte[sizes[i]];
            random.NextBytes(bytes);
            data.Add(bytes);
            var source = i % 2 == 0 ? MemberSource.FromMemory(bytes, $"m/{i:D3}.bin") : MemberSource.FromStream(new MemoryStream(bytes), $"m/{i:D3}.bin");
            writer.Add(source with { FileId = (ulong)(i + 100) });
        }

        var index = writer.Complete();
        return (sink.ToArray(), index, data);
    }

    public static TheoryData<AggregationFormat> Formats() => new() { AggregationFormat.Il, AggregationFormat.Tar };

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_damaged_member_passed_over_with_SkipData_does_not_stop_the_read_of_the_next(AggregationFormat format)
    {
        (byte[] archive, IReadOnlyList<AggregationMember> index, List<byte[]> data) = Build(format, [700, (3 * P) + 100, 1500]);
        archive[index[1].PayloadOffset + S + 50] ^= 0x20; // member 1's payload, in its second block

        using (var reader = AggregationReader.Open(new MemoryStream(archive)))
        {
            Assert.Equal(index[0].Name, reader.ReadNext()!.Name);
            Assert.Equal(index[0].Digest.Adler32, reader.CopyDataTo(null).Adler32);
            Assert.Equal(index[1].Name, reader.ReadNext()!.Name);
            reader.SkipData();
            Assert.Equal(index[2].Name, reader.ReadNext()!.Name);
            using var copy = new MemoryStream();
            Assert.Equal(index[2].Digest.Adler32, reader.CopyDataTo(copy).Adler32);
            Assert.Equal(data[2], copy.ToArray());
            Assert.Null(reader.ReadNext());
        }

        // Read, or passed over by ReadNext's own pass, the damage is found.
        using (var reader = AggregationReader.Open(new MemoryStream(archive)))
        {
            reader.ReadNext();
            reader.ReadNext();
            Assert.Throws<TapeFormatException>(() => reader.ReadNext());
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void SkipData_still_checks_the_structure_that_leads_to_the_next_member(AggregationFormat format)
    {
        (byte[] archive, IReadOnlyList<AggregationMember> index, _) = Build(format, [700, (3 * P) + 100, 1500]);
        // Cut two blocks after member 1's first: the skip runs out of blocks inside it.
        byte[] cut = archive[..(int)(((index[1].HeaderOffset / S) + 2) * S)];

        using var reader = AggregationReader.Open(new MemoryStream(cut), tarBlockSize: S);
        reader.ReadNext();
        reader.CopyDataTo(null);
        Assert.Equal(index[1].Name, reader.ReadNext()!.Name);
        var e = Assert.Throws<TapeFormatException>(reader.SkipData);
        Assert.Contains("truncated", e.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Members_of_edge_sizes_round_trip_with_their_index(AggregationFormat format)
    {
        int[] sizes = [0, 1, P - 1, P, P + 1, 3 * P, 511, 512, 513, S - 512, S, S + 1, 0];
        var (archive, index, data) = Build(format, sizes);
        Assert.Equal(0, archive.Length % S);
        using var reader = AggregationReader.Open(new MemoryStream(archive));
        Assert.Equal(format, reader.Format);
        Assert.Equal(S, reader.BlockSize);
        int i = 0;
        while (reader.ReadNext() is { } entry)
        {
            var copy = new MemoryStream();
            var digest = reader.CopyDataTo(copy);
            Assert.Equal(data[i], copy.ToArray());
            Assert.Equal(index[i], entry.ToMember(digest) with { Digest = index[i].Digest });
            Assert.True(digest.Agrees(index[i].Digest));
            Assert.Equal(Adler32.Compute(data[i]), digest.Adler32);
            Assert.Equal(XxHash3Checksum.Compute(data[i]), digest.XxHash3);
            Assert.Equal(index[i].FileId, entry.FileId);
            i++;
        }

        Assert.Equal(sizes.Length, i);
        Assert.Empty(reader.Warnings);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Random_access_reads_only_the_blocks_of_the_member(AggregationFormat format)
    {
        int[] sizes = [100, 5 * P, 7, 2 * S + 100, 0, 3];
        var (archive, index, data) = Build(format, sizes);
        var counting = new CountingBlockSource(new MemorySource(archive, S));
        for (int i = 0; i < sizes.Length; i++)
        {
            counting.ResetCount();
            var member = index[i];
            var copy = new MemoryStream();
            AggregationReader.ReadMember(counting, format, member, copy);
            Assert.Equal(data[i], copy.ToArray());

            long first = member.HeaderOffset / S;
            long end = format == AggregationFormat.Il
                ? first + Math.Max(1, (member.Size + P - 1) / P)
                : (member.PayloadOffset + member.Size + S - 1) / S;
            end = Math.Max(end, first + 1);
            var expected = Enumerable.Range(0, (int)(end - first)).Select(k => first + k).ToArray();
            Assert.Equal(expected, counting.BlocksRead.Distinct().ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_wrong_index_entry_is_refused(AggregationFormat format)
    {
        var (archive, index, _) = Build(format, [10, 20]);
        var source = new MemorySource(archive, S);
        var wrongDigest = index[1] with { Digest = index[1].Digest with { XxHash3 = index[1].Digest.XxHash3 ^ 1 } };
        Assert.Throws<TapeFormatException>(() => AggregationReader.ReadMember(source, format, wrongDigest, null));
        var wrongName = index[1] with { Name = "other" };
        Assert.Throws<TapeFormatException>(() => AggregationReader.ReadMember(source, format, wrongName, null));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_flipped_data_byte_is_reported_with_the_member_and_offset(AggregationFormat format)
    {
        int[] sizes = [50, 3 * P, 50];
        var (archive, index, _) = Build(format, sizes);
        long at = index[1].PayloadOffset + (format == AggregationFormat.Il ? S : P) + 17;
        archive[at] ^= 0x40;
        using var reader = AggregationReader.Open(new MemoryStream(archive));
        var first = reader.ReadNext()!;
        reader.CopyDataTo(null);
        Assert.Equal(index[0].Name, first.Name);
        var second = reader.ReadNext()!;
        var error = Assert.Throws<TapeFormatException>(() => reader.CopyDataTo(null));
        Assert.True(error.Message.Contains(second.Name, StringComparison.Ordinal), error.Message);
        if (format == AggregationFormat.Il)
        {
            Assert.Equal("fileProgressiveChecksum", error.Field);
            Assert.Equal(((at / S) * S) + 345, error.Offset);
        }
        else
        {
            Assert.Equal("adler32", error.Field);
            Assert.Equal(index[1].PayloadOffset, error.Offset);
        }
    }

    [Fact]
    public void A_flipped_IL_header_byte_fails_the_header_checksum()
    {
        var (archive, _, _) = Build(AggregationFormat.Il, [10, 10]);
        archive[S + 300] = (byte)'X';
        using var reader = AggregationReader.Open(new MemoryStream(archive));
        reader.ReadNext();
        var error = Assert.Throws<TapeFormatException>(() => reader.ReadNext());
        Assert.Equal("headerChecksum", error.Field);
        Assert.Equal(S + 20, error.Offset);
    }

    [Fact]
    public void An_IL_M_field_that_changes_is_named()
    {
        var (archive, _, _) = Build(AggregationFormat.Il, [10, 10]);
        archive[S + 215] = (byte)'Q'; // volId
        Assert.Equal("headerChecksum", Assert.Throws<TapeFormatException>(() => IlHeader.Parse(archive.AsSpan(S), S)).Field); // reseal to isolate the M-field check
        byte[] header = archive.AsSpan(S, 1024).ToArray();
        ResealForTest(header);
        header.CopyTo(archive, S);
        using var reader = AggregationReader.Open(new MemoryStream(archive));
        reader.ReadNext();
        var error = Assert.Throws<TapeFormatException>(() => reader.ReadNext());
        Assert.Equal("volId", error.Field);
    }

    private static void ResealForTest(byte[] header)
    {
        header.AsSpan(20, 10).Fill((byte)' ');
        uint checksum = Adler32.Compute(header);
        System.Text.Encoding.ASCII.GetBytes(checksum.ToString("D10", System.Globalization.CultureInfo.InvariantCulture)).CopyTo(header, 20);
    }

    [Fact]
    public void A_source_that_changes_fails_the_IL_aggregation_before_the_last_block()
    {
        var sink = new MemorySink(S);
        var writer = new IlAggregationWriter(sink);
        byte[] data = new byte[2 * P + 5];
        var member = MemberSource.FromStream(new MemoryStream(data), "x", data.Length) with { KnownAdler32 = 12345 };
        Assert.Throws<IOException>(() => writer.Add(member));
        Assert.Equal(2, sink.Blocks);
        Assert.Throws<InvalidOperationException>(() => writer.Add(MemberSource.FromMemory(new byte[1], "y")));
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Bad_and_duplicate_names_are_refused_by_writers(AggregationFormat format)
    {
        var writer = Writer(format, new MemorySink(S));
        writer.Add(MemberSource.FromMemory(new byte[1], "a/b"));
        Assert.Throws<ArgumentException>(() => writer.Add(MemberSource.FromMemory(new byte[1], "a/b")));
        Assert.Throws<ArgumentException>(() => writer.Add(MemberSource.FromMemory(new byte[1], MemberName.Manifest)));
        foreach (string bad in new[] { "", "/abs", "a/../b", "a//b", "./a", "a\\b", "a\0b", "tab\tname", new string('n', 4097) })
        {
            Assert.Throws<ArgumentException>(() => MemberSource.FromMemory(new byte[1], bad));
        }

        writer.Add(MemberSource.FromMemory(new byte[1], "still/writable"));
    }

    [Fact]
    public void The_planner_follows_F7()
    {
        var limits = new AggregationLimits(100, 3);
        var files = new[] { ("a", 40L), ("b", 40L), ("c", 30L), ("d", 0L), ("e", 0L), ("f", 0L), ("g", 0L), ("big", 250L), ("h", 1L) }
            .Select(f => new PlanCandidate<string>(f.Item1, f.Item2));
        var plans = AggregationPlanner.Plan(files, limits).Select(p => string.Join(",", p.Members)).ToArray();
        Assert.Equal(["a,b", "c,d,e", "f,g", "big", "h"], plans);
        Assert.Empty(AggregationPlanner.Plan(Array.Empty<PlanCandidate<string>>()));
        var defaults = AggregationPlanner.Plan(Enumerable.Range(0, 2500).Select(i => new PlanCandidate<int>(i, 1))).ToArray();
        Assert.Equal([1000, 1000, 500], defaults.Select(p => p.Members.Count).ToArray());
        var bytes = AggregationPlanner.Plan(new[] { new PlanCandidate<int>(1, 6L << 30), new PlanCandidate<int>(2, 5L << 30), new PlanCandidate<int>(3, 11L << 30) }).ToArray();
        Assert.Equal(3, bytes.Length);
    }
}
