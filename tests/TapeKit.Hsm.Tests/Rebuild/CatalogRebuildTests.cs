using Microsoft.Extensions.Time.Testing;
using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Rebuild;
using TapeKit.Hsm.Tests.Support;
using TapeKit.Labels;
using TapeKit.Layout;
using TapeFormat = TapeKit.Aggregation.AggregationFormat;

namespace TapeKit.Hsm.Tests.Rebuild;

/// <summary>The catalogue rebuild from tapes over the in-memory catalogue: nothing in it needs SQLite.</summary>
public sealed class CatalogRebuildTests : IDisposable
{
    private const string Vsn = "T00001";
    private readonly TempDirectory _dir = new();
    private readonly InMemoryCatalog _catalog = new(new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero)));
    private readonly byte[] _a = Bytes(5000, 1), _b = Bytes(300_000, 2), _c = Bytes(70_000, 3);

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Rebuild_into_the_in_memory_catalogue_writes_tape_aggregations_members_and_files()
    {
        // A tar ALB (aggregation 7) of files 101 and 102, then an IL ALB (aggregation 8) of file 103.
        string cartridge = WriteTape(
            (7, TapeFormat.Tar, [Member(_a, "a", 101), Member(_b, "b", 102)]),
            (8, TapeFormat.Il, [Member(_c, "c", 103)]));

        RebuildReport report = await CatalogRebuild.RunAsync(_catalog, [Scan(cartridge)], new RebuildOptions("pool-1", "DL-X"));

        Assert.Equal((1, 2, 3, 3, 0), (report.Tapes, report.TapeFiles, report.Members, report.Files, report.RetiredAggregations));
        Assert.Empty(report.Conflicts);
        Assert.Empty(report.Skipped);
        await using ICatalogTransaction txn = await _catalog.BeginAsync();
        TapeRecord tape = Assert.Single(await txn.QueryTapesAsync());
        Assert.Equal((Vsn, "pool-1", TapeState.Filling, 2, (long)(_a.Length + _b.Length + _c.Length)), (tape.Vsn, tape.Pool, tape.State, tape.LastFseq, tape.BytesUsed));

        AggregationRecord tar = (await txn.GetAggregationAsync(7))!;
        AggregationRecord il = (await txn.GetAggregationAsync(8))!;
        Assert.Equal((AggregationPayloadFormat.Tar, AggregationState.OnTape, 2, Vsn, 1), (tar.Format, tar.State, tar.MemberCount, tar.TapeFile?.Vsn, tar.TapeFile?.Fseq));
        Assert.Equal((AggregationPayloadFormat.Il, AggregationState.OnTape, 1, Vsn, 2), (il.Format, il.State, il.MemberCount, il.TapeFile?.Vsn, il.TapeFile?.Fseq));
        Assert.Equal([101L, 102L], (await txn.GetAggregationMembersAsync(7)).Select(m => m.FileId));
        Assert.Equal([103L], (await txn.GetAggregationMembersAsync(8)).Select(m => m.FileId));

        FileRecord b = (await txn.GetFileAsync(102))!;
        Assert.Equal(("b", (long)_b.Length, CacheStatus.Purged, ArchiveStatus.Archived, CatalogRebuild.RuleName, "DL-X", "pool-1"),
            (b.NamespacePath, b.Size, b.CacheStatus, b.ArchiveStatus, b.Decision.RuleName, b.Decision.DiskLibrary, b.Decision.TapePool));
        Assert.Equal(TapeKit.Checksums.ChecksumText.Adler32Hex(TapeKit.Checksums.Adler32.Compute(_b)), b.Checksums.Single(c => c.Type == "adler32").Value);
    }

    [Fact]
    public async Task Rebuild_refuses_a_catalogue_that_has_rows_and_writes_nothing()
    {
        string cartridge = WriteTape((7, TapeFormat.Tar, [Member(_a, "a", 101)]));
        ScannedTape scanned = Scan(cartridge);
        await using (ICatalogTransaction txn = await _catalog.BeginAsync())
        {
            await txn.InsertTapeAsync(new TapeRecord { Vsn = "U00001", Pool = "other" });
            await txn.CommitAsync();
        }

        Assert.False(await CatalogRebuild.IsEmptyAsync(_catalog));
        await Assert.ThrowsAsync<UnsafeOperationException>(() => CatalogRebuild.RunAsync(_catalog, [scanned], new RebuildOptions("pool-1", "DL-X")));
        await using ICatalogTransaction check = await _catalog.BeginAsync();
        Assert.Equal(["U00001"], (await check.QueryTapesAsync()).Select(t => t.Vsn));
        Assert.Null(await check.GetFileAsync(101));
    }

    [Fact]
    public void A_volume_scanned_twice_is_an_argument_error()
    {
        ScannedTape scanned = Scan(WriteTape((7, TapeFormat.Tar, [Member(_a, "a", 101)])));
        Assert.Throws<ArgumentException>(() => RebuildPlan.Of([scanned, scanned], new RebuildOptions("pool-1", "DL-X")));
    }

    private static MemberSource Member(byte[] data, string name, ulong fileId) => MemberSource.FromMemory(data, name) with { FileId = fileId };

    private string WriteTape(params (ulong Id, TapeFormat Format, MemberSource[] Members)[] files)
    {
        string cartridge = _dir.File(Vsn);
        VirtualCartridge.Create(cartridge, Vsn, MediaProfile.Lto9);
        var labels = new LabelWriter(new LabelWriterOptions { Site = "TEST" });
        using ITapeDrive drive = VirtualTapeDrive.Open(cartridge);
        AulVolume volume = AulVolume.Prelabel(drive, labels, Vsn);
        using AulAppendSession session = volume.Append(0, labels, TapeMarkPolicy.SynchronousMarks);
        foreach ((ulong id, TapeFormat format, MemberSource[] members) in files)
        {
            _ = session.WriteAggregation(id, members, format);
        }

        return cartridge;
    }

    private static ScannedTape Scan(string cartridge)
    {
        using ITapeDrive drive = VirtualTapeDrive.Open(cartridge);
        return TapeScanner.Scan(AulVolume.Mount(drive, Vsn, LabelReadMode.Strict), "LTO-9", MediaProfile.Lto9.Capacity);
    }

    private static byte[] Bytes(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }
}
