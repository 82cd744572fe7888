using TapeKit.Checksums;

namespace TapeKit.Aggregation;

/// <summary>
/// One file to put into an aggregation: its name and where its bytes come from — a path, a stream
/// or memory — with what the caller already knows about it (size, Adler-32, file id, metadata).
/// </summary>
/// <remarks>
/// IL needs the size and the Adler-32 before a member's first block (F5.7). A path, a seekable
/// stream or memory lets TapeKit compute the Adler-32 in a first pass; for a stream that cannot
/// seek the caller must supply both. tar needs the size before the header: seekable streams and
/// files give it, otherwise the caller supplies it. While writing, both writers check that the
/// source still has exactly the announced bytes.
/// </remarks>
public sealed record MemberSource
{
    private readonly string? _path;
    private readonly Stream? _stream;
    private readonly ReadOnlyMemory<byte> _memory;
    private readonly bool _isMemory;

    private MemberSource(string name, string? path, Stream? stream, ReadOnlyMemory<byte> memory, bool isMemory, long? size)
    {
        MemberName.Validate(name, nameof(name));
        Name = name;
        _path = path;
        _stream = stream;
        _memory = memory;
        _isMemory = isMemory;
        Size = size;
    }

    private MemberSource(MemberSource original, ReadOnlyMemory<byte> data)
    {
        // The name was validated when the original was made.
        Name = original.Name;
        _memory = data;
        _isMemory = true;
        Size = data.Length;
        FileId = original.FileId;
        KnownAdler32 = original.KnownAdler32;
        Mode = original.Mode;
        Uid = original.Uid;
        Gid = original.Gid;
        ModificationTime = original.ModificationTime;
    }

    private MemberSource(MemberSource original, ReadOnlyMemory<byte> data, IO.FileNodeStatus? status, MemberDigest? digest)
        : this(original, data)
    {
        ComputedDigest = digest;
        if (original.TakesFileMetadata && status is not null)
        {
            Mode = (int)status.Mode & 0xFFF;
            ModificationTime = status.ModifiedAt;
        }
    }

    /// <summary>A member read from a file.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="name">The member name (F12).</param>
    /// <param name="size">
    /// The file's size if the caller already has it (e.g. from a directory listing), which spares
    /// a <c>stat</c> when the file is opened. The writers still check that the file has exactly
    /// this many bytes while they read it.
    /// </param>
    /// <returns>The source.</returns>
    public static MemberSource FromFile(string path, string name, long? size = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (size is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A member size cannot be negative.");
        }

        return new MemberSource(name, path, null, default, false, size);
    }

    /// <summary>A member read from a stream (from its current position to its end, or <paramref name="size"/> bytes).</summary>
    /// <param name="stream">The stream; it is not disposed.</param>
    /// <param name="name">The member name (F12).</param>
    /// <param name="size">The size, required for a stream that cannot seek.</param>
    /// <returns>The source.</returns>
    public static MemberSource FromStream(Stream stream, string name, long? size = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (size is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, "A member size cannot be negative.");
        }

