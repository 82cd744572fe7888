using System.Diagnostics.CodeAnalysis;
using System.Text;
using TapeKit.Checksums;

namespace TapeKit.Aggregation.Tar;

/// <summary>
/// Writes a TapeKit tar aggregation (F6): GNU entries byte for byte as <c>System.Formats.Tar</c>'s
/// <c>GnuTarEntry</c> writes them, a <c>TAPEKIT-MANIFEST.json</c> last member, two zero records,
/// and zero padding to a whole tape block.
/// </summary>
/// <remarks>
/// TapeKit owns the header encoder and the block layer so that it knows every offset exactly and
/// copies each byte once: member data is read straight into the tape block buffer and hashed there.
/// A sink that lends its block memory (<see cref="IBlockBufferSink"/>) receives each full block
/// without a copy.
/// A GNU name field holds the name's first bytes up to 100 without splitting a UTF-8 character —
/// TarWriter's cut, and TapeKit's reading of F6.1's "first 100 bytes" (the full name is in the
/// preceding <c>L</c> record).
/// </remarks>
[SuppressMessage("Reliability", "CA2213", Justification = "Not needed: the manifest's pooled buffer goes back to the pool when Complete has written it; a writer given up half-way leaves it to the collector, which the pool allows.")]
[SuppressMessage("Design", "CA1001", Justification = "As CA2213: the one disposable field is returned by Complete.")]
public sealed class TarAggregationWriter : IAggregationWriter
{
    private readonly WriterBlock _out;
    private readonly TarWriterOptions _options;
    private readonly int _blockSize;
    private Memory<byte> _block;
    private readonly MemberHasher _hasher;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<AggregationMember> _members = [];
    private readonly long _creationTime;
    private readonly byte[] _name = new byte[MemberName.MaxBytes + 1];
    private readonly PooledBufferWriter _manifest = new(64 << 10); // built member by member, written by Complete
    private int _used;
    private long _position;
    private bool _faulted;
    private bool _completed;

    /// <summary>Creates a writer whose blocks go to <paramref name="sink"/>; S is the sink's block size.</summary>
    /// <param name="sink">Where the blocks go.</param>
    /// <param name="options">Settings; defaults when <see langword="null"/>.</param>
    public TarAggregationWriter(IBlockSink sink, TarWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        BlockSizes.Validate(sink.BlockSize, nameof(sink));
        _options = options ?? new TarWriterOptions();
        _blockSize = sink.BlockSize;
        _out = new WriterBlock(sink);
        _block = _out.Memory;
        _hasher = new MemberHasher(_options.WithXxHash64);
        _creationTime = _options.Clock.GetUtcNow().ToUnixTimeSeconds();
        TarManifest.WriteStart(_manifest, _options.AggregationId, _blockSize);
    }

    /// <inheritdoc/>
    public AggregationFormat Format => AggregationFormat.Tar;

    /// <inheritdoc/>
    public IReadOnlyList<AggregationMember> Members => _members;

    /// <inheritdoc/>
    public long BlocksWritten { get; private set; }

    /// <summary>The archive bytes produced so far (flushed or still in the block buffer).</summary>
    public long Position => _position;

