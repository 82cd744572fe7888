using System.Buffers.Binary;

namespace TapeGateway;

/// <summary>
/// The demo's file contents: a deterministic byte stream per (seed, file id), generated on the fly, so that tens of
/// gigabytes can go to tape without a disk pool to hold them and every recalled byte can be checked against a fresh copy.
/// </summary>
public static class VirtualPayload
{
    /// <summary>Fills <paramref name="destination"/> with the bytes of file <paramref name="fileId"/> from <paramref name="offset"/> on.</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="offset">The byte offset in the file (any).</param>
    /// <param name="destination">Where the bytes go.</param>
    public static void Fill(int seed, long fileId, long offset, Span<byte> destination)
    {
        ulong key = Mix(((ulong)(uint)seed << 32) ^ (ulong)fileId);
        Span<byte> word = stackalloc byte[8];
        long counter = offset / 8;
        int skip = (int)(offset % 8);
        int done = 0;
        if (skip != 0)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Mix(key + (ulong)counter++));
            int n = Math.Min(8 - skip, destination.Length);
            word.Slice(skip, n).CopyTo(destination);
            done = n;
        }

        Span<byte> rest = destination[done..];
        int whole = rest.Length / 8;
        for (int i = 0; i < whole; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(rest[(i * 8)..], Mix(key + (ulong)counter++));
        }

        Span<byte> tail = rest[(whole * 8)..];
        if (!tail.IsEmpty)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(word, Mix(key + (ulong)counter));
            word[..tail.Length].CopyTo(tail);
        }
    }

    /// <summary>A read-only, seekable stream of a file's bytes (IL measures a member in a first pass, then rewinds).</summary>
    /// <param name="seed">The run's seed.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="size">Its size.</param>
    public static Stream Open(int seed, long fileId, long size) => new PayloadStream(seed, fileId, size);

    // SplitMix64's finaliser: fast, and every output bit depends on every input bit.
    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
        return z ^ (z >> 31);
    }

    private sealed class PayloadStream(int seed, long fileId, long size) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => size;

        public override long Position
        {
            get => _position;
            set => _position = Math.Clamp(value, 0, size);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = (int)Math.Min(buffer.Length, size - _position);
            if (n <= 0)
            {
                return 0;
            }

            Fill(seed, fileId, _position, buffer[..n]);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => Position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => size + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>
/// A write-only sink that compares every byte written to it with the file's virtual payload: the recall's destination,
/// so that "verified" means every byte read from tape was the byte archived, not only a checksum match.
/// </summary>
/// <param name="seed">The run's seed.</param>
/// <param name="fileId">The file expected.</param>
public sealed class VerifyingStream(int seed, long fileId) : Stream
{
    private readonly byte[] _expected = new byte[1 << 16];
    private long _position;

    /// <summary>Bytes written so far.</summary>
    public long BytesSeen => _position;

    /// <summary>Whether every byte so far equals the original.</summary>
    public bool Intact { get; private set; } = true;

    /// <inheritdoc/>
    public override bool CanRead => false;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => true;

    /// <inheritdoc/>
    public override long Length => _position;

    /// <inheritdoc/>
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        while (!buffer.IsEmpty)
        {
            int n = Math.Min(buffer.Length, _expected.Length);
            VirtualPayload.Fill(seed, fileId, _position, _expected.AsSpan(0, n));
            if (Intact && !buffer[..n].SequenceEqual(_expected.AsSpan(0, n)))
            {
                Intact = false;
            }

            _position += n;
            buffer = buffer[n..];
        }
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();
}
