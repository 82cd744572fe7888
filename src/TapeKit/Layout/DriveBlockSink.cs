using TapeKit.Aggregation;
using TapeKit.Devices;

namespace TapeKit.Layout;

/// <summary>
/// The aggregation writers' block sink on a tape drive: each block is one exact-size tape block,
/// written as it comes (no copy). Early warning is remembered for the caller to act on.
/// </summary>
internal sealed class DriveBlockSink(ITapeDrive drive, int blockSize) : IBlockSink
{
    public int BlockSize { get; } = blockSize;

    public long BlocksWritten { get; private set; }

    public long BytesWritten { get; private set; }

    public bool PastEarlyWarning { get; private set; }

    public void WriteBlock(ReadOnlySpan<byte> block)
    {
        if (drive.WriteBlock(block) == TapeWriteStatus.WrittenPastEarlyWarning)
        {
            PastEarlyWarning = true;
        }

        BlocksWritten++;
        BytesWritten += block.Length;
    }
}
