namespace TapeKit.Aggregation;

/// <summary>An <see cref="IBlockSink"/> that appends the blocks to a stream (a file, or memory in tests and benchmarks).</summary>
public sealed class StreamBlockSink : IBlockSink, IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private long _writebackFrom = -1;

    /// <summary>Creates a sink over <paramref name="stream"/>.</summary>
    /// <param name="stream">A writable stream.</param>
    /// <param name="blockSize">The block size S, a positive multiple of 512.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves the stream open.</param>
    public StreamBlockSink(Stream stream, int blockSize, bool leaveOpen = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        BlockSizes.Validate(blockSize, nameof(blockSize));
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        _stream = stream;
        BlockSize = blockSize;
        _leaveOpen = leaveOpen;
    }

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <summary>The number of blocks written so far.</summary>
    public long BlocksWritten { get; private set; }

    /// <summary>
    /// When the stream is a file: every this many bytes, start writing what was just written to disk without waiting
    /// (Linux <c>sync_file_range</c>), so that a final <see cref="Flush"/> to disk waits only for the tail. 0 (the default): never.
    /// </summary>
    public long WritebackInterval { get; init; }

    /// <inheritdoc/>
    public void WriteBlock(ReadOnlySpan<byte> block)
    {
        if (block.Length != BlockSize)
        {
            throw new ArgumentException($"A tape block must have exactly {BlockSize} bytes, not {block.Length}.", nameof(block));
        }

        if (WritebackInterval > 0 && _stream is FileStream file && _writebackFrom < 0)
        {
            _writebackFrom = file.Position;
        }

        _stream.Write(block);
        BlocksWritten++;
        if (_writebackFrom >= 0 && _stream is FileStream written && written.Position - _writebackFrom >= WritebackInterval)
        {
            // Stream.Write of an unbuffered FileStream has reached the kernel: those pages are dirty now.
            _ = TapeKit.IO.FileWriteback.Start(written.SafeFileHandle, _writebackFrom, written.Position - _writebackFrom);
            _writebackFrom = written.Position;
        }
    }

    /// <summary>Flushes the stream (to the disk for a <see cref="FileStream"/>).</summary>
    /// <param name="toDisk">For a <see cref="FileStream"/>, whether to flush through the operating system's cache too.</param>
    public void Flush(bool toDisk = false)
    {
        if (toDisk && _stream is FileStream file)
        {
            file.Flush(flushToDisk: true);
        }
        else
        {
            _stream.Flush();
        }
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
