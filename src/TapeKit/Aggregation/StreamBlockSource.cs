namespace TapeKit.Aggregation;

/// <summary>An <see cref="IBlockSource"/> over a seekable stream or a file, reading each block at its offset.</summary>
public sealed class StreamBlockSource : IBlockSource, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly long _origin;

    /// <summary>Creates a source over <paramref name="stream"/>, whose current position is block 0.</summary>
    /// <param name="stream">A readable, seekable stream.</param>
    /// <param name="blockSize">The block size S, a positive multiple of 512.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves the stream open.</param>
    public StreamBlockSource(Stream stream, int blockSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BlockSizes.Validate(blockSize, nameof(blockSize));
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }

        _stream = stream;
        _origin = stream.Position;
        BlockSize = blockSize;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Opens a file as a block source.</summary>
    /// <param name="path">The file.</param>
    /// <param name="blockSize">The block size S.</param>
    /// <returns>The source; dispose it to close the file.</returns>
    public static StreamBlockSource OpenFile(string path, int blockSize) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.RandomAccess), blockSize);

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <summary>The number of bytes from block 0 to the end of the stream.</summary>
    public long Length => _stream.Length - _origin;

    /// <inheritdoc/>
    public long? BlockCount => (Length + BlockSize - 1) / BlockSize;

    /// <inheritdoc/>
    public int ReadBlock(long index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (destination.Length < BlockSize)
        {
            throw new ArgumentException($"The buffer must hold {BlockSize} bytes.", nameof(destination));
        }

        long offset = _origin + (index * BlockSize);
        if (offset >= _stream.Length)
        {
            return 0;
        }

        _stream.Position = offset;
        return _stream.ReadAtLeast(destination[..BlockSize], BlockSize, throwOnEndOfStream: false);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }
}
