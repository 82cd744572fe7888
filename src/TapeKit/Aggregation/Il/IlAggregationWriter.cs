using System.Diagnostics.CodeAnalysis;
using TapeKit.Checksums;
using static TapeKit.Aggregation.Il.IlHeaderLayout;

namespace TapeKit.Aggregation.Il;

/// <summary>
/// Writes an IL 01.00 stream (F5): every block is a 1024-byte header and S − 1024 payload bytes;
/// every member starts on a block boundary, its last block padded with zeros.
/// </summary>
/// <remarks>
/// Memory: one block buffer, whatever the member sizes. Each member's bytes are read straight into
/// the payload area of that buffer and hashed there; a block's header is a per-member template with
/// the four per-block fields patched in. The Adler-32 each header carries (<c>fileChecksum</c>) is
/// known before the first block: from the caller (<see cref="MemberSource.KnownAdler32"/>) or from a
/// first pass over a re-readable source (F5.7).
/// </remarks>
public sealed class IlAggregationWriter : IAggregationWriter
{
    private readonly WriterBlock _out;
    private readonly IlWriterOptions _options;
    private readonly int _blockSize;
    private Memory<byte> _block;
    private readonly byte[] _template = new byte[IlHeader.Size];
    private readonly int _payloadSize;
    private readonly MemberHasher _hasher;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<AggregationMember> _members = [];
    private long _lastTimeStamp;
    private int _dirtyEnd; // payload bytes [_dirtyEnd, P) of the block buffer are known to be zero
    private bool _faulted;
    private bool _completed;

