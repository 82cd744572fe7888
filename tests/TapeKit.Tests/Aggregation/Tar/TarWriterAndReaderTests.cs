using System.Text;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;

namespace TapeKit.Tests.Aggregation.Tar;

public sealed class TarWriterAndReaderTests
{
    [Fact]
    public void A_stream_shorter_than_announced_fails_the_aggregation()
    {
        var sink = new MemorySink(1024);
        var writer = new TarAggregationWriter(sink);
        var error = Assert.Throws<IOException>(() => writer.Add(MemberSource.FromStream(new MemoryStream(new byte[10]), "short", size: 20)));
        Assert.Contains("short", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => writer.Complete());
    }

    [Fact]
    public void A_stream_longer_than_announced_fails_the_aggregation()
    {
        var writer = new TarAggregationWriter(new MemorySink(1024));
        Assert.Throws<IOException>(() => writer.Add(MemberSource.FromStream(new NonSeekable(new byte[30]), "long", size: 20)));
    }

    [Fact]
    public void XxHash64_is_written_to_the_manifest_and_verified_when_selected()
    {
        var sink = new MemorySink(2048);
        var writer = new TarAggregationWriter(sink, new TarWriterOptions { WithXxHash64 = true });
        byte[] data = Encoding.ASCII.GetBytes("0123456789");
        var member = writer.Add(MemberSource.FromMemory(data, "a"));
        writer.Complete();
        Assert.Equal(0x3f5fc178a81867e7UL, member.Digest.XxHash64);
        byte[] archive = sink.ToArray();
        Assert.Contains("\"xxh64\":\"3f5fc178a81867e7\"", Encoding.UTF8.GetString(archive), StringComparison.Ordinal);

        using var reader = new TarAggregationReader(new MemorySource(archive, 2048));
        Assert.Equal(0x3f5fc178a81867e7UL, reader.Manifest!.Members[0].Digest.XxHash64);
        var entry = reader.ReadNext()!;
        Assert.Equal(0x3f5fc178a81867e7UL, entry.ExpectedXxHash64);
        Assert.Equal(0x3f5fc178a81867e7UL, reader.CopyDataTo(null).XxHash64);
        Assert.Null(reader.ReadNext());
    }

    [Fact]
    public void The_reader_computes_XXH64_only_for_members_whose_manifest_entry_has_it()
    {
        var sink = new MemorySink(2048);
        var writer = new TarAggregationWriter(sink);
        writer.Add(MemberSource.FromMemory(Encoding.ASCII.GetBytes("0123456789"), "a"));
        writer.Complete();

        using var reader = new TarAggregationReader(new MemorySource(sink.ToArray(), 2048));
        Assert.Null(reader.ReadNext()!.ExpectedXxHash64);
        var digest = reader.CopyDataTo(null);
        Assert.Null(digest.XxHash64);
        Assert.Equal(Adler32.Compute("0123456789"u8), digest.Adler32);
    }

    [Fact]
    public void Base_256_sizes_are_read()
    {
        byte[] header = new byte[512];
        TarHeader.WriteGnu(header, "big"u8, 420, 0, 0, 9L * 1024 * 1024 * 1024, 0, (byte)'0');
        Assert.True(TarHeader.IsTarHeader(header));
        Assert.Equal(9L * 1024 * 1024 * 1024, TarHeader.Parse(header, 0).DataSize);
    }

    [Fact]
    public void A_signed_checksum_is_accepted_with_a_warning()
    {
        byte[] header = new byte[512];
        TarHeader.WriteGnu(header, "é"u8, 420, 0, 0, 0, 0, (byte)'0');
        int signed = 0;
        for (int i = 0; i < 512; i++)
        {
            signed += i is >= 148 and < 156 ? ' ' : (sbyte)header[i];
        }

        Encoding.ASCII.GetBytes(Convert.ToString(signed, 8).PadLeft(6, '0') + "\0 ").CopyTo(header, 148);
        Assert.True(TarHeader.Parse(header, 0).SignedChecksum);
        byte[] archive = [.. header, .. new byte[1024]];
        using var reader = new TarAggregationReader(new MemorySource(archive, 512));
        Assert.NotNull(reader.ReadNext());
        Assert.Null(reader.ReadNext());
        Assert.Contains(reader.Warnings, w => w.Contains("signed", StringComparison.Ordinal));
    }

