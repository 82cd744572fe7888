using TapeKit.Aggregation;
using TapeKit.Devices;

namespace TapeKit.Cli;

// The counting decorators: they see every block or read go by and report its size, without
// touching the library's hot paths. Without progress they are not installed at all.
public sealed partial class CliProgress
{
    /// <summary>Counts the bytes read from <paramref name="stream"/> (a seekable stream stays seekable).</summary>
    /// <param name="stream">The stream; disposing the result disposes it.</param>
    /// <returns>The counting stream, or <paramref name="stream"/> itself without progress.</returns>
    public Stream Counting(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return _terminal is null ? stream : new CountingStream(stream, this);
    }

    /// <summary>Counts the blocks written to <paramref name="sink"/>.</summary>
    /// <param name="sink">The sink.</param>
    /// <returns>The counting sink, or <paramref name="sink"/> itself without progress.</returns>
    public IBlockSink Counting(IBlockSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        return _terminal is null ? sink : new CountingSink(sink, this);
    }

    /// <summary>Counts the data blocks read from and written to <paramref name="drive"/> (labels included).</summary>
    /// <param name="drive">The drive; disposing the result disposes it.</param>
    /// <returns>The counting drive, or <paramref name="drive"/> itself without progress.</returns>
    public ITapeDrive Counting(ITapeDrive drive)
    {
        ArgumentNullException.ThrowIfNull(drive);
        return _terminal is null ? drive : new CountingDrive(drive, this);
    }

    private sealed class CountingSink(IBlockSink inner, CliProgress owner) : IBlockSink
    {
        public int BlockSize => inner.BlockSize;

        public void WriteBlock(ReadOnlySpan<byte> block)
        {
            inner.WriteBlock(block);
            owner.Observe(block.Length);
        }
    }

    private sealed class CountingStream(Stream inner, CliProgress owner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            owner.Observe(n);
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    private sealed class CountingDrive(ITapeDrive inner, CliProgress owner) : ITapeDrive
    {
        public string DeviceName => inner.DeviceName;

        public TapeDriveCapabilities Capabilities => inner.Capabilities;

        public TapeWriteStatus WriteBlock(ReadOnlySpan<byte> block)
        {
            TapeWriteStatus status = inner.WriteBlock(block);
            owner.Observe(block.Length);
            return status;
        }

        public TapeReadResult ReadBlock(Span<byte> buffer)
        {
            TapeReadResult result = inner.ReadBlock(buffer);
            if (result.Kind == TapeReadKind.Data)
            {
                owner.Observe(result.Length);
            }

            return result;
        }

        public TapeWriteStatus WriteFilemarks(int count, bool immediate = false) => inner.WriteFilemarks(count, immediate);

        public void Synchronize() => inner.Synchronize();

        public void SpaceFilemarks(int count) => inner.SpaceFilemarks(count);

        public void SpaceBlocks(int count) => inner.SpaceBlocks(count);

        public void MoveToStartOfFile(int filesBack = 1) => inner.MoveToStartOfFile(filesBack);

        public void MoveToEndOfFile(int filesForward = 1) => inner.MoveToEndOfFile(filesForward);

        public void SeekEndOfData() => inner.SeekEndOfData();

        public void Rewind() => inner.Rewind();

        public void Locate(long logicalObjectId) => inner.Locate(logicalObjectId);

        public long ReadPosition() => inner.ReadPosition();

        public void Load() => inner.Load();

        public void Unload() => inner.Unload();

        public TapeStatus GetStatus() => inner.GetStatus();

        public void SetBlockSize(int bytes) => inner.SetBlockSize(bytes);

        public void Erase(bool longErase = false) => inner.Erase(longErase);

        public void SetCompression(bool enabled) => inner.SetCompression(enabled);

        public void Dispose() => inner.Dispose();
    }
}
