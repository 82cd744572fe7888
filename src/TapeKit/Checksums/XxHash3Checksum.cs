using System.IO.Hashing;

namespace TapeKit.Checksums;

/// <summary>
/// XXH3-64 with seed 0 and the default secret (<see cref="XxHash3"/> of System.IO.Hashing), the
/// default strong checksum (F8). A sealed class: the library hasher keeps a 500-byte state, which
/// is allocated once per instance and reused across <see cref="Reset"/>.
/// </summary>
public sealed class XxHash3Checksum : IIncrementalChecksum
{
    private readonly XxHash3 _hash = new();

    /// <summary>The 64-bit hash so far; its text form is 16 lowercase hex digits (F8).</summary>
    public ulong Value => _hash.GetCurrentHashAsUInt64();

    /// <inheritdoc/>
    public ulong Current => Value;

    /// <inheritdoc/>
    public void Append(ReadOnlySpan<byte> data) => _hash.Append(data);

    /// <inheritdoc/>
    public void Reset() => _hash.Reset();

    /// <summary>Computes the XXH3-64 of <paramref name="data"/> in one call.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The hash.</returns>
    public static ulong Compute(ReadOnlySpan<byte> data) => XxHash3.HashToUInt64(data);
}
