namespace TapeKit.Checksums;

/// <summary>Incremental zlib Adler-32 (initial value 1) as an <see cref="IIncrementalChecksum"/>; see <see cref="Adler32"/>.</summary>
public struct Adler32Checksum : IIncrementalChecksum
{
    private uint _value;
    private bool _started;

    /// <summary>The checksum so far (1 for no bytes).</summary>
    public readonly uint Value => _started ? _value : Adler32.Initial;

    /// <inheritdoc/>
    public readonly ulong Current => Value;

    /// <inheritdoc/>
    public void Append(ReadOnlySpan<byte> data)
    {
        _value = Adler32.Update(Value, data);
        _started = true;
    }

    /// <inheritdoc/>
    public void Reset()
    {
        _value = Adler32.Initial;
        _started = true;
    }
}
