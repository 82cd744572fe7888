using TapeKit.Aggregation;
using TapeKit.Devices;

namespace TapeKit.Layout;

/// <summary>
/// The blocks of one tape file as a random-access block source: block i is logical object
/// <c>first + i</c>. Sequential reads stream; a jump costs one locate. Counts the blocks it reads,
/// so tests can assert that a member read touched only that member's blocks.
/// </summary>
public sealed class DriveBlockSource : IBlockSource
{
    private readonly ITapeDrive _drive;
    private readonly long _firstObjectId;
    private long _next = -1;

    /// <summary>Creates the source.</summary>
    /// <param name="drive">The drive, with the cartridge mounted.</param>
    /// <param name="firstObjectId">The logical object id of the file's first data block.</param>
    /// <param name="blockSize">The file's block size S.</param>
    /// <param name="blockCount">The number of data blocks, if known.</param>
    public DriveBlockSource(ITapeDrive drive, long firstObjectId, int blockSize, long? blockCount)
    {
        _drive = drive ?? throw new ArgumentNullException(nameof(drive));
        ArgumentOutOfRangeException.ThrowIfNegative(firstObjectId);
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        _firstObjectId = firstObjectId;
        BlockSize = blockSize;
        BlockCount = blockCount;
    }

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <inheritdoc/>
    public long? BlockCount { get; }

    /// <summary>The number of data blocks read.</summary>
    public long BlocksRead { get; private set; }

    /// <summary>The number of locates issued.</summary>
    public long Locates { get; private set; }

    /// <inheritdoc/>
    public int ReadBlock(long index, Span<byte> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        if (BlockCount is long count && index >= count)
        {
            return 0;
        }

        if (index != _next)
        {
            _drive.Locate(_firstObjectId + index);
            Locates++;
        }

        TapeReadResult result = _drive.ReadBlock(destination[..BlockSize]);
        if (result.Kind != TapeReadKind.Data)
        {
            // The file's data ends here: a filemark or end of data. The position is now unknown to us.
            _next = -1;
            return 0;
        }

        BlocksRead++;
        _next = index + 1;
        return result.Length;
    }
}
