using System.Diagnostics.CodeAnalysis;
using TapeKit.Checksums;
using static TapeKit.Aggregation.Il.IlHeaderLayout;

namespace TapeKit.Aggregation.Il;

/// <summary>
/// Reads an IL 01.00 stream (F5) and applies every reader check of F5.9 that a stream can: block
/// length, printable header, fixed fields, header checksum, <c>blockSize</c>, <c>blockCount</c>
/// continuity, non-decreasing time stamps, M fields equal to the first block, F fields equal to
/// the member's first block, <c>fileBlockCount</c> sequence, progressive and file checksums, and
/// truncated members. (The tape checks — <c>tapeMarkCount</c> = fseq, <c>blockCount</c> = position,
/// EOF1 block count — belong to the tape layer, which knows them.)
/// </summary>
/// <remarks>
/// A stream read outside a tape is read as Strict (F3): a time stamp that goes back is an error.
/// IL has no trailer, so a stream cut between two members is a valid shorter stream; only the tape
/// layer (EOF1 block count, F5.9.11) or the catalogue can tell.
/// </remarks>
public sealed class IlAggregationReader : AggregationReader
{
    /// <summary>The byte ranges of the M fields: versionNumber … checksumAlgorithm, tapeMarkCount and blockSize, stagerVersion … deviceGroupName.</summary>
    private static readonly (int Start, int End)[] s_fixedRanges =
    [
        (VersionNumberOffset, HeaderChecksumOffset),
        (TapeMarkCountOffset, BlockCountOffset),
        (StagerVersionOffset, FileSizeOffset),
    ];

    private readonly byte[] _block;
    private readonly byte[] _firstHeader = new byte[IlHeader.Size];
    private readonly byte[] _memberHeader = new byte[IlHeader.Size];
    private readonly int _payloadSize;
    private readonly MemberHasher _hasher = new(withXxHash64: true);
    private readonly ulong? _tapeFileSequence;
    private readonly ulong? _firstObjectId;
    private long _nextBlock;
    private bool _haveFirst;
    private ulong _previousBlockCount;
    private long _previousTimeStamp;

    // The current member.
    private IlHeader _current;
    private long _memberBlocks;

    /// <summary>Creates a reader of the stream in <paramref name="source"/>, from its first block.</summary>
    /// <param name="source">The blocks; S = its block size.</param>
    /// <param name="ownsSource">Whether disposing the reader disposes the source.</param>
    public IlAggregationReader(IBlockSource source, bool ownsSource = false)
        : this(source, ownsSource, 0)
    {
    }

    /// <summary>Creates a reader that starts at block <paramref name="startBlock"/>, the first block of a member (F5.8).</summary>
    /// <param name="source">The blocks.</param>
    /// <param name="ownsSource">Whether disposing the reader disposes the source.</param>
    /// <param name="startBlock">The member's first block.</param>
    /// <param name="tapeFileSequence">On tape: the fseq that every <c>tapeMarkCount</c> must equal (F5.9.4); <see langword="null"/> outside a tape.</param>
    /// <param name="firstObjectId">On tape: the logical object id of block 0, so that every <c>blockCount</c> must equal it plus the block index (F5.9.4); <see langword="null"/> when the position is not known.</param>
    public IlAggregationReader(IBlockSource source, bool ownsSource, long startBlock, ulong? tapeFileSequence = null, ulong? firstObjectId = null)
        : base(source, ownsSource)
    {
        _tapeFileSequence = tapeFileSequence;
        _firstObjectId = firstObjectId;
        ArgumentOutOfRangeException.ThrowIfNegative(startBlock);
        if (source.BlockSize <= IlHeader.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(source), source.BlockSize, "An IL block size must exceed 1024 (F5.1).");
        }