    /// <inheritdoc/>
    public AggregationMember Add(MemberSource member)
    {
        ArgumentNullException.ThrowIfNull(member);
        EnsureWritable();
        MemberName.Claim(_names, member.Name, nameof(member));

        Stream? stream = null;
        try
        {
            long size;
            int mode = member.Mode;
            DateTimeOffset? modified = member.ModificationTime;
            if (member.IsMemory)
            {
                size = member.Memory.Length;
            }
            else
            {
                stream = member.Open(out long? opened, out mode, out modified);
                size = opened ?? throw new ArgumentException($"Member \"{member.Name}\" comes from a stream that cannot seek: tar needs its size before its header, so supply it.", nameof(member));
            }

            long mtime = modified?.ToUnixTimeSeconds() ?? _creationTime;
            long headerOffset = _position;
            int nameLength = WriteHeaders(member.Name, mode, member.Uid, member.Gid, size, mtime);
            long dataOffset = _position;
            _hasher.Reset();
            if (stream is null)
            {
                _hasher.AppendWhole(member.Memory.Span, member.ComputedDigest);
                WriteData(member.Memory.Span);
            }
            else
            {
                WriteData(stream, size, member.Name);
            }

            PadRecord();
            var entry = new AggregationMember(member.Name, member.FileId, size, headerOffset, dataOffset,
                headerOffset / _blockSize, (int)(headerOffset % _blockSize), _hasher.GetDigest());
            TarManifest.WriteMember(_manifest, entry, _name.AsSpan(0, nameLength), first: _members.Count == 0);
            _members.Add(entry);
            return entry;
        }
        catch (Exception exception)
        {
            _names.Remove(member.Name);
            if (exception is not ArgumentException)
            {
                _faulted = true;
            }

            throw;
        }
        finally
        {
            stream?.Dispose();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<AggregationMember> Complete()
    {
        EnsureWritable();
        try
        {
            TarManifest.WriteEnd(_manifest);
            WriteHeaders(MemberName.Manifest, MemberSource.DefaultMode, 0, 0, _manifest.WrittenSpan.Length, _options.Clock.GetUtcNow().ToUnixTimeSeconds());
            WriteData(_manifest.WrittenSpan);
            PadRecord();
            _manifest.Dispose();

            // End of archive: two zero records, then zeros to the end of the tape block (F6.4).
            int zeros = 2 * TarHeader.Size;
            while (zeros > 0)
            {
                FlushIfFull();
                int take = Math.Min(zeros, _blockSize - _used);
                Advance(take, clear: true);
                zeros -= take;
            }

            if (_used > 0)
            {
                Advance(_blockSize - _used, clear: true);
                FlushIfFull();
            }

            _completed = true;
            return _members;
        }
        catch
        {
            _faulted = true;
            throw;
        }
    }

    /// <summary>Writes a member's header records; returns the length of its UTF-8 name, left in <c>_name</c>.</summary>
    private int WriteHeaders(string name, int mode, int uid, int gid, long size, long mtime)
    {
        int length = Encoding.UTF8.GetBytes(name, _name);
        var utf8 = _name.AsSpan(0, length);
        if (length > 100)
        {
            // GNU long name: an 'L' record whose data is the name and one NUL (F6.2).
            _name[length] = 0;
            TarHeader.WriteGnu(NextRecord(), TarHeaderLayout.LongLinkName, MemberSource.DefaultMode, 0, 0, length + 1, 0, (byte)'L');
            WriteData(_name.AsSpan(0, length + 1));
            PadRecord();
        }

        TarHeader.WriteGnu(NextRecord(), utf8[..TarHeader.NameFieldLength(utf8)], mode, uid, gid, size, mtime, (byte)'0');
        return length;
    }

    private Span<byte> NextRecord()
    {
        FlushIfFull();
        var record = _block.Span.Slice(_used, TarHeader.Size);
        Advance(TarHeader.Size, clear: false);
        return record;
    }

    private void WriteData(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            FlushIfFull();
            int take = Math.Min(data.Length, _blockSize - _used);
            data[..take].CopyTo(_block.Span[_used..]);
            Advance(take, clear: false);
            data = data[take..];
        }
    }

    private void WriteData(Stream stream, long size, string name)
    {
        long remaining = size;
        while (remaining > 0)
        {
            FlushIfFull();
            var target = _block.Span.Slice(_used, (int)Math.Min(remaining, _blockSize - _used));
            int n = stream.ReadAtLeast(target, target.Length, throwOnEndOfStream: false);
            if (n != target.Length)
            {
                ThrowChanged(name, $"it ended after {size - remaining + n} of {size} bytes");
            }

            _hasher.Append(target);
            Advance(n, clear: false);
            remaining -= n;
        }

        Span<byte> probe = stackalloc byte[1];
        if (stream.Read(probe) != 0)
        {
            ThrowChanged(name, $"it has more than {size} bytes");
        }
    }

    private void PadRecord()
    {
        int pad = (int)(-_position & (TarHeader.Size - 1));
        if (pad > 0)
        {
            Advance(pad, clear: true);
        }
    }

    private void Advance(int count, bool clear)
    {
        if (clear)
        {
            _block.Span.Slice(_used, count).Clear();
        }

        _used += count;
        _position += count;
    }

    private void FlushIfFull()
    {
        if (_used == _blockSize)
        {
            _block = _out.Emit();
            BlocksWritten++;
            _used = 0;
        }
    }

    private void EnsureWritable()
    {
        if (_faulted)
        {
            throw new InvalidOperationException("This tar aggregation failed while it was written; it is incomplete and must be discarded.");
        }

        if (_completed)
        {
            throw new InvalidOperationException("This tar aggregation is complete.");
        }
    }

    [DoesNotReturn]
    private void ThrowChanged(string name, string what)
    {
        _faulted = true;
        throw new IOException($"Member \"{name}\" changed while it was written ({what}); the tar aggregation is incomplete and must be discarded.");
    }
}