    [Fact]
    public void A_member_passed_over_with_SkipData_is_not_verified_and_its_damage_does_not_stop_the_read_of_the_next()
    {
        var sink = new MemorySink(1024);
        var writer = new TarAggregationWriter(sink);
        byte[] a = [.. Enumerable.Range(0, 700).Select(i => (byte)i)];
        byte[] b = [.. Enumerable.Range(0, 3000).Select(i => (byte)(i * 7))];
        byte[] c = [.. Enumerable.Range(0, 1500).Select(i => (byte)(i * 3))];
        writer.Add(MemberSource.FromMemory(a, "a"));
        AggregationMember bMember = writer.Add(MemberSource.FromMemory(b, "b"));
        writer.Add(MemberSource.FromMemory(c, "c"));
        writer.Complete();
        byte[] archive = sink.ToArray();
        archive[bMember.PayloadOffset + 1234] ^= 0x40; // b damaged, across a block boundary from its header

        using (var reader = new TarAggregationReader(new MemorySource(archive, 1024)))
        {
            Assert.Equal("a", reader.ReadNext()!.Name);
            Assert.Equal(MemberDigest.Compute(a), reader.CopyDataTo(null));
            Assert.Equal("b", reader.ReadNext()!.Name);
            reader.SkipData();
            Assert.Equal("c", reader.ReadNext()!.Name);
            using var copy = new MemoryStream();
            Assert.Equal(MemberDigest.Compute(c), reader.CopyDataTo(copy));
            Assert.Equal(c, copy.ToArray());
            Assert.Null(reader.ReadNext());
            Assert.Throws<InvalidOperationException>(reader.SkipData);
        }

        // Passed over without SkipData (ReadNext's own pass) or read, the damage is found and named.
        using (var reader = new TarAggregationReader(new MemorySource(archive, 1024)))
        {
            reader.ReadNext();
            reader.ReadNext();
            var damaged = Assert.Throws<TapeFormatException>(() => reader.ReadNext());
            Assert.Contains("\"b\"", damaged.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void SkipData_over_a_truncated_member_names_where_the_archive_ends()
    {
        var sink = new MemorySink(1024);
        var writer = new TarAggregationWriter(sink);
        writer.Add(MemberSource.FromMemory(new byte[5000], "big"));
        writer.Complete();
        byte[] cut = sink.ToArray()[..3072]; // the header and 2 560 of the 5 000 bytes

        using var reader = new TarAggregationReader(new MemorySource(cut, 1024));
        Assert.Equal("big", reader.ReadNext()!.Name);
        var e = Assert.Throws<TapeFormatException>(reader.SkipData);
        Assert.Contains("truncated", e.Message, StringComparison.Ordinal);
        Assert.Contains("3072", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_manifest_must_agree_with_the_archive()
    {
        var sink = new MemorySink(1024);
        var writer = new TarAggregationWriter(sink);
        writer.Add(MemberSource.FromMemory(new byte[10], "a"));
        writer.Complete();
        byte[] archive = sink.ToArray();
        string text = Encoding.UTF8.GetString(archive);
        int at = text.IndexOf("\"size\":10", StringComparison.Ordinal);
        archive[at + 8] = (byte)'1'; // the manifest now says 11 bytes, the header 10 — checksum of the manifest header is unaffected
        var error = Assert.Throws<TapeFormatException>(() =>
        {
            using var reader = new TarAggregationReader(new MemorySource(archive, 1024));
            reader.VerifyAll();
        });
        Assert.Equal("manifest", error.Kind);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void The_manifest_built_member_by_member_is_the_manifest_of_the_member_index(bool withXxHash64)
    {
        var sink = new MemorySink(1024);
        var writer = new TarAggregationWriter(sink, new TarWriterOptions { AggregationId = 0xFEED, WithXxHash64 = withXxHash64 });
        string[] names = ["a", "q\"uote", "sp ace/{}", "dir/é€😀", new string('n', 150)];
        for (int i = 0; i < names.Length; i++)
        {
            writer.Add(MemberSource.FromMemory(new byte[i * 300], names[i]) with { FileId = (ulong)i * 1000 });
        }

        IReadOnlyList<AggregationMember> index = writer.Complete();
        using var reader = new TarAggregationReader(new MemorySource(sink.ToArray(), 1024));
        reader.VerifyAll();
        byte[] expected = new TarManifest(0xFEED, 1024, index).ToUtf8();
        Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(reader.Manifest!.ToUtf8()));
        string archive = Encoding.UTF8.GetString(sink.ToArray());
        Assert.Contains(Encoding.UTF8.GetString(expected), archive, StringComparison.Ordinal);
    }

    [Fact]
    public void Manifest_text_escapes_only_quote_and_backslash()
    {
        var manifest = new TarManifest(0xABC, 512, [new AggregationMember("q\"é", 7, 1, 0, 512, 0, 0, new MemberDigest(1, 2, null))]);
        string json = Encoding.UTF8.GetString(manifest.ToUtf8());
        Assert.Equal("{\"format\":\"tapekit-tar-manifest\",\"version\":1,\"aggregationId\":\"ABC\",\"blockSize\":512,\"members\":[{\"name\":\"q\\\"é\",\"fileId\":\"7\",\"size\":1,\"headerOffset\":0,\"dataOffset\":512,\"adler32\":\"00000001\",\"xxh3\":\"0000000000000002\"}]}\n", json);
        var parsed = TarManifest.Parse(manifest.ToUtf8(), 0);
        Assert.Equal("q\"é", parsed.Members[0].Name);
        Assert.Throws<TapeFormatException>(() => TarManifest.Parse("{\"format\":\"tapekit-tar-manifest\",\"version\":2}"u8, 0));
        Assert.Throws<TapeFormatException>(() => TarManifest.Parse("not json"u8, 0));
    }

    [Fact]
    public void A_member_entry_with_every_number_at_its_widest_and_a_backslash_in_its_name_is_written_whole()
    {
        // The writer formats a member's entry into one reserved span: the widest entry must fit it, byte for byte.
        var widest = new AggregationMember("b\\s\"" + new string('x', 300), ulong.MaxValue, long.MaxValue, long.MaxValue, long.MaxValue, 0, 0,
            new MemberDigest(uint.MaxValue, ulong.MaxValue, ulong.MaxValue));
        string json = Encoding.UTF8.GetString(new TarManifest(0, 512, [widest]).ToUtf8());
        Assert.Equal(
            "{\"format\":\"tapekit-tar-manifest\",\"version\":1,\"aggregationId\":\"0\",\"blockSize\":512,\"members\":[{\"name\":\"b\\\\s\\\"" + new string('x', 300) +
            "\",\"fileId\":\"18446744073709551615\",\"size\":9223372036854775807,\"headerOffset\":9223372036854775807,\"dataOffset\":9223372036854775807," +
            "\"adler32\":\"ffffffff\",\"xxh3\":\"ffffffffffffffff\",\"xxh64\":\"ffffffffffffffff\"}]}\n",
            json);
        Assert.Equal(widest.Name, TarManifest.Parse(Encoding.UTF8.GetBytes(json), 0).Members[0].Name);
    }

    [Fact]
    public void A_manifest_with_invalid_utf8_or_a_lone_surrogate_is_a_format_error_naming_the_byte()
    {
        // Found by fuzzing (tests/TapeKit.Fuzz/regressions/tar/manifest-invalid-utf8-*): the JSON reader accepts any
        // bytes inside a string, and reading the value threw InvalidOperationException instead of TapeFormatException.
        byte[] valid = new TarManifest(0xABC, 512, [new AggregationMember("a", 7, 1, 0, 512, 0, 0, new MemberDigest(1, 2, 3))]).ToUtf8();
        int name = Encoding.ASCII.GetString(valid).IndexOf("\"a\"", StringComparison.Ordinal) + 1;
        int xxh64 = Encoding.ASCII.GetString(valid).IndexOf("\"xxh64\":\"", StringComparison.Ordinal) + 9;
        foreach (int at in new[] { name, xxh64 })
        {
            byte[] bad = (byte[])valid.Clone();
            bad[at] = 0xC3; // a lead byte followed by an ASCII byte: no UTF-8 sequence
            var e = Assert.Throws<TapeFormatException>(() => TarManifest.Parse(bad, 10_000));
            Assert.Equal(("manifest", 10_000L + at), (e.Kind, e.Offset));
            Assert.Contains($"byte {10_000 + at} starts no UTF-8 sequence", e.Message, StringComparison.Ordinal);
        }

        string surrogate = Encoding.ASCII.GetString(valid).Replace("\"name\":\"a\"", "\"name\":\"\\ud800\"", StringComparison.Ordinal);
        var lone = Assert.Throws<TapeFormatException>(() => TarManifest.Parse(Encoding.ASCII.GetBytes(surrogate), 0));
        Assert.Equal("name", lone.Field);
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