        return new MemberSource(name, null, stream, default, false, size ?? (stream.CanSeek ? stream.Length - stream.Position : null));
    }

    /// <summary>A member whose bytes are in memory.</summary>
    /// <param name="data">The bytes; they must not change while the member is written.</param>
    /// <param name="name">The member name (F12).</param>
    /// <returns>The source.</returns>
    public static MemberSource FromMemory(ReadOnlyMemory<byte> data, string name) =>
        new(name, null, null, data, true, data.Length);

    /// <summary>The member name.</summary>
    public string Name { get; }

    /// <summary>The size if known before reading (files are measured when opened).</summary>
    public long? Size { get; }

    /// <summary>The caller's 64-bit file id (IL <c>fileNsId</c>, manifest <c>fileId</c>); 0 for none.</summary>
    public ulong FileId { get; init; }

    /// <summary>The Adler-32 if the caller knows it (e.g. from a catalogue); spares IL its first pass.</summary>
    public uint? KnownAdler32 { get; init; }

    /// <summary>tar permission bits (F6.1); default 0644.</summary>
    public int Mode { get; init; } = DefaultMode;

    /// <summary>The mode of a member that gives none: 0644, rw-r--r-- (a constant, not parsed per member).</summary>
    internal const int DefaultMode = 0b_110_100_100;

    /// <summary>tar owner user id; default 0.</summary>
    public int Uid { get; init; }

    /// <summary>tar owner group id; default 0.</summary>
    public int Gid { get; init; }

    /// <summary>tar modification time; default the aggregation's creation time (F6.1).</summary>
    public DateTimeOffset? ModificationTime { get; init; }

    /// <summary>
    /// For a <see cref="FromFile"/> member: the tar permission bits and modification time are the file's own, taken from
    /// the file when it is opened for its bytes (in place of <see cref="Mode"/> and <see cref="ModificationTime"/>). A
    /// directory listing then needs no <c>stat</c> per file (leave <see cref="Size"/> unknown too), and the header
    /// describes the very file whose bytes follow it.
    /// </summary>
    public bool TakesFileMetadata { get; init; }

    internal bool IsMemory => _isMemory;

    /// <summary>The file a <see cref="FromFile"/> member reads, else <see langword="null"/>.</summary>
    internal string? FilePath => _path;

    internal ReadOnlyMemory<byte> Memory => _memory;

    /// <summary>Whether the bytes can be read twice (for IL's first pass).</summary>
    internal bool CanReread => _isMemory || _path is not null || _stream is { CanSeek: true };

    /// <summary>
    /// The same member with its bytes already in memory (read ahead): name, id, checksum and metadata kept, or the
    /// metadata of <paramref name="status"/> (the file's, as it was read) when it <see cref="TakesFileMetadata"/>.
    /// </summary>
    /// <param name="data">The member's bytes.</param>
    /// <param name="status">The file's status as it was read, if its reader measured it.</param>
    /// <param name="digest">The digest of <paramref name="data"/>, if the reader computed it (see <see cref="ComputedDigest"/>).</param>
    internal MemberSource WithBytes(ReadOnlyMemory<byte> data, IO.FileNodeStatus? status = null, MemberDigest? digest = null) =>
        new(this, data, status, digest);

    /// <summary>
    /// The digest of <see cref="Memory"/>, computed by the read-ahead's reader while the bytes were in its processor's
    /// cache, so that the writer's thread — the one that keeps the drive streaming — only frames and copies them. Set
    /// only inside TapeKit, only on members in memory, and only for bytes that no one can change until the writer has
    /// taken them (the read-ahead's own buffers, or the caller's memory it was given).
    /// </summary>
    internal MemberDigest? ComputedDigest { get; private init; }

    /// <summary>The same member in memory with the digest of its bytes (see <see cref="ComputedDigest"/>).</summary>
    internal MemberSource WithComputedDigest(MemberDigest digest) => this with { ComputedDigest = digest };

    /// <summary>Throws when the file this member reads, as opened (<paramref name="status"/>), is no longer a regular file.</summary>
    /// <exception cref="IOException">It is a directory, a FIFO, a device or a socket now.</exception>
    internal void RequireRegularFile(IO.FileNodeStatus status)
    {
        if (status.Type != IO.FileNodeType.Regular)
        {
            throw new IOException($"Member \"{Name}\" is no longer a regular file ({_path} is {IO.FileNodes.Describe(status.Type)}); nothing of it was written.");
        }
    }

    /// <summary>
    /// Opens a file member's handle, as <see cref="Open"/> does: on Linux without following a symbolic link or blocking
    /// on a FIFO, like the read-ahead (a file swapped for either since it was listed fails, it is not read through).
    /// </summary>
    internal static Microsoft.Win32.SafeHandles.SafeFileHandle OpenFile(string path) =>
        OperatingSystem.IsLinux()
            ? new Microsoft.Win32.SafeHandles.SafeFileHandle(IO.FileNodes.OpenReadOnly(path), ownsHandle: true)
            : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.None);

    /// <summary>
    /// Opens the bytes for reading; <paramref name="size"/> is the size now, and <paramref name="mode"/> and
    /// <paramref name="modificationTime"/> the tar metadata (the opened file's when it <see cref="TakesFileMetadata"/>).
    /// </summary>
    internal Stream Open(out long? size, out int mode, out DateTimeOffset? modificationTime)
    {
        mode = Mode;
        modificationTime = ModificationTime;
        if (_path is not null)
        {
            var handle = OpenFile(_path);
            try
            {
                if (TakesFileMetadata)
                {
                    IO.FileNodeStatus status = IO.FileNodes.StatusOf(handle, _path);
                    RequireRegularFile(status);

                    (size, mode, modificationTime) = (Size ?? status.Size, (int)status.Mode & 0xFFF, status.ModifiedAt);
                }
                else
                {
                    size = Size ?? RandomAccess.GetLength(handle);
                }

                return new HandleStream(handle);
            }
            catch
            {
                handle.Dispose();
                throw;
            }
        }

        if (_stream is null)
        {
            throw new InvalidOperationException("A memory member has no stream.");
        }

        size = Size;
        return new NonClosingStream(_stream);
    }

    /// <summary>Computes the Adler-32 and size in a first pass (IL, F5.7), leaving a seekable stream where it was.</summary>
    internal (long Size, uint Adler32) Measure(Span<byte> buffer)
    {
        if (_isMemory)
        {
            return (_memory.Length, Adler32.Compute(_memory.Span));
        }

        if (!CanReread)
        {
            throw new ArgumentException($"Member \"{Name}\" comes from a stream that cannot seek: IL needs its size and Adler-32 before its first block, so supply Size and KnownAdler32.");
        }

        long start = _stream?.Position ?? 0;
        using var stream = Open(out _, out _, out _);
        uint adler = Adler32.Initial;
        long total = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            adler = Adler32.Update(adler, buffer[..n]);
            total += n;
        }

        if (_stream is not null)
        {
            _stream.Position = start;
        }

        return (total, adler);
    }

    /// <summary>A forward-only stream over a file handle: one <c>pread</c> per read, nothing else.</summary>
    private sealed class HandleStream(Microsoft.Win32.SafeHandles.SafeFileHandle handle) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = RandomAccess.Read(handle, buffer, _position);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                handle.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>A view of a caller's stream that does not close it.</summary>
    private sealed class NonClosingStream(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