    /// <summary>Creates a writer whose blocks go to <paramref name="sink"/>; S is the sink's block size.</summary>
    /// <param name="sink">Where the blocks go.</param>
    /// <param name="options">M fields and numbering; the defaults of <see cref="IlWriterOptions"/> when <see langword="null"/>.</param>
    public IlAggregationWriter(IBlockSink sink, IlWriterOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sink);
        _options = options ?? new IlWriterOptions();
        int blockSize = sink.BlockSize;
        if (blockSize <= IlHeader.Size || blockSize % 512 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(sink), blockSize, "An IL block size must exceed 1024 and be a multiple of 512 (F5.1).");
        }

        _blockSize = blockSize;
        _payloadSize = blockSize - IlHeader.Size;
        _out = new WriterBlock(sink);
        _block = _out.Memory;
        _dirtyEnd = _out.IsLent ? _payloadSize : 0; // lent memory holds anything
        _hasher = new MemberHasher(_options.WithXxHash64);

        // The M fields, once: they never change within the stream.
        var template = new IlHeader
        {
            VersionNumber = IlHeader.Version0100,
            TapeMarkCount = _options.TapeMarkCount,
            BlockSize = blockSize,
            StagerVersion = _options.StagerVersion,
            StagerHost = _options.StagerHost,
            DriveName = _options.DriveName,
            DriveSerial = _options.DriveSerial,
            DriveFirmware = _options.DriveFirmware,
            DriveHost = _options.DriveHost,
            VolDensity = _options.VolDensity,
            VolId = _options.VolId,
            VolSerial = _options.VolSerial,
            DeviceGroupName = _options.DeviceGroupName,
            FileNsHost = _options.FileNsHost ?? _options.StagerHost,
            FileName = string.Empty,
        };
        template.WriteTo(_template);
    }

    /// <inheritdoc/>
    public AggregationFormat Format => AggregationFormat.Il;

    /// <inheritdoc/>
    public IReadOnlyList<AggregationMember> Members => _members;

    /// <inheritdoc/>
    public long BlocksWritten { get; private set; }

    /// <summary>The payload bytes per block, P = S − 1024.</summary>
    public int PayloadSize => _payloadSize;

    /// <inheritdoc/>
    public AggregationMember Add(MemberSource member)
    {
        ArgumentNullException.ThrowIfNull(member);
        EnsureWritable();
        MemberName.Claim(_names, member.Name, nameof(member));

        try
        {
            return AddCore(member);
        }
        catch (Exception exception)
        {
            _names.Remove(member.Name);

            // Argument errors come before any byte is written; anything else may leave a partial member.
            if (exception is not ArgumentException)
            {
                _faulted = true;
            }

            throw;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<AggregationMember> Complete()
    {
        EnsureWritable();
        _completed = true;
        return _members;
    }

    private AggregationMember AddCore(MemberSource member)
    {
        long size;
        uint adler;
        _hasher.Reset();
        bool inMemory = member.IsMemory;
        if (inMemory)
        {
            // Memory: hash the whole member once, up front; the blocks then only need the running Adler-32.
            _hasher.AppendWhole(member.Memory.Span, member.ComputedDigest);
            (size, adler) = (member.Memory.Length, member.KnownAdler32 ?? _hasher.Adler32Value);
        }
        else if (member.KnownAdler32 is { } known && member.Size is { } knownSize)
        {
            (size, adler) = (knownSize, known);
        }
        else
        {
            (size, adler) = member.Measure(_block.Span[IlHeader.Size..]);
        }

        long firstBlock = BlocksWritten;
        WriteMemberFields(member, size, adler);
        long blocks = Math.Max(1, (size + _payloadSize - 1) / _payloadSize);
        uint running = Adler32.Initial;
        Stream? stream = null;
        try
        {
            if (!inMemory)
            {
                stream = member.Open(out long? openedSize, out _, out _);
                if (openedSize is { } now && now != size)
                {
                    ThrowChanged(member.Name, $"its size is now {now} bytes, not {size}");
                }
            }

            for (long k = 0; k < blocks; k++)
            {
                var payload = _block.Span[IlHeader.Size..];
                long offset = k * _payloadSize;
                int take = (int)Math.Min(_payloadSize, size - offset);
                var data = payload[..take];
                if (stream is null)
                {
                    member.Memory.Span.Slice((int)offset, take).CopyTo(data);
                    running = blocks == 1 ? _hasher.Adler32Value : Adler32.Update(running, data);
                }
                else if (stream.ReadAtLeast(data, take, throwOnEndOfStream: false) != take)
                {
                    ThrowChanged(member.Name, $"it ended before byte {size}");
                }
                else
                {
                    _hasher.Append(data);
                    running = _hasher.Adler32Value;
                }

                bool last = k == blocks - 1;
                uint progressive = running;
                if (last)
                {
                    // F5.7: stop before the last block if the source is not what was announced.
                    if (running != adler)
                    {
                        ThrowChanged(member.Name, $"its Adler-32 is now {ChecksumText.Adler32Hex(running)}, not {ChecksumText.Adler32Hex(adler)}");
                    }

                    if (stream is not null && stream.ReadAtLeast(_block.Span[..1], 1, throwOnEndOfStream: false) != 0)
                    {
                        ThrowChanged(member.Name, $"it has more than {size} bytes");
                    }

                    if (_dirtyEnd > take)
                    {
                        payload[take.._dirtyEnd].Clear();
                    }

                    progressive = Adler32.AppendZeros(progressive, _payloadSize - take);
                }

                _dirtyEnd = take;
                WriteHeader(progressive, offset);
                _block = _out.Emit();
                if (_out.IsLent)
                {
                    _dirtyEnd = _payloadSize; // the next block's lent memory holds anything, so its padding is cleared
                }

                BlocksWritten++;
            }
        }
        finally
        {
            stream?.Dispose();
        }

        long headerOffset = firstBlock * _blockSize;
        var entry = new AggregationMember(member.Name, member.FileId, size, headerOffset, headerOffset + IlHeader.Size, firstBlock, 0, _hasher.GetDigest());
        _members.Add(entry);
        return entry;
    }

    private void WriteMemberFields(MemberSource member, long size, uint adler)
    {
        var t = _template.AsSpan();
        IlFields.WriteNumber(t.Slice(FileSizeOffset, FileSizeLength), (ulong)size, "fileSize");
        IlFields.WriteNumber(t.Slice(FileChecksumOffset, FileChecksumLength), adler, "fileChecksum");
        IlFields.WriteNumber(t.Slice(FileNsIdOffset, FileNsIdLength), member.FileId, "fileNsId");
        IlFields.WriteName(t.Slice(FileNameOffset, FileNameLength), member.Name);
    }

    private void WriteHeader(uint progressive, long fileBlockCount)
    {
        var h = _block.Span[..IlHeader.Size];
        _template.CopyTo(h);
        long now = Math.Max(_lastTimeStamp, _options.Clock.GetUtcNow().ToUnixTimeSeconds());
        _lastTimeStamp = now;
        IlFields.WriteNumber(h.Slice(BlockCountOffset, BlockCountLength), _options.FirstBlockCount + (ulong)BlocksWritten, "blockCount");
        IlFields.WriteNumber(h.Slice(BlockTimeStampOffset, BlockTimeStampLength), (ulong)now, "blockTimeStamp");
        IlFields.WriteNumber(h.Slice(FileProgressiveChecksumOffset, FileProgressiveChecksumLength), progressive, "fileProgressiveChecksum");
        IlFields.WriteNumber(h.Slice(FileBlockCountOffset, FileBlockCountLength), (ulong)fileBlockCount, "fileBlockCount");
        IlHeader.Seal(h);
    }

    private void EnsureWritable()
    {
        if (_faulted)
        {
            throw new InvalidOperationException("This IL aggregation failed while a member was written; it is incomplete and must be discarded.");
        }

        if (_completed)
        {
            throw new InvalidOperationException("This IL aggregation is complete.");
        }
    }

    [DoesNotReturn]
    private void ThrowChanged(string name, string what)
    {
        _faulted = true;
        throw new IOException($"Member \"{name}\" changed while it was written ({what}); the aggregation stops before the member's last block and must be discarded (F5.7).");
    }
}
