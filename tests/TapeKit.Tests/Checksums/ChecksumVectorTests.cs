using System.Text;
using TapeKit.Checksums;

namespace TapeKit.Tests.Checksums;

/// <summary>The vectors of spec/formats.md §6.3, exactly.</summary>
public sealed class ChecksumVectorTests
{
    public static TheoryData<string, string, string, string, string, string> Vectors() => new()
    {
        // input id, adler32, adler32 seed 0, xxh3, xxh64, crc32c
        { "empty", "00000001", "00000000", "2d06800538d394c2", "ef46db3751d8e999", "00000000" },
        { "a", "00620062", "00610061", "e6c632b61e964e1f", "d24ec4f1a98c6e5b", "c1d04330" },
        { "abc", "024d0127", "024a0126", "78af5f94892f3950", "44bc2cf5ad770999", "364b3fb7" },
        { "123456789", "091e01de", "091501dd", "72dcb18b67a17dff", "8cb841db40e6ae83", "e3069283" },
        { "0123456789", "0aff020e", "0af5020d", "6de3431b05f7c11f", "3f5fc178a81867e7", "280c069e" },
        { "Wikipedia", "11e60398", "11dd0397", "b1e0db7455cf3f79", "8c1d59a179b5665c", "2d0e3663" },
        { "Hello World!", "1c49043e", "1c3d043d", "673e3c493921a2d5", "a52b286a3e7f4d91", "fe6cf1dc" },
        { "zeros262144", "003c0001", "00000000", "2d64c035e85fb928", "d79c0e35a60f2740", "f032bcf3" },
        { "ramp262144", "8f901de3", "8f541de2", "f34cc5c9153c3287", "c1034584416aa22c", "1ca1b1d2" },
    };

