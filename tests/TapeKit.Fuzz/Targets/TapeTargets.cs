using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Hsm;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Rebuild;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Fuzz.Targets;

/// <summary>
/// Whole tapes built from a <see cref="TapeImage"/>: the scan <c>tapekit tape dump</c> and <c>tape verify</c> run, the
/// reads <c>tape read</c> runs (a file, a member by its index entry), the NL scan, an append after the last file, and the
/// HSM's catalogue rebuild from tapes. The cartridge's barcode is the image's VOL1 VSN where it has one, so the mount
/// check passes as it does for <c>tape dump</c> without <c>--vsn</c>.
/// </summary>
internal static class TapeTargets
{
    private const int MaxFiles = 16;
    private const int MaxMembers = 32;

    /// <summary>The device and format family of the layout API: what AulVolume and NlTape document.</summary>
    private static readonly Type[] Documented = [typeof(TapeFormatException), typeof(UnsafeOperationException), typeof(TapeDriveException)];

    /// <summary>The image's options byte: bit 0 Lenient label checks, bit 1 also scan as NL, bit 2 also append a file.</summary>
    public static void Scan(byte[] input)
    {
        (byte options, List<byte[]?> objects) = TapeImage.Parse(input);
        string vsn = TapeImage.VsnOf(objects);
        using var scratch = new Scratch();
        TapeImage.Build(scratch.Path, vsn, objects);
        LabelReadMode mode = (options & 1) != 0 ? LabelReadMode.Lenient : LabelReadMode.Strict;
        using ITapeDrive drive = Devices.Virtual.VirtualTapeDrive.Open(scratch.Path);

        AulVolume? volume = null;
        FuzzTarget.Expect(() => volume = AulVolume.Mount(drive, vsn, mode), Documented);
        if (volume is not null)
        {
            IReadOnlyList<TapeFileInfo> files = [];
            FuzzTarget.Expect(() => files = volume.Scan(withMembers: true), Documented);
            FuzzTarget.Expect(() => _ = volume.Scan(withMembers: false), Documented);
            FuzzTarget.Expect(() => _ = volume.CountFiles(), Documented);
            foreach (TapeFileInfo file in files.Take(MaxFiles))
            {
                _ = (file.CtaBlockId, file.FirstDataObjectId, file.Headers, file.Trailers);
                FuzzTarget.Expect(() => _ = volume.ReadFile(file.FileSequence, file.FileId, Stream.Null, file.CtaBlockId), Documented);
                FuzzTarget.Expect(() => _ = volume.ReadFile(file.FileSequence, file.FileId, null), Documented);
                if (file.Payload is PayloadKind.Il or PayloadKind.Tar)
                {
                    AggregationFormat format = file.Payload == PayloadKind.Il ? AggregationFormat.Il : AggregationFormat.Tar;
                    foreach (AggregationMember member in file.Members.Take(MaxMembers))
                    {
                        _ = file.MemberObjectId(member);
                        FuzzTarget.Expect(() => _ = volume.ReadMember(file, format, member, Stream.Null), Documented);
                    }
                }
            }

            if ((options & 4) != 0)
            {
                FuzzTarget.Expect(
                    () =>
                    {
                        var writer = new LabelWriter(new LabelWriterOptions { Clock = new FixedTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), Site = "FUZZ" });
                        using AulAppendSession session = volume.Append(volume.CountFiles(), writer, TapeMarkPolicy.SynchronousMarks);
                        _ = session.WriteFile(0x4655_5A5A, new MemoryStream("appended"u8.ToArray()), 1024);
                    },
                    Documented);
            }
        }

        if ((options & 2) != 0)
        {
            FuzzTarget.Expect(
                () =>
                {
                    IReadOnlyList<TapeFileInfo> nl = NlTape.Scan(drive, 1 << 20);
                    foreach (TapeFileInfo f in nl.Take(MaxFiles))
                    {
                        FuzzTarget.Expect(() => _ = NlTape.ReadFile(drive, f.FileSequence, Stream.Null, 1 << 20), Documented);
                    }
                },
                Documented);
        }
    }

    /// <summary>
    /// The catalogue rebuild from one hostile tape (spec/hsm.md §5.5): <see cref="TapeScanner.Scan"/> over a strict
    /// mount, then <see cref="CatalogRebuild.RunAsync"/> into an empty in-memory catalogue, and a read of what it wrote.
    /// Documented: the layout family above while scanning; <see cref="HsmException"/> (the store) and
    /// <see cref="UnsafeOperationException"/> from the rebuild. One tape is never "given twice", so an
    /// <see cref="ArgumentException"/> is a finding.
    /// </summary>
    public static void Rebuild(byte[] input)
    {
        (_, List<byte[]?> objects) = TapeImage.Parse(input);
        string vsn = TapeImage.VsnOf(objects);
        using var scratch = new Scratch();
        TapeImage.Build(scratch.Path, vsn, objects);
        ScannedTape? scanned = null;
        FuzzTarget.Expect(
            () =>
            {
                using ITapeDrive drive = Devices.Virtual.VirtualTapeDrive.Open(scratch.Path);
                scanned = TapeScanner.Scan(AulVolume.Mount(drive, vsn, LabelReadMode.Strict), "LTO-9", 18_000_000_000_000);
            },
            Documented);
        if (scanned is null)
        {
            return;
        }

        using var catalog = new InMemoryCatalog(new FixedTime(new DateTimeOffset(2026, 6, 1, 8, 0, 0, TimeSpan.Zero)));
        FuzzTarget.Expect(
            () =>
            {
                RebuildReport report = CatalogRebuild.RunAsync(catalog, [scanned], new RebuildOptions("fuzz-pool", "DL-FUZZ")).GetAwaiter().GetResult();
                _ = (report.Tapes, report.TapeFiles, report.Members, report.Files, report.RetiredAggregations, report.Conflicts.Count, report.Skipped.Count);
                ICatalogTransaction txn = catalog.BeginAsync().AsTask().GetAwaiter().GetResult();
                try
                {
                    _ = txn.QueryTapesAsync().AsTask().GetAwaiter().GetResult();
                    _ = txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true, Limit = 100 }).AsTask().GetAwaiter().GetResult();
                }
                finally
                {
                    txn.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }
            },
            typeof(HsmException), typeof(UnsafeOperationException));
    }
}

/// <summary>A clock that always says the same instant, so that the same input always does the same thing.</summary>
internal sealed class FixedTime(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
