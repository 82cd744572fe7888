using System.Collections.Immutable;
using TapeKit.Checksums;

namespace TapeKit.Hsm.Model;

/// <summary>
/// The checksums the HSM keeps per file and how they map to what TapeKit's aggregation writers and readers compute:
/// <c>adler32</c> and <c>xxh3</c> in the text forms of docs/formats/rules.md#fmt-f8, F8.
/// </summary>
public static class HsmChecksums
{
    /// <summary>The Adler-32 checksum's name.</summary>
    public const string Adler32 = "adler32";

    /// <summary>The XXH3-64 checksum's name.</summary>
    public const string XxHash3 = "xxh3";

    /// <summary>The checksums of a member digest.</summary>
    /// <param name="digest">The digest.</param>
    public static ImmutableArray<Checksum> From(MemberDigest digest) =>
        [new Checksum(Adler32, ChecksumText.Adler32Hex(digest.Adler32)), new Checksum(XxHash3, ChecksumText.Hash64Hex(digest.XxHash3))];

    /// <summary>
    /// The digest a file's recorded checksums describe; <see langword="false"/> when <c>adler32</c> or <c>xxh3</c>
    /// is missing or malformed.
    /// </summary>
    /// <param name="checksums">The recorded checksums.</param>
    /// <param name="digest">The digest.</param>
    public static bool TryGetDigest(IEnumerable<Checksum> checksums, out MemberDigest digest)
    {
        ArgumentNullException.ThrowIfNull(checksums);
        uint? adler = null;
        ulong? xxh3 = null;
        foreach (Checksum c in checksums)
        {
            if (c.Type == Adler32 && ChecksumText.TryParseAdler32Hex(c.Value, out uint a))
            {
                adler = a;
            }
            else if (c.Type == XxHash3 && ChecksumText.TryParseHash64Hex(c.Value, out ulong x))
            {
                xxh3 = x;
            }
        }

        digest = adler is uint ad && xxh3 is ulong xx ? new MemberDigest(ad, xx, null) : default;
        return adler is not null && xxh3 is not null;
    }

    /// <summary>Whether a digest computed from data agrees with the file's recorded checksums.</summary>
    /// <param name="checksums">The recorded checksums.</param>
    /// <param name="digest">The computed digest.</param>
    public static bool Agree(IEnumerable<Checksum> checksums, MemberDigest digest) =>
        TryGetDigest(checksums, out MemberDigest recorded) && recorded.Agrees(digest);
}