    internal static byte[] Input(string id) => id switch
    {
        "empty" => [],
        "zeros262144" => new byte[262144],
        "ramp262144" => Enumerable.Range(0, 262144).Select(i => (byte)i).ToArray(),
        _ => Encoding.ASCII.GetBytes(id),
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Every_algorithm_gives_the_spec_value(string id, string adler, string adlerSeed0, string xxh3, string xxh64, string crc)
    {
        byte[] data = Input(id);
        Assert.Equal(adler, ChecksumText.Adler32Hex(Adler32.Compute(data)));
        Assert.Equal(adlerSeed0, ChecksumText.Adler32Hex(Adler32.Update(0, data)));
        Assert.Equal(xxh3, ChecksumText.Hash64Hex(XxHash3Checksum.Compute(data)));
        Assert.Equal(xxh64, ChecksumText.Hash64Hex(XxHash64Checksum.Compute(data)));
        Assert.Equal(crc, Crc32C.Compute(data).ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Incremental_checksums_in_odd_pieces_give_the_spec_value(string id, string adler, string adlerSeed0, string xxh3, string xxh64, string crc)
    {
        _ = adlerSeed0;
        byte[] data = Input(id);
        var a = default(Adler32Checksum);
        var c = default(Crc32CChecksum);
        var x64 = default(XxHash64Checksum);
        var x3 = new XxHash3Checksum();
        var hasher = new MemberHasher(withXxHash64: true);
        for (int start = 0, piece = 1; start < data.Length; start += piece, piece = piece * 3 % 1009 + 1)
        {
            var span = data.AsSpan(start, Math.Min(piece, data.Length - start));
            a.Append(span);
            c.Append(span);
            x64.Append(span);
            x3.Append(span);
            hasher.Append(span);
        }

        Assert.Equal(adler, ChecksumText.Adler32Hex(a.Value));
        Assert.Equal(crc, c.Value.ToString("x8", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(xxh64, ChecksumText.Hash64Hex(x64.Value));
        Assert.Equal(xxh3, ChecksumText.Hash64Hex(x3.Value));
        var digest = hasher.GetDigest();
        Assert.Equal(adler, ChecksumText.Adler32Hex(digest.Adler32));
        Assert.Equal(xxh3, ChecksumText.Hash64Hex(digest.XxHash3));
        Assert.Equal(xxh64, ChecksumText.Hash64Hex(digest.XxHash64!.Value));
        Assert.Equal(data.Length, hasher.Length);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(240)]
    [InlineData(241)]
    [InlineData(4096)]
    [InlineData(100_003)]
    public void A_digest_computed_ahead_is_the_one_shot_digest_and_is_taken_only_with_the_checksums_selected(int length)
    {
        byte[] data = new byte[length];
        new Random(length).NextBytes(data);
        MemberDigest computed = MemberDigest.Compute(data);
        Assert.Equal(Adler32.Compute(data), computed.Adler32);
        Assert.Equal(System.IO.Hashing.XxHash3.HashToUInt64(data), computed.XxHash3);
        Assert.Null(computed.XxHash64);

        // Taken as it is (a marker value shows it was not recomputed)...
        var hasher = new MemberHasher();
        hasher.AppendWhole(data, computed with { Adler32 = 7 });
        Assert.Equal(computed with { Adler32 = 7 }, hasher.GetDigest());
        Assert.Equal(length, hasher.Length);

        // ...but a hasher that also computes XXH64 hashes the bytes: the digest computed ahead lacks it.
        var withXxHash64 = new MemberHasher(withXxHash64: true);
        withXxHash64.AppendWhole(data, computed with { Adler32 = 7 });
        Assert.Equal(computed with { XxHash64 = XxHash64Checksum.Compute(data) }, withXxHash64.GetDigest());
    }

    [Fact]
    public void Adler32_text_forms_follow_F8()
    {
        uint v = Adler32.Compute("0123456789"u8);
        Assert.Equal(184484366u, v);
        Assert.Equal("0184484366", ChecksumText.Adler32Decimal(v));
        Assert.Equal("0aff020e", ChecksumText.Adler32Hex(v));
        Assert.Equal("aff020e", ChecksumText.Adler32Castor(v));
        Assert.True(ChecksumText.TryParseAdler32Hex("0AFF020E", out uint parsed));
        Assert.Equal(v, parsed);
        Assert.False(ChecksumText.TryParseAdler32Hex("0aff020", out _));
        Assert.False(ChecksumText.TryParseAdler32Hex("+aff020e", out _));
        Assert.True(ChecksumText.TryParseHash64Hex("2d06800538d394c2", out ulong h));
        Assert.Equal(0x2d06800538d394c2UL, h);
        Assert.False(ChecksumText.TryParseHash64Hex("2d06800538d394c", out _));
    }

    [Fact]
    public void Il_payload_of_an_empty_member_has_the_spec_adler32()
    {
        Assert.Equal(4230807553u, Adler32.Compute(new byte[261120]));
        Assert.Equal(4230807553u, Adler32.AppendZeros(Adler32.Initial, 261120));
    }

    [Fact]
    public void AppendZeros_equals_appending_zero_bytes()
    {
        var random = new Random(7);
        for (int i = 0; i < 200; i++)
        {
            byte[] prefix = new byte[random.Next(0, 3000)];
            random.NextBytes(prefix);
            int zeros = random.Next(0, 300_000);
            uint start = Adler32.Compute(prefix);
            Assert.Equal(Adler32.Update(start, new byte[zeros]), Adler32.AppendZeros(start, zeros));
        }
    }

    [Fact]
    public void Crc32C_of_the_CTA_prime_block()
    {
        byte[] primes = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67, 71, 73, 79, 83, 89, 97, 101, 103, 107, 109, 113, 127, 131, 137, 139, 149, 151, 157];
        Assert.Equal(0xE8174F48u, Crc32C.Compute(primes));
    }

    [Fact]
    public void Crc32C_of_spans_of_three_lanes_and_more_is_the_definition_s_bit_by_bit_value_for_every_start_register()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        byte[] data = new byte[(10 * Crc32C.Lane) + 64];
        random.NextBytes(data);
        int[] lengths =
        [
            (3 * Crc32C.Lane) - 1, 3 * Crc32C.Lane, (3 * Crc32C.Lane) + 1, (3 * Crc32C.Lane) + 7, (6 * Crc32C.Lane) - 8,
            6 * Crc32C.Lane, (9 * Crc32C.Lane) + 13, random.Next(3 * Crc32C.Lane, 10 * Crc32C.Lane),
        ];
        foreach (int length in lengths)
        {
            foreach (int start in new[] { 0, 1, 5, 64 })
            {
                var span = data.AsSpan(start, length);
                foreach (uint register in new[] { 0xFFFFFFFFu, 0u, (uint)random.Next() })
                {
                    Assert.True(BitByBit(register, span) == Crc32C.UpdateRaw(register, span),
                        $"CRC32C differs from the definition: length {length}, start {start}, register {register:x8} (seed {seed})");
                }
            }
        }
    }

    [Fact]
    public void Crc32C_in_pieces_that_cross_the_lanes_equals_crc32c_in_one_call()
    {
        int seed = Random.Shared.Next();
        var random = new Random(seed);
        byte[] data = new byte[256 << 10];
        random.NextBytes(data);
        uint whole = Crc32C.Compute(data);
        for (int round = 0; round < 20; round++)
        {
            uint register = 0xFFFFFFFFu;
            for (int at = 0; at < data.Length;)
            {
                int piece = Math.Min(data.Length - at, random.Next(1, 5 * Crc32C.Lane));
                register = Crc32C.UpdateRaw(register, data.AsSpan(at, piece));
                at += piece;
            }

            Assert.True(whole == ~register, $"round {round} (seed {seed})");
        }

        Assert.Equal(Crc32C.UpdateSerial(0xFFFFFFFFu, data), ~whole);
    }

    /// <summary>CRC32C as defined: reflected, one bit at a time, polynomial 0x82F63B78 (no final XOR: a raw register).</summary>
    private static uint BitByBit(uint register, ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            register ^= b;
            for (int k = 0; k < 8; k++)
            {
                register = (register & 1) != 0 ? (register >> 1) ^ 0x82F63B78u : register >> 1;
            }
        }

        return register;
    }

    [Fact]
    public void Every_path_of_Adler32_agrees_with_the_scalar_loop_on_all_small_lengths_and_alignments()
    {
        byte[] data = new byte[20000];
        new Random(11).NextBytes(data);
        for (int length = 0; length < 700; length++)
        {
            for (int start = 0; start < 3; start++)
            {
                var span = data.AsSpan(start, length);
                uint s1 = 1, s2 = 0;
                Adler32.UpdateScalar(ref s1, ref s2, span);
                Assert.Equal((s2 << 16) | s1, Adler32.Compute(span));
            }
        }

        // Worst case for the 32-bit lanes: all 0xFF, every run at its maximum, from a large start.
        byte[] ff = Enumerable.Repeat((byte)0xFF, 100_000).ToArray();
        uint a = 65520u << 16 | 65520u;
        uint t1 = a & 0xFFFF, t2 = a >> 16;
        Adler32.UpdateScalar(ref t1, ref t2, ff);
        Assert.Equal((t2 << 16) | t1, Adler32.Update(a, ff));
    }
}
