namespace TapeKit.Checksums;

/// <summary>
/// Computes a member's <see cref="MemberDigest"/> in one pass (F8.1). Reusable: one instance per
/// writer or reader, <see cref="Reset"/> per member; appending allocates nothing.
/// </summary>
public sealed class MemberHasher
{
    private readonly XxHash3Checksum _xxh3 = new();
    private XxHash64Checksum _xxh64;
    private uint _adler = Adler32.Initial;
    private long _length;
    private bool _whole;
    private ulong _wholeXxh3;
    private ulong _wholeXxh64;

    /// <summary>Creates a hasher.</summary>
    /// <param name="withXxHash64">Whether to compute XXH64 as well.</param>
    public MemberHasher(bool withXxHash64 = false)
    {
        WithXxHash64 = withXxHash64;
        _xxh64.Reset();
    }

    /// <summary>Whether XXH64 is computed.</summary>
    public bool WithXxHash64 { get; }

    /// <summary>The number of bytes appended since the last reset.</summary>
    public long Length => _length;

    /// <summary>The Adler-32 so far.</summary>
    public uint Adler32Value => _adler;

    /// <summary>Starts a new member.</summary>
    public void Reset()
    {
        _adler = Adler32.Initial;
        _xxh3.Reset();
        _xxh64.Reset();
        _length = 0;
        _whole = false;
    }

    /// <summary>
    /// Hashes a whole member given in one span, with the one-shot forms of the algorithms (faster
    /// for small members than the incremental state). Only right after <see cref="Reset"/>; no
    /// <see cref="Append"/> may follow until the next reset.
    /// </summary>
    /// <param name="data">All of the member's bytes.</param>
    public void AppendWhole(ReadOnlySpan<byte> data) => AppendWhole(data, null);

    /// <summary>
    /// As <see cref="AppendWhole(ReadOnlySpan{byte})"/>, taking <paramref name="computed"/> instead of hashing again when
    /// it has the checksums this hasher computes (it must be the digest of exactly <paramref name="data"/>: the
    /// read-ahead's, computed by another thread as it read the bytes).
    /// </summary>
    internal void AppendWhole(ReadOnlySpan<byte> data, MemberDigest? computed)
    {
        if (_length != 0 || _whole)
        {
            throw new InvalidOperationException("AppendWhole needs a freshly reset hasher.");
        }

        MemberDigest digest = computed is { } given && (given.XxHash64 is not null) == WithXxHash64
            ? given
            : MemberDigest.Compute(data) with { XxHash64 = WithXxHash64 ? XxHash64Checksum.Compute(data) : null };
        _adler = digest.Adler32;
        _wholeXxh3 = digest.XxHash3;
        _wholeXxh64 = digest.XxHash64 ?? 0;
        _length = data.Length;
        _whole = true;
    }

    /// <summary>Continues every checksum over the member's next bytes.</summary>
    /// <param name="data">The bytes.</param>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (_whole)
        {
            throw new InvalidOperationException("The member was hashed whole; reset before appending.");
        }

        _adler = Adler32.Update(_adler, data);
        _xxh3.Append(data);
        if (WithXxHash64)
        {
            _xxh64.Append(data);
        }

        _length += data.Length;
    }

    /// <summary>The digest of the bytes appended since the last reset.</summary>
    /// <returns>The digest.</returns>
    public MemberDigest GetDigest() => _whole
        ? new(_adler, _wholeXxh3, WithXxHash64 ? _wholeXxh64 : null)
        : new(_adler, _xxh3.Value, WithXxHash64 ? _xxh64.Value : null);
}
