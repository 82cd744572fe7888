namespace TapeKit.Checksums;

/// <summary>The checksums of one member's bytes (F8): Adler-32 always, XXH3-64 always, XXH64 when selected.</summary>
/// <param name="Adler32">zlib Adler-32, initial value 1.</param>
/// <param name="XxHash3">XXH3-64, seed 0.</param>
/// <param name="XxHash64">XXH64, seed 0, or <see langword="null"/> when not selected.</param>
public readonly record struct MemberDigest(uint Adler32, ulong XxHash3, ulong? XxHash64)
{
    /// <summary>The digest of the empty member.</summary>
    public static MemberDigest Empty(bool withXxHash64) =>
        new(Checksums.Adler32.Initial, XxHash3Checksum.Compute(default), withXxHash64 ? XxHash64Checksum.Compute(default) : null);

    /// <summary>The Adler-32 and XXH3-64 of <paramref name="data"/> (no XXH64), each with its one-shot form.</summary>
    /// <param name="data">All of a member's bytes.</param>
    /// <returns>The digest.</returns>
    public static MemberDigest Compute(ReadOnlySpan<byte> data) =>
        new(Checksums.Adler32.Compute(data), XxHash3Checksum.Compute(data), null);

    /// <summary>Whether every checksum present in both digests is equal (XXH64 is compared only when both have it).</summary>
    /// <param name="other">The other digest.</param>
    /// <returns><see langword="true"/> when they agree.</returns>
    public bool Agrees(MemberDigest other) =>
        Adler32 == other.Adler32 && XxHash3 == other.XxHash3 &&
        (XxHash64 is null || other.XxHash64 is null || XxHash64 == other.XxHash64);

    /// <inheritdoc/>
    public override string ToString() =>
        $"adler32 {ChecksumText.Adler32Hex(Adler32)}, xxh3 {ChecksumText.Hash64Hex(XxHash3)}" +
        (XxHash64 is { } x ? $", xxh64 {ChecksumText.Hash64Hex(x)}" : string.Empty);
}
