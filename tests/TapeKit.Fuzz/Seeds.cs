using System.Formats.Tar;
using System.Globalization;
using System.Text;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Fuzz.Targets;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Fuzz;

/// <summary>
/// The seed corpora: valid inputs of every target, made with TapeKit's own writers the way the unit tests make theirs,
/// the write steps of the virtual-tape vectors (tests/vectors/vtape/*.script), and policy files as the docs show them.
/// Deterministic: a fixed clock and fixed host names, so seeding twice writes the same bytes.
/// </summary>
public static class Seeds
{
    private static readonly TimeProvider Clock = new FixedTime(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));

    /// <summary>Writes every target's seeds under <c>ROOT/corpus/TARGET/</c>, replacing what was there.</summary>
    /// <param name="root">The fuzz project directory (tests/TapeKit.Fuzz).</param>
    /// <param name="vectors">The tests/vectors/vtape directory, or <see langword="null"/> to skip its scripts.</param>
    /// <returns>The number of files written per target.</returns>
    public static IReadOnlyDictionary<string, int> Write(string root, string? vectors)
    {
        var written = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach ((string target, IEnumerable<(string Name, byte[] Bytes)> seeds) in new[]
        {
            ("label-strict", Labels()),
            ("label-lenient", Labels()),
            ("il", Il()),
            ("tar", Tar()),
            ("vtape", Cartridges(vectors)),
            ("tape-scan", Tapes(withOptions: true)),
            ("rebuild", Tapes(withOptions: false)),
            ("policy", Policies()),
        })
        {
            string dir = Path.Combine(root, "corpus", target);
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }

            Directory.CreateDirectory(dir);
            int n = 0;
            foreach ((string name, byte[] bytes) in seeds)
            {
                File.WriteAllBytes(Path.Combine(dir, name), bytes);
                n++;
            }

            written[target] = n;
        }

        return written;
    }

    private static IEnumerable<(string, byte[])> Labels()
    {
        var writer = new LabelWriter(new LabelWriterOptions { Clock = Clock, Site = "TEST", HostName = "tpsrv01", DriveVendor = "IBM", DriveProduct = "ULT3580", DriveSerial = "SN0001" });
        FileLabelGroup headers = writer.Headers(0x1234, "A00001", 1, 262144);
        FileLabelGroup trailers = headers.ToTrailers(5);
        yield return ("vol1", Bytes(writer.Volume("A00001").WriteTo));
        yield return ("vol1-lbp", Bytes(writer.Volume("B00002", LbpMethod.Crc32C).WriteTo));
        yield return ("hdr1-prelabel", Bytes(writer.Prelabel("A00001").WriteTo));
        yield return ("hdr1", Bytes(headers.Label1.WriteTo));
        yield return ("hdr2", Bytes(headers.Label2.WriteTo));
        yield return ("uhl1", Bytes(headers.UserLabel.WriteTo));
        yield return ("eof1", Bytes(trailers.Label1.WriteTo));
        yield return ("eof2", Bytes(trailers.Label2.WriteTo));
        yield return ("utl1", Bytes(trailers.UserLabel.WriteTo));
        yield return ("hdr2-compressed", Bytes(writer.Headers(0xABCDEF, "A00001", 7, 1024 * 1024, compressed: true).Label2.WriteTo));
        yield return ("header-group", [.. Bytes(headers.Label1.WriteTo), .. Bytes(headers.Label2.WriteTo), .. Bytes(headers.UserLabel.WriteTo)]);
        yield return ("trailer-group", [.. Bytes(trailers.Label1.WriteTo), .. Bytes(trailers.Label2.WriteTo), .. Bytes(trailers.UserLabel.WriteTo)]);
    }

    private static byte[] Bytes(SpanAction write)
    {
        byte[] label = new byte[80];
        write(label);
        return label;
    }

    private delegate void SpanAction(Span<byte> destination);

    private static MemberSource[] Members() =>
    [
        MemberSource.FromMemory("hello, tape\n"u8.ToArray(), "a.txt") with { FileId = 101 },
        MemberSource.FromMemory(Pattern(3000, 2), "dir/b.bin") with { FileId = 102 },
        MemberSource.FromMemory(Array.Empty<byte>(), "empty") with { FileId = 103 },
    ];

    private static byte[] Pattern(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    private static IEnumerable<(string, byte[])> Il()
    {
        foreach ((string name, int blockSize, MemberSource[] members) in new[]
        {
            ("il-2048-three", 2048, Members()),
            ("il-1536-one", 1536, Members()[..1]),
            ("il-4096-long-name", 4096, [MemberSource.FromMemory("x"u8.ToArray(), new string('n', 200) + "/leaf") with { FileId = 7 }]),
        })
        {
            using var stream = new MemoryStream();
            using (var sink = new StreamBlockSink(stream, blockSize, leaveOpen: true))
            {
                var writer = new IlAggregationWriter(sink, new IlWriterOptions
                {
                    TapeMarkCount = 1, FirstBlockCount = 5, StagerHost = "tpsrv01", DriveHost = "tpsrv01", FileNsHost = "tpsrv01",
                    DriveName = "DRV0", DriveSerial = "SN0001", DriveFirmware = "FW01", VolDensity = "18TB", VolId = "A00001",
                    VolSerial = "A00001", DeviceGroupName = "LTO9", StagerVersion = "1.0.0", Clock = Clock,
                });
                foreach (MemberSource m in members)
                {
                    writer.Add(m);
                }

                writer.Complete();
            }

            yield return (name, stream.ToArray());
        }
    }

    private static IEnumerable<(string, byte[])> Tar()
    {
        foreach ((string name, int blockSize, bool xxh64, MemberSource[] members) in new[]
        {
            ("tar-512-three", 512, false, Members()),
            ("tar-1024-xxh64", 1024, true, Members()[..2]),
            ("tar-512-long-name", 512, false, [MemberSource.FromMemory("x"u8.ToArray(), new string('n', 120) + "/" + new string('m', 120)) with { FileId = 9 }]),
        })
        {
            using var stream = new MemoryStream();
            using (var sink = new StreamBlockSink(stream, blockSize, leaveOpen: true))
            {
                var writer = new TarAggregationWriter(sink, new TarWriterOptions { AggregationId = 77, Clock = Clock, WithXxHash64 = xxh64 });
                foreach (MemberSource m in members)
                {
                    writer.Add(m);
                }

                writer.Complete();
            }

            yield return (name, stream.ToArray());
        }

        // Foreign archives (no TapeKit manifest): pax with extended records, GNU long names, a directory and a link.
        foreach ((string name, TarEntryFormat format) in new[] { ("foreign-pax", TarEntryFormat.Pax), ("foreign-gnu", TarEntryFormat.Gnu), ("foreign-ustar", TarEntryFormat.Ustar) })
        {
            using var stream = new MemoryStream();
            using (var tar = new TarWriter(stream, format, leaveOpen: true))
            {
                var mtime = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
                tar.WriteEntry(Entry(format, TarEntryType.Directory, "dir/", mtime));
                TarEntry file = Entry(format, format == TarEntryFormat.Ustar ? TarEntryType.RegularFile : TarEntryType.RegularFile, "dir/" + new string('p', format == TarEntryFormat.Ustar ? 90 : 150), mtime);
                file.DataStream = new MemoryStream("payload\n"u8.ToArray());
                tar.WriteEntry(file);
                TarEntry link = Entry(format, TarEntryType.SymbolicLink, "dir/link", mtime);
                link.LinkName = "../outside";
                tar.WriteEntry(link);
            }

            yield return (name, stream.ToArray());
        }
    }

    private static TarEntry Entry(TarEntryFormat format, TarEntryType type, string name, DateTimeOffset mtime)
    {
        TarEntry e = format switch
        {
            TarEntryFormat.Pax => new PaxTarEntry(type, name, new Dictionary<string, string> { ["comment"] = "fuzz seed", ["mtime"] = "1772366400.5" }),
            TarEntryFormat.Gnu => new GnuTarEntry(type, name),
            _ => new UstarTarEntry(type, name),
        };
        e.ModificationTime = mtime;
        e.Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;
        return e;
    }

    private static IEnumerable<(string, byte[])> Cartridges(string? vectors)
    {
        using var scratch = new Scratch();
        int n = 0;
        string Next() => Path.Combine(scratch.Path, (n++).ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(scratch.Path);

        // The write steps of each vector script: blocks (capped at 2 KiB so that seeds stay small) and tape marks.
        if (vectors is not null && Directory.Exists(vectors))
        {
            foreach (string script in Directory.GetFiles(vectors, "*.script").Order(StringComparer.Ordinal))
            {
                string dir = Next();
                VirtualCartridge.Create(dir, "A00001", MediaProfile.Lto9, new VirtualCartridgeOptions { Capacity = 300_000, EarlyWarningDistance = 60_000 });
                using (ITapeDrive drive = VirtualTapeDrive.Open(dir))
                {
                    foreach (string line in File.ReadLines(script))
                    {
                        string[] w = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        if (w is ["write", var count, ..])
                        {
                            int length = Math.Min(2048, int.Parse(count, CultureInfo.InvariantCulture));
                            int seed = w.Length > 2 && w[2].StartsWith("seed=", StringComparison.Ordinal) ? int.Parse(w[2][5..], CultureInfo.InvariantCulture) : 0;
                            drive.WriteBlock(Pattern(length, seed));
                        }
                        else if (w is ["ioctl", "MTWEOF" or "MTWEOFI", var marks] && marks != "0")
                        {
                            drive.WriteFilemarks(int.Parse(marks, CultureInfo.InvariantCulture));
                        }
                    }
                }

                yield return ("vector-" + Path.GetFileNameWithoutExtension(script), CartridgeTarget.Capture(dir, 0x0F));
            }
        }

        // A blank cartridge, a write-protected one, a synthetic one (payloads not stored) and one with an uncommitted tail.
        string blank = Next();
        VirtualCartridge.Create(blank, "BLANK1", MediaProfile.Lto9);
        yield return ("blank", CartridgeTarget.Capture(blank, 0x0F));

        string synthetic = Next();
        VirtualCartridge.Create(synthetic, "SYN001", MediaProfile.Lto8, new VirtualCartridgeOptions { SyntheticSeed = 42, FilemarkFootprint = 4096 });
        using (ITapeDrive drive = VirtualTapeDrive.Open(synthetic, driveOptions: VirtualTapeDrive.DefaultOptions))
        {
            drive.WriteBlock(Pattern(4096, 1));
            drive.WriteFilemarks(1);
            drive.WriteBlock(Pattern(100, 2));
            drive.WriteFilemarks(1);
        }

        VirtualCartridge.SetWriteProtect(synthetic, on: true);

        yield return ("synthetic", CartridgeTarget.Capture(synthetic, 0x0F));

        string tail = Next();
        VirtualCartridge.Create(tail, "TAIL01", MediaProfile.Lto9);
        using (ITapeDrive drive = VirtualTapeDrive.Open(tail))
        {
            drive.WriteBlock(Pattern(500, 3));
            drive.WriteFilemarks(1);
            drive.Synchronize();
        }

        byte[] image = CartridgeTarget.Capture(tail, 0x0F);
        yield return ("uncommitted-tail", [.. image, .. Pattern(64, 9)]);
    }

    private static IEnumerable<(string, byte[])> Tapes(bool withOptions)
    {
        using var scratch = new Scratch();
        Directory.CreateDirectory(scratch.Path);
        var labels = new LabelWriter(new LabelWriterOptions { Clock = Clock, Site = "TEST", HostName = "tpsrv01", DriveVendor = "IBM", DriveProduct = "ULT3580", DriveSerial = "SN0001" });

        // An AUL tape as TapeKit writes it: a plain file, a tar ALB and an IL ALB (small blocks to keep the seed small).
        string aul = Path.Combine(scratch.Path, "aul");
        VirtualCartridge.Create(aul, "A00001", MediaProfile.Lto9);
        using (ITapeDrive drive = VirtualTapeDrive.Open(aul))
        {
            AulVolume volume = AulVolume.Prelabel(drive, labels, "A00001");
            using AulAppendSession session = volume.Append(0, labels, TapeMarkPolicy.SynchronousMarks);
            session.WriteFile(0x1001, new MemoryStream(Pattern(1500, 4)), 1024);
            session.WriteAggregation(0x1002, Members(), AggregationFormat.Tar, 1024, Clock);
            session.WriteAggregation(0x1003, Members()[..2], AggregationFormat.Il, 2048, Clock);
        }

        byte[] tape = TapeImage.Capture(aul, 0);
        yield return ("aul-three-files", tape);

        string prelabelled = Path.Combine(scratch.Path, "pre");
        VirtualCartridge.Create(prelabelled, "B00002", MediaProfile.Lto9);
        using (ITapeDrive drive = VirtualTapeDrive.Open(prelabelled))
        {
            AulVolume.Prelabel(drive, labels, "B00002");
        }

        yield return ("aul-prelabelled", TapeImage.Capture(prelabelled, 0));

        string one = Path.Combine(scratch.Path, "one");
        VirtualCartridge.Create(one, "C00003", MediaProfile.Lto9);
        using (ITapeDrive drive = VirtualTapeDrive.Open(one))
        {
            AulVolume volume = AulVolume.Prelabel(drive, labels, "C00003");
            using AulAppendSession session = volume.Append(0, labels, TapeMarkPolicy.SynchronousMarks);
            session.WriteAggregation(0x2001, [MemberSource.FromMemory("one member"u8.ToArray(), "only") with { FileId = 201 }], AggregationFormat.Tar, 512, Clock);
        }

        yield return ("aul-one-tar", TapeImage.Capture(one, 0));

        if (!withOptions)
        {
            yield break;
        }

        yield return ("aul-three-files-lenient", [1, .. tape.AsSpan(1)]);
        yield return ("aul-three-files-append", [4, .. tape.AsSpan(1)]);

        string nl = Path.Combine(scratch.Path, "nl");
        VirtualCartridge.Create(nl, "NL0001", MediaProfile.Lto9);
        using (ITapeDrive drive = VirtualTapeDrive.Open(nl))
        {
            NlTape.AppendFile(drive, 0, new MemoryStream(Pattern(3000, 5)), 1024);
            NlTape.AppendFile(drive, 1, new MemoryStream(Encoding.ASCII.GetBytes("second file")), 512);
        }

        yield return ("nl-two-files", TapeImage.Capture(nl, 2));
    }

    private static IEnumerable<(string, byte[])> Policies()
    {
        yield return ("doc-example", Encoding.UTF8.GetBytes("""
            { "Version": 12, "Rules": [
              { "Name": "lqcd", "Order": 10, "Match": { "library": "CD-10KCF1", "storageGroup": "lqcd" },
                "DiskLibrary": "CD-DiskSF", "Format": "Il", "SmallFileThreshold": 4000000000, "MaxMemberSize": 4000000000,
                "MaxBytes": 4000000000, "MaxFilesPerAggregation": 10000, "MaxWaitingTime": "24:00:00",
                "TapePool": "lqcd", "CopyCount": 2, "Priority": "High", "CollocateBy": [ "dataset" ] },
              { "Name": "default", "DiskLibrary": "CD-DiskSF" } ] }
            """));
        yield return ("minimal", """{ "Version": 1, "Rules": [ { "Name": "all", "DiskLibrary": "dl1" } ] }"""u8.ToArray());
        yield return ("appsettings", Encoding.UTF8.GetBytes("""
            {
              // A host's configuration file with the policies inside.
              "Logging": { "LogLevel": { "Default": "Information" } },
              "TapeKit": { "Hsm": { "Policies": {
                "Version": "3",
                "Rules": [
                  { "Name": "raw", "Order": "5", "Match": { "fileFamily": "raw.*", "wrapper": "cpio|tar" }, "DiskLibrary": "DL-A", "Format": "Tar", "Priority": "Urgent", "MaxWaitingTime": "1.02:03:04", },
                  { "Name": "rest", "DiskLibrary": "DL-B", "CopyCount": 1 },
                ]
              } } }
            }
            """));
        yield return ("invalid-set", """{ "Rules": [ { "Name": "a", "DiskLibrary": "x", "Match": { "storageGroup": "(" } }, { "Name": "a", "DiskLibrary": "" } ] }"""u8.ToArray());
    }
}