        _block = new byte[source.BlockSize];
        _payloadSize = source.BlockSize - IlHeader.Size;
        _nextBlock = startBlock;
    }

    /// <inheritdoc/>
    public override AggregationFormat Format => AggregationFormat.Il;

    /// <summary>The header of the current member's first block.</summary>
    public IlHeader CurrentHeader => _current;

    /// <inheritdoc/>
    public override AggregationEntry? ReadNext()
    {
        if (DataPending)
        {
            CopyDataTo(null);
        }

        Current = null;
        long index = _nextBlock;
        int n = Source.ReadBlock(index, _block);
        if (n == 0)
        {
            return null;
        }

        long blockOffset = index * _block.Length;
        if (n != _block.Length)
        {
            ThrowTruncated(null, blockOffset, $"its first block at byte {blockOffset} has {n} bytes instead of {_block.Length}");
        }

        var header = CheckBlock(blockOffset);
        if (header.FileBlockCount != 0)
        {
            IlFields.ThrowMismatch("fileBlockCount", FileBlockCountOffset, FileBlockCountLength, _block.AsSpan(FileBlockCountOffset, FileBlockCountLength), blockOffset,
                "0: the block is not the first block of a member");
        }

        _block.AsSpan(0, IlHeader.Size).CopyTo(_memberHeader);
        _current = header;
        _memberBlocks = Math.Max(1, (header.FileSize + _payloadSize - 1) / _payloadSize);
        DataPending = true;
        _hasher.Reset();
        Current = new AggregationEntry(header.FileName, AggregationEntryType.File, header.FileSize, blockOffset, blockOffset + IlHeader.Size, _block.Length)
        {
            FileId = header.FileNsId,
            ExpectedAdler32 = header.FileChecksum,
        };
        return Current;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// IL: the member's blocks are read one after the other, as a sequential read passes them, and their headers checked
    /// (the fields that chain them to the member and the tape); their payload's checksums are neither computed nor
    /// checked.
    /// </remarks>
    public override void SkipData()
    {
        var entry = TakePending();
        for (long k = 1; k < _memberBlocks; k++)
        {
            ReadContinuationBlock(entry, k);
        }

        _nextBlock = entry.BlockIndex + _memberBlocks;
    }

    /// <inheritdoc/>
    public override MemberDigest CopyDataTo(Stream? destination)
    {
        var entry = TakePending();
        long size = _current.FileSize;
        for (long k = 0; k < _memberBlocks; k++)
        {
            long blockOffset = (entry.BlockIndex + k) * _block.Length;
            if (k > 0)
            {
                ReadContinuationBlock(entry, k);
            }

            long offset = k * _payloadSize;
            int take = (int)Math.Min(_payloadSize, size - offset);
            var payload = _block.AsSpan(IlHeader.Size);
            var data = payload[..take];
            _hasher.Append(data);
            uint progressive = _hasher.Adler32Value;
            bool last = k == _memberBlocks - 1;
            if (last)
            {
                progressive = Adler32.Update(progressive, payload[take..]);
            }

            uint stored = (uint)IlFields.ParseNumber(_block, FileProgressiveChecksumOffset, FileProgressiveChecksumLength, "fileProgressiveChecksum", blockOffset);
            if (stored != progressive)
            {
                IlFields.ThrowMismatch("fileProgressiveChecksum", FileProgressiveChecksumOffset, FileProgressiveChecksumLength,
                    _block.AsSpan(FileProgressiveChecksumOffset, FileProgressiveChecksumLength), blockOffset,
                    $"{ChecksumText.Adler32Decimal(progressive)}, the Adler-32 of the payload read (member \"{MemberName.Printable(entry.Name)}\" is damaged)");
            }

            if (last && _hasher.Adler32Value != _current.FileChecksum)
            {
                IlFields.ThrowMismatch("fileChecksum", FileChecksumOffset, FileChecksumLength,
                    _block.AsSpan(FileChecksumOffset, FileChecksumLength), blockOffset,
                    $"{ChecksumText.Adler32Decimal(_hasher.Adler32Value)}, the Adler-32 of the member's bytes (member \"{MemberName.Printable(entry.Name)}\" is damaged)");
            }

            destination?.Write(data);
        }

        _nextBlock = entry.BlockIndex + _memberBlocks;
        return _hasher.GetDigest();
    }

    /// <summary>Reads block <paramref name="k"/> (from 1) of the current member and checks its header against the member's.</summary>
    private void ReadContinuationBlock(AggregationEntry entry, long k)
    {
        long index = entry.BlockIndex + k;
        long blockOffset = index * _block.Length;
        int n = Source.ReadBlock(index, _block);
        if (n != _block.Length)
        {
            ThrowTruncated(entry, blockOffset, n == 0
                ? $"block {k + 1} of {_memberBlocks} (byte {blockOffset}) is missing: the stream ends there"
                : $"block {k + 1} of {_memberBlocks} (byte {blockOffset}) has {n} bytes instead of {_block.Length}");
        }

        var header = CheckBlock(blockOffset);
        CheckMemberFields(blockOffset);
        if (header.FileBlockCount != k * _payloadSize)
        {
            IlFields.ThrowMismatch("fileBlockCount", FileBlockCountOffset, FileBlockCountLength, _block.AsSpan(FileBlockCountOffset, FileBlockCountLength), blockOffset,
                $"{k * _payloadSize}, the payload offset of block {k + 1} of member \"{MemberName.Printable(entry.Name)}\"");
        }
    }

    /// <summary>The checks of one block's header: F5.9 items 1–6 (M fields and continuity).</summary>
    private IlHeader CheckBlock(long blockOffset)
    {
        var header = IlHeader.Parse(_block, blockOffset);
        if (header.BlockSize != _block.Length)
        {
            IlFields.ThrowMismatch("blockSize", BlockSizeOffset, BlockSizeLength, _block.AsSpan(BlockSizeOffset, BlockSizeLength), blockOffset, $"{_block.Length}, the block size of the stream");
        }

        if (_tapeFileSequence is { } fseq && header.TapeMarkCount != fseq)
        {
            IlFields.ThrowMismatch("tapeMarkCount", TapeMarkCountOffset, TapeMarkCountLength, _block.AsSpan(TapeMarkCountOffset, TapeMarkCountLength), blockOffset, $"{fseq}, the fseq of the tape file");
        }

        if (_firstObjectId is { } first && header.BlockCount != first + (ulong)(blockOffset / _block.Length))
        {
            IlFields.ThrowMismatch("blockCount", BlockCountOffset, BlockCountLength, _block.AsSpan(BlockCountOffset, BlockCountLength), blockOffset,
                $"{first + (ulong)(blockOffset / _block.Length)}, the block's logical object id on the tape");
        }

        if (!_haveFirst)
        {
            _block.AsSpan(0, IlHeader.Size).CopyTo(_firstHeader);
            _haveFirst = true;
        }
        else
        {
            var h = _block.AsSpan(0, IlHeader.Size);
            foreach (var (start, end) in s_fixedRanges)
            {
                int i = h[start..end].CommonPrefixLength(_firstHeader.AsSpan(start, end - start));
                if (i < end - start)
                {
                    var field = FieldAt(start + i);
                    IlFields.ThrowMismatch(field.Name, field.Offset, field.Length, h.Slice(field.Offset, field.Length), blockOffset,
                        $"\"{TapeFormatException.Printable(_firstHeader.AsSpan(field.Offset, field.Length))}\" as in the first block (an M field)");
                }
            }

            if (header.BlockCount != _previousBlockCount + 1)
            {
                IlFields.ThrowMismatch("blockCount", BlockCountOffset, BlockCountLength, h.Slice(BlockCountOffset, BlockCountLength), blockOffset, $"{_previousBlockCount + 1}, the previous block's plus one");
            }

            if (header.BlockTimeStamp < _previousTimeStamp)
            {
                IlFields.ThrowMismatch("blockTimeStamp", BlockTimeStampOffset, BlockTimeStampLength, h.Slice(BlockTimeStampOffset, BlockTimeStampLength), blockOffset, $"at least {_previousTimeStamp}, the previous block's time stamp");
            }
        }

        _previousBlockCount = header.BlockCount;
        _previousTimeStamp = header.BlockTimeStamp;
        return header;
    }

    /// <summary>F5.9.6: the F fields equal those of the member's first block.</summary>
    private void CheckMemberFields(long blockOffset)
    {
        var h = _block.AsSpan(0, IlHeader.Size);
        int i = h[FileFieldsOffset..FileProgressiveChecksumOffset].CommonPrefixLength(_memberHeader.AsSpan(FileFieldsOffset, FileFieldsLength));
        if (i < FileFieldsLength)
        {
            ThrowMemberField(h, FileFieldsOffset + i, blockOffset);
        }

        i = h[FileNameOffset..].CommonPrefixLength(_memberHeader.AsSpan(FileNameOffset));
        if (i < FileNameLength)
        {
            ThrowMemberField(h, FileNameOffset + i, blockOffset);
        }
    }

    [DoesNotReturn]
    private void ThrowMemberField(ReadOnlySpan<byte> h, int at, long blockOffset)
    {
        var field = FieldAt(at);
        IlFields.ThrowMismatch(field.Name, field.Offset, field.Length, h.Slice(field.Offset, field.Length), blockOffset,
            $"\"{TapeFormatException.Printable(_memberHeader.AsSpan(field.Offset, field.Length))}\" as in the member's first block (an F field)");
    }

    [DoesNotReturn]
    private static void ThrowTruncated(AggregationEntry? entry, long blockOffset, string detail)
    {
        string who = entry is null ? "The IL stream" : $"IL member \"{MemberName.Printable(entry.Name)}\" (first block at byte {entry.HeaderOffset}, {entry.Size} bytes)";
        throw new TapeFormatException($"{who} is truncated: {detail}.", "IL member", null, blockOffset, 0, string.Empty);
    }
}
