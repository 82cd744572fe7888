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
    }

    /// <summary>Continues every checksum over the member's next bytes.</summary>
    /// <param name="data">The bytes.</param>
    public void Append(ReadOnlySpan<byte> data)
    {
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
    public MemberDigest GetDigest() => new(_adler, _xxh3.Value, WithXxHash64 ? _xxh64.Value : null);
}
