using System.Text;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Devices.Virtual.Format;

namespace TapeKit.Tests.Devices.Virtual.Format;

/// <summary>The virtual-cartridge format v1.0 (spec/tape-devices.md §4).</summary>
public sealed class CartridgeFormatTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public void The_format_checksum_is_crc32c_with_the_castagnoli_check_value()
    {
        // Records, commits and payloads are checked with the core's one CRC32C (TapeKit.Checksums.Crc32C).
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void A_new_cartridge_has_the_documented_bytes()
    {
        string dir = Path.Combine(_root, "A00001.tkvt");
        VirtualCartridge.Create(dir, "A00001", MediaProfile.Lto9);
        byte[] header = File.ReadAllBytes(Path.Combine(dir, "header"));
        Assert.Equal(12288, header.Length);
        Assert.Equal("TKVTAPE\0"u8.ToArray(), header[..8]);
        Assert.Equal("A00001          ", Encoding.ASCII.GetString(header, 32, 16));
        Assert.Equal("LTO-9           ", Encoding.ASCII.GetString(header, 48, 16));
        Assert.Equal(0x60, header[64]);
        Assert.Equal(18_000_000_000_000UL, BitConverter.ToUInt64(header, 72));
        Assert.Equal(18_000_000_000UL, BitConverter.ToUInt64(header, 80));
        Assert.Equal("TKCOMMIT"u8.ToArray(), header[4096..4104]);
        Assert.Equal(1UL, BitConverter.ToUInt64(header, 4104));
        Assert.All(header[8192..], b => Assert.Equal(0, b));
        Assert.Empty(File.ReadAllBytes(Path.Combine(dir, "index")));
        var info = VirtualCartridge.ReadInfo(dir);
        Assert.Equal(("A00001", "1.0", 1UL, 0L), (info.Vsn, info.FormatVersion, info.CommitSequence, info.ObjectCount));
    }

    [Fact]
    public void Recovery_drops_an_uncommitted_tail_and_keeps_the_committed_prefix()
    {
        string dir = Path.Combine(_root, "A00002.tkvt");
        VirtualCartridge.Create(dir, "A00002", MediaProfile.Lto9);
        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            store.AppendBlock("hello"u8);
            store.AppendFilemark();
            store.Sync();
            store.AppendBlock("lost"u8);
            Assert.True(store.HasUncommitted);
        }

        Assert.Equal(32 * 3, new FileInfo(Path.Combine(dir, "index")).Length);
        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            Assert.Equal(2, store.Count);
            Assert.Equal(5, store.DataLength);
            Assert.Equal(1, store.FilemarkCount);
            var buffer = new byte[5];
            Assert.True(store.ReadPayload(0, buffer));
            Assert.Equal("hello"u8.ToArray(), buffer);
        }

        Assert.Equal(64, new FileInfo(Path.Combine(dir, "index")).Length);
        Assert.Equal(5, new FileInfo(Path.Combine(dir, "data")).Length);
        Assert.Empty(VirtualCartridge.Verify(dir));
        Assert.Equal("0 data 5 0 " + Crc32C.Compute("hello"u8).ToString("x8") + "\n1 filemark 0 5 00000000\ncommit sequence=2 objects=2 data=5 tape=5 filemarks=1\n", VirtualCartridge.CanonicalDump(dir));
    }

    [Fact]
    public void Data_streamed_out_of_the_page_cache_reads_back_also_after_an_overwrite_and_a_reopen()
    {
        // More than two of the store's 8 MiB write-back chunks, so that written data is handed to the kernel and dropped
        // from the page cache while more is written; then an overwrite from the middle (a shorter data file) and more.
        string dir = Path.Combine(_root, "A00009.tkvt");
        VirtualCartridge.Create(dir, "A00009", MediaProfile.Lto9);
        const int block = 1 << 20;
        static byte[] Payload(int n) => [.. Enumerable.Range(0, block).Select(i => (byte)((i * 31) ^ n))];
        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            for (int n = 0; n < 30; n++)
            {
                store.AppendBlock(Payload(n));
            }

            store.Sync();
            store.Truncate(12);
            for (int n = 100; n < 125; n++)
            {
                store.AppendBlock(Payload(n));
            }

            store.Sync();
        }

        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            Assert.Equal(37, store.Count);
            var buffer = new byte[block];
            for (int id = 0; id < 37; id++)
            {
                Assert.True(store.ReadPayload(id, buffer));
                Assert.True(buffer.AsSpan().SequenceEqual(Payload(id < 12 ? id : 100 + id - 12)), $"block {id}");
            }
        }

        Assert.Empty(VirtualCartridge.Verify(dir));
    }

    [Fact]
    public void Truncating_committed_objects_commits_the_shorter_prefix_first()
    {
        string dir = Path.Combine(_root, "A00003.tkvt");
        VirtualCartridge.Create(dir, "A00003", MediaProfile.Lto9);
        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            store.AppendBlock("one"u8);
            store.AppendBlock("two"u8);
            store.Sync();
            store.Truncate(1);
            Assert.Equal((3UL, 1L), (store.Commit.Sequence, store.Commit.ObjectCount));
        }

        var info = VirtualCartridge.ReadInfo(dir);
        Assert.Equal((3UL, 1L, 3L), (info.CommitSequence, info.ObjectCount, info.DataLength));
    }

    [Fact]
    public void Damage_is_reported_with_the_object_and_field()
    {
        string dir = Path.Combine(_root, "A00004.tkvt");
        VirtualCartridge.Create(dir, "A00004", MediaProfile.Lto9);
        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            store.AppendBlock("abc"u8);
            store.AppendBlock("def"u8);
            store.Sync();
        }

        byte[] index = File.ReadAllBytes(Path.Combine(dir, "index"));
        index[32 + 8] ^= 1; // object 1's tape offset, without fixing its record CRC
        File.WriteAllBytes(Path.Combine(dir, "index"), index);
        var problems = VirtualCartridge.Verify(dir);
        Assert.Single(problems);
        Assert.Contains("object 1", problems[0], StringComparison.Ordinal);
        Assert.Contains("recordCrc", problems[0], StringComparison.Ordinal);

        File.WriteAllBytes(Path.Combine(dir, "index"), index[..32]);
        Assert.Contains("commit covers 2 objects", Assert.Single(VirtualCartridge.Verify(dir)), StringComparison.Ordinal);

        byte[] header = File.ReadAllBytes(Path.Combine(dir, "header"));
        header[24] = 2; // an unknown incompatible flag
        File.WriteAllBytes(Path.Combine(dir, "header"), header);
        Assert.Equal("headerCrc", Assert.Throws<TapeFormatException>(() => VirtualCartridge.ReadInfo(dir)).Field);
    }

    [Fact]
    public void Synthetic_cartridges_store_lengths_only_and_generate_splitmix_payloads()
    {
        string dir = Path.Combine(_root, "A00005.tkvt");
        VirtualCartridge.Create(dir, "A00005", MediaProfile.Lto9, new VirtualCartridgeOptions { SyntheticSeed = 42 });
        using var store = CartridgeStore.Open(dir, CartridgeDurability.Process);
        store.AppendBlock(new byte[1000]);
        store.Sync();
        Assert.Equal(0, store.DataLength);
        var payload = new byte[1000];
        Assert.True(store.ReadPayload(0, payload));
        ulong state = 42UL;
        Assert.Equal(SplitMix64.Next(ref state), BitConverter.ToUInt64(payload, 0));
        Assert.Equal(SplitMix64.Next(ref state), BitConverter.ToUInt64(payload, 8));
    }

    [Fact]
    public void Silent_corruption_changes_a_committed_block_that_then_reads_back_as_good_and_leaves_everything_else()
    {
        string dir = Path.Combine(_root, "A00007.tkvt");
        VirtualCartridge.Create(dir, "A00007", MediaProfile.Lto9);
        byte[] original = [.. Enumerable.Range(0, 4096).Select(i => (byte)i)];
        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            store.AppendBlock(original);
            store.AppendFilemark();
            store.AppendBlock(original);
            store.Sync();
            store.AppendBlock(original); // not committed: recovery drops it
        }

        Assert.False(VirtualCartridge.CorruptBlock(dir, 1, seed: 1)); // a tape mark
        Assert.False(VirtualCartridge.CorruptBlock(dir, 3, seed: 1)); // past the last commit
        Assert.True(VirtualCartridge.CorruptBlock(dir, 2, seed: 1));
        Assert.Empty(VirtualCartridge.Verify(dir)); // the drive's own CRC agrees: nothing below the formats can tell

        using (var store = CartridgeStore.Open(dir, CartridgeDurability.Process))
        {
            var buffer = new byte[4096];
            Assert.True(store.ReadPayload(0, buffer));
            Assert.Equal(original, buffer);
            Assert.True(store.ReadPayload(2, buffer));
            int changed = buffer.Zip(original).Count(p => p.First != p.Second);
            Assert.InRange(changed, 1, 8);

            // A loaded cartridge is refused: a drive holds it.
            var busy = Assert.Throws<TapeDriveException>(() => VirtualCartridge.CorruptBlock(dir, 0, seed: 1));
            Assert.Equal(TapeErrorKind.Busy, busy.Kind);
        }
    }

    [Fact]
    public void A_locked_cartridge_cannot_be_loaded_twice()
    {
        string dir = Path.Combine(_root, "A00006.tkvt");
        VirtualCartridge.Create(dir, "A00006", MediaProfile.Lto9);
        using var store = CartridgeStore.Open(dir, CartridgeDurability.Process);
        Assert.Throws<CartridgeLockedException>(() => CartridgeStore.Open(dir, CartridgeDurability.Full));
    }

    [Fact]
    public void Bad_vsns_and_profiles_are_refused()
    {
        Assert.Throws<ArgumentException>(() => VirtualCartridge.Create(Path.Combine(_root, "x"), "a0001", MediaProfile.Lto9));
        Assert.Throws<ArgumentException>(() => MediaProfile.Get("LTO-11"));
        Assert.Same(MediaProfile.Lto9, MediaProfile.Get("lto9"));
        Assert.Same(MediaProfile.Ts1170, MediaProfile.Get("ts-1170"));
    }
}
