using TapeKit.Aggregation;
using TapeKit.Aggregation.Tar;

namespace TapeKit.Fuzz.Targets;

/// <summary>
/// The IL and tar aggregation readers (src/TapeKit/Aggregation) over an aggregation file's bytes, as
/// <c>tapekit agg list|verify|extract</c> and a member read by index use them: <see cref="AggregationReader.Open"/>
/// (format and block size recognised from the bytes), list (headers only), verify (every checksum), the member-name
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
