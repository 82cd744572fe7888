using K4os.Hash.xxHash;

namespace TapeKit.Checksums;

/// <summary>
/// XXH64 with seed 0 (K4os.Hash.xxHash's <see cref="XXH64"/>, identical to System.IO.Hashing's
/// <c>XxHash64</c>), selectable besides XXH3-64 (F8). A struct around the library's value state.
/// </summary>
public struct XxHash64Checksum : IIncrementalChecksum
{
    private XXH64.State _state;
    private bool _started;

    /// <summary>The 64-bit hash so far.</summary>
    public readonly ulong Value => _started ? XXH64.Digest(_state) : EmptyValue;

    /// <inheritdoc/>
    public readonly ulong Current => Value;

    /// <inheritdoc/>
    public void Append(ReadOnlySpan<byte> data)
    {
        if (!_started)
        {
            Reset();
        }

        XXH64.Update(ref _state, data);
    }

    /// <inheritdoc/>
    public void Reset()
    {
        XXH64.Reset(ref _state);
        _started = true;
    }

    /// <summary>Computes the XXH64 of <paramref name="data"/> in one call.</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The hash.</returns>
    public static ulong Compute(ReadOnlySpan<byte> data) => XXH64.DigestOf(data);

    private const ulong EmptyValue = 0xef46db3751d8e999UL;
}
