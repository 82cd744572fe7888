using System.Text;
using FsCheck;
using FsCheck.Fluent;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;
using TapeKit.Conformance.Support;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Aggregation;

/// <summary>
/// Round trips and truncation through IL and tar: any member set (sizes 0, 1, P ± 1, random up to
/// several blocks; names up to 4096 UTF-8 bytes; random read chunkings of the sources) comes back
/// exactly, by sequential and by random access; an aggregation cut at any block boundary yields
/// exactly the members complete before the cut, then a clear error.
/// </summary>
public sealed class AggregationProperties(ITestOutputHelper output)
{
    private static readonly string[] Alphabet = ["a", "b", "Z", "0", "-", "_", ".", " ", "é", "名", "🙂", "ß"];

    public sealed record MemberSet(AggregationFormat Format, int BlockSize, IReadOnlyList<(string Name, byte[] Data)> Members, int ChunkSeed)
    {
        public override string ToString() =>
            $"{Format} S={BlockSize} chunkSeed={ChunkSeed} members=[{string.Join(", ", Members.Select(m => $"{Encoding.UTF8.GetByteCount(m.Name)}B name, {m.Data.Length} bytes"))}]";
    }

    private static Gen<string> Names() =>
        from components in Gen.Choose(1, 4)
        from lengths in Gen.ArrayOf(Gen.Choose(1, 40), components)
        from longOne in Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Choose(100, 1100)))
        from picks in Gen.ArrayOf(Gen.Choose(0, Alphabet.Length - 1), lengths.Sum() + longOne)
        select BuildName(lengths, longOne, picks);

    private static string BuildName(int[] lengths, int longOne, int[] picks)
    {
        var builder = new StringBuilder();
        int at = 0;
        foreach (int length in lengths.Append(longOne).Where(l => l > 0))
        {
            if (builder.Length > 0)
            {
                builder.Append('/');
            }

            var component = new StringBuilder();
            for (int i = 0; i < length; i++)
            {
                component.Append(Alphabet[picks[at++]]);
            }

            string text = component.ToString();
            builder.Append(text is "." or ".." ? text + "x" : text);
        }

        string name = builder.ToString();
        while (Encoding.UTF8.GetByteCount(name) > MemberName.MaxBytes - 8)
        {
            name = name[..^2].TrimEnd('/');
        }

        return name;
    }

    private static Gen<int> Sizes(int payload) => Gen.OneOf(
        Gen.Elements(0, 1, payload - 1, payload, payload + 1, 511, 512, 513),
        Gen.Choose(0, 4 * payload));

    private static Gen<MemberSet> Cases() =>
        from format in Gen.Elements(AggregationFormat.Il, AggregationFormat.Tar)
        from blockSize in Gen.Elements(1536, 2048, 4096)
        from count in Gen.Choose(1, 6)
        from names in Gen.ArrayOf(Names(), count)
        from sizes in Gen.ArrayOf(Sizes(format == AggregationFormat.Il ? blockSize - 1024 : blockSize), count)
        from seed in Gen.Choose(0, int.MaxValue)
        select new MemberSet(format, blockSize, Build(names, sizes, seed), seed);

    private static List<(string, byte[])> Build(string[] names, int[] sizes, int seed)
    {
        var random = new Random(seed);
        var members = new List<(string, byte[])>();
        for (int i = 0; i < names.Length; i++)
        {
            byte[] data = new byte[sizes[i]];
            random.NextBytes(data);
            string name = names[i] + "/" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            members.Add((name, data));
        }

        return members;
    }

    /// <summary>A non-seekable source that returns random short reads.</summary>
    private sealed class ChunkedStream(byte[] data, Random random) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, data.Length - _position), random.Next(1, 700));
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static (byte[] Archive, IReadOnlyList<AggregationMember> Index) Write(MemberSet c)
    {
        using var memory = new MemoryStream();
        var sink = new StreamBlockSink(memory, c.BlockSize, leaveOpen: true);
        IAggregationWriter writer = c.Format == AggregationFormat.Il
            ? new IlAggregationWriter(sink, new IlWriterOptions { Clock = TimeProvider.System })
            : new TarAggregationWriter(sink);
        var random = new Random(c.ChunkSeed);
        foreach (var (name, data) in c.Members)
        {
            var source = MemberSource.FromStream(new ChunkedStream(data, random), name, data.Length) with { KnownAdler32 = Adler32.Compute(data) };
            writer.Add(source);
        }

        var index = writer.Complete();
        return (memory.ToArray(), index);
    }

    private static bool RoundTrips(MemberSet c)
    {
        var (archive, index) = Write(c);
        if (archive.Length % c.BlockSize != 0)
        {
            return false;
        }

        using var reader = AggregationReader.Open(new MemoryStream(archive));
        for (int i = 0; i < c.Members.Count; i++)
        {
            var entry = reader.ReadNext();
            var copy = new MemoryStream();
            var digest = reader.CopyDataTo(copy);
            if (entry is null || entry.Name != StoredName(c.Format, c.Members[i].Name) || !copy.ToArray().AsSpan().SequenceEqual(c.Members[i].Data) || !digest.Agrees(index[i].Digest)
                || entry.DataOffset != index[i].PayloadOffset || entry.HeaderOffset != index[i].HeaderOffset)
            {
                throw new InvalidOperationException($"member {i} read back as {entry} with {digest}; written as {index[i]}");
            }
        }

        if (reader.ReadNext() is not null || reader.Warnings.Count != 0)
        {
            throw new InvalidOperationException("extra entries or warnings: " + string.Join("; ", reader.Warnings));
        }

        var counting = new CountingBlockSource(new StreamBlockSource(new MemoryStream(archive), c.BlockSize));
        for (int i = 0; i < c.Members.Count; i++)
        {
            counting.ResetCount();
            var copy = new MemoryStream();
            AggregationReader.ReadMember(counting, c.Format, index[i], copy);
            long first = index[i].BlockIndex;
            long last = c.Format == AggregationFormat.Il
                ? first + Math.Max(1, (index[i].Size + c.BlockSize - 1025) / (c.BlockSize - 1024)) - 1
                : Math.Max(first, (index[i].PayloadOffset + index[i].Size - 1) / c.BlockSize);
            if (!copy.ToArray().AsSpan().SequenceEqual(c.Members[i].Data) || counting.BlocksRead.Min() != first || counting.BlocksRead.Max() > last)
            {
                throw new InvalidOperationException($"random access to member {i} read blocks {string.Join(",", counting.BlocksRead)}; expected {first}..{last}");
            }
        }

        return true;
    }

    private static Gen<(MemberSet MemberSet, int CutSeed)> TruncationCases() =>
        from c in Cases()
        from cut in Gen.Choose(0, int.MaxValue)
        select (c, cut);

    private static bool TruncationKeepsCompleteMembers(MemberSet c, int cutSeed)
    {
        var (archive, index) = Write(c);
        int blocks = archive.Length / c.BlockSize;
        int cutBlocks = cutSeed % blocks; // 0 … blocks − 1: always a real cut
        byte[] truncated = archive[..(cutBlocks * c.BlockSize)];
        long cut = truncated.Length;
        var expected = index.Where(m => c.Format == AggregationFormat.Il
            ? m.HeaderOffset + (Math.Max(1, (m.Size + c.BlockSize - 1025) / (c.BlockSize - 1024)) * c.BlockSize) <= cut
            : m.PayloadOffset + m.Size <= cut).ToList();
        // IL has no trailer: a cut between two members leaves a shorter valid stream. An empty file is no aggregation.
        bool cutInsideMember = c.Format == AggregationFormat.Tar || cut == 0 || index.All(m => m.HeaderOffset != cut);

        var got = new List<string>();
        TapeFormatException? error = null;
        try
        {
            using var reader = AggregationReader.Open(new MemoryStream(truncated));
            while (reader.ReadNext() is { } entry)
            {
                var copy = new MemoryStream();
                reader.CopyDataTo(copy);
                int i = got.Count;
                if (i >= c.Members.Count || entry.Name != StoredName(c.Format, c.Members[i].Name) || !copy.ToArray().AsSpan().SequenceEqual(c.Members[i].Data))
                {
                    return false; // wrong data returned as good
                }

                got.Add(c.Members[i].Name);
            }
        }
        catch (TapeFormatException exception)
        {
            error = exception;
        }

        bool sameMembers = got.SequenceEqual(expected.Select(m => m.Name));
        bool errorAsExpected = cutInsideMember ? error is not null && error.Message.Length > 0 : error is null;
        if (!sameMembers || !errorAsExpected)
        {
            throw new InvalidOperationException($"cut at {cut} of {archive.Length}: got {got.Count} members, expected {expected.Count}; error: {error?.Message ?? "none"}");
        }

        return true;
    }

    /// <summary>IL headers keep only the last 649 bytes of a name (F5.3); the catalogue or manifest holds the full name.</summary>
    private static string StoredName(AggregationFormat format, string name)
    {
        if (format == AggregationFormat.Tar)
        {
            return name;
        }

        byte[] utf8 = Encoding.UTF8.GetBytes(name);
        int start = Math.Max(0, utf8.Length - 649);
        while (start < utf8.Length && (utf8[start] & 0xC0) == 0x80)
        {
            start++;
        }

        return Encoding.UTF8.GetString(utf8, start, utf8.Length - start).TrimEnd(' ');
    }

    [Fact]
    public void Any_member_set_round_trips_through_IL_and_tar()
    {
        PropertyRun.Check(output, Prop.ForAll(Cases().ToArbitrary(), RoundTrips), maxTest: 1000);
    }

    [Fact]
    public void Truncating_at_any_block_boundary_keeps_exactly_the_complete_members_and_reports_the_cut()
    {
        PropertyRun.Check(output, Prop.ForAll(TruncationCases().ToArbitrary(), t => TruncationKeepsCompleteMembers(t.MemberSet, t.CutSeed)), maxTest: 1000);
    }
}
