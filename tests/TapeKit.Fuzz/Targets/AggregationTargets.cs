using TapeKit.Aggregation;
using TapeKit.Aggregation.Tar;

namespace TapeKit.Fuzz.Targets;

/// <summary>
/// The IL and tar aggregation readers (src/TapeKit/Aggregation) over an aggregation file's bytes, as
/// <c>tapekit agg list|verify|extract</c>, a recall's whole read and a member read by index use them: <see cref="AggregationReader.Open"/>
/// (format and block size recognised from the bytes), list (headers only), verify (every checksum), members passed over
/// (<see cref="AggregationReader.SkipData"/>) between members read, the member-name
/// check of extraction, and <see cref="AggregationReader.ReadMember(IBlockSource, AggregationFormat, AggregationMember, Stream?)"/>
/// for each member found. Documented: <see cref="TapeFormatException"/> for damaged data, and
/// <see cref="UnsafeOperationException"/> from <see cref="SafeExtractor.CheckSafe"/> for a member that must not be extracted.
/// </summary>
internal static class AggregationTargets
{
    private const int MaxMembers = 64;
    private static readonly Type[] Documented = [typeof(TapeFormatException)];

    public static void Run(byte[] input, AggregationFormat expectedFormat)
    {
        Stages(input, expectedFormat);

        // IL blocks carry an Adler-32 of their header: almost every mutation of a header field fails that check first.
        // The same input with each block header's checksum recomputed reaches the fields behind it.
        if (expectedFormat == AggregationFormat.Il && WithHeaderChecksums(input) is { } repaired)
        {
            Stages(repaired, expectedFormat);
        }
    }

    /// <summary>
    /// A copy of an IL aggregation with the <c>headerChecksum</c> (bytes 20–29, F5.5) of each block's header recomputed,
    /// the block size taken from the first header; <see langword="null"/> when that changes nothing or is not possible.
    /// </summary>
    public static byte[]? WithHeaderChecksums(byte[] input)
    {
        const int Header = 1024;
        if (input.Length < Header || !long.TryParse(input.AsSpan(50, 10), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long blockSize)
            || blockSize <= Header || blockSize % 512 != 0 || blockSize > 1 << 24)
        {
            return null;
        }

        byte[] copy = (byte[])input.Clone();
        for (long at = 0; at + Header <= copy.Length; at += blockSize)
        {
            Span<byte> header = copy.AsSpan((int)at, Header);
            header.Slice(20, 10).Fill((byte)' ');
            uint checksum = Checksums.Adler32.Compute(header);
            System.Text.Encoding.ASCII.GetBytes(checksum.ToString("D10", System.Globalization.CultureInfo.InvariantCulture), header.Slice(20, 10));
        }

        return copy.AsSpan().SequenceEqual(input) ? null : copy;
    }

    private static void Stages(byte[] input, AggregationFormat expectedFormat)
    {
        var listed = new List<AggregationMember>();
        var verified = new List<AggregationMember>();
        AggregationFormat format = expectedFormat;
        int blockSize = expectedFormat == AggregationFormat.Tar ? 512 : 0;

        // List: headers only, as `agg list` does.
        FuzzTarget.Expect(
            () =>
            {
                using AggregationReader reader = AggregationReader.Open(new MemoryStream(input, writable: false));
                format = reader.Format;
                blockSize = reader.BlockSize;
                while (reader.ReadNext() is { } entry)
                {
                    _ = (entry.Name, entry.Size, entry.Type, entry.HeaderOffset, entry.DataOffset, entry.FileId, entry.LinkName, entry.Mode, entry.ModificationTime);
                    FuzzTarget.Expect(() => SafeExtractor.CheckSafe(entry, "/nonexistent/tapekit-fuzz-root"), typeof(UnsafeOperationException));
                    _ = SafeExtractor.FileModeOf(entry);
                    if (entry.Type == AggregationEntryType.File && listed.Count < MaxMembers)
                    {
                        listed.Add(entry.ToMember(default));
                    }
                }

                foreach (string w in reader.Warnings)
                {
                    _ = w.Length;
                }
            },
            Documented);

        // Verify: every checksum, as `agg verify` does.
        FuzzTarget.Expect(
            () =>
            {
                using AggregationReader reader = AggregationReader.Open(new MemoryStream(input, writable: false));
                foreach (AggregationMember m in reader.VerifyAll())
                {
                    if (verified.Count < MaxMembers)
                    {
                        verified.Add(m);
                    }
                }
            },
            Documented);

        // A recall's whole read: members passed over unverified (SkipData) between members read and verified, so that a
        // skip leaves the reader where the next entry starts whatever the damage in the member it passed.
        FuzzTarget.Expect(
            () =>
            {
                using AggregationReader reader = AggregationReader.Open(new MemoryStream(input, writable: false));
                int n = 0;
                while (reader.ReadNext() is { } entry)
                {
                    if (n++ % 2 == 0)
                    {
                        reader.SkipData();
                    }
                    else
                    {
                        _ = reader.CopyDataTo(Stream.Null);
                    }

                    _ = entry.Size;
                }
            },
            Documented);

        // The tar reader as a tape scan builds it: 512-byte records, the manifest found from the end.
        if (expectedFormat == AggregationFormat.Tar && input.Length > 0)
        {
            FuzzTarget.Expect(
                () =>
                {
                    var source = new StreamBlockSource(new MemoryStream(input, writable: false), 512);
                    using var reader = new TarAggregationReader(source, TarManifestLocator.TryFind(source, out _), ownsSource: true);
                    _ = reader.VerifyAll();
                },
                Documented);
        }

        // Member read by index entry: the verified index, then the listed one (whose digests are unknown, so a
        // mismatch is expected) — locating by block and offset, as a recall does.
        if (blockSize is > 0 && blockSize % 512 == 0)
        {
            foreach (AggregationMember m in verified.Concat(listed).Take(MaxMembers))
            {
                FuzzTarget.Expect(
                    () =>
                    {
                        using var source = new StreamBlockSource(new MemoryStream(input, writable: false), blockSize);
                        _ = AggregationReader.ReadMember(source, format, m, Stream.Null);
                    },
                    Documented);
            }
        }
    }
}
