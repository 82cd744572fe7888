namespace TapeKit.Aggregation.Tar;

/// <summary>Reads a tar byte stream out of fixed tape blocks, one block in memory at a time.</summary>
internal sealed class TarRecordCursor
{
    private readonly IBlockSource _source;
    private readonly byte[] _block;
    private long _loaded = -1;
    private int _loadedLength;

    public TarRecordCursor(IBlockSource source)
    {
        _source = source;
        _block = new byte[source.BlockSize];
    }

    public int BlockSize => _block.Length;

    /// <summary>
    /// The bytes from <paramref name="position"/> to the end of their tape block; empty past the
    /// end of the aggregation. A short block is damage (F6.8.1) and throws.
    /// </summary>
    public ReadOnlySpan<byte> Available(long position)
    {
        long index = position / _block.Length;
        if (index != _loaded)
        {
            _loadedLength = _source.ReadBlock(index, _block);
            _loaded = index;
            if (_loadedLength != 0 && _loadedLength != _block.Length)
            {
                throw new TapeFormatException(
                    $"Tape block {index} (byte {index * _block.Length}) of the tar archive has {_loadedLength} bytes instead of {_block.Length}: the archive is truncated or damaged there.",
                    "tar archive", null, index * _block.Length, _loadedLength, string.Empty);
            }
        }

        int offset = (int)(position % _block.Length);
        return _loadedLength == 0 ? default : _block.AsSpan(offset, _loadedLength - offset);
    }

    /// <summary>The 512-byte record at <paramref name="position"/>, or empty past the end.</summary>
    public ReadOnlySpan<byte> Record(long position)
    {
        var span = Available(position);
        return span.IsEmpty ? default : span[..TarHeader.Size];
    }
}
