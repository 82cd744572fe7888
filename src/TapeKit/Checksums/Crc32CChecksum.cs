namespace TapeKit.Checksums;

/// <summary>Incremental CRC32C as an <see cref="IIncrementalChecksum"/>; see <see cref="Crc32C"/>.</summary>
public struct Crc32CChecksum : IIncrementalChecksum
{
    private uint _inverted; // the register XOR 0xFFFFFFFF, so that default(Crc32CChecksum) is the empty input

    /// <summary>The CRC so far (0 for no bytes).</summary>
    public readonly uint Value => _inverted;

    /// <inheritdoc/>
    public readonly ulong Current => Value;

    /// <inheritdoc/>
    public void Append(ReadOnlySpan<byte> data) => _inverted = ~Crc32C.UpdateRaw(~_inverted, data);

    /// <inheritdoc/>
    public void Reset() => _inverted = 0;
}
