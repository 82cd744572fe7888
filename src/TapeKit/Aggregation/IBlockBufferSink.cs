namespace TapeKit.Aggregation;

/// <summary>
/// An <see cref="IBlockSink"/> that lends the writer the memory of its next block, so that a full block changes hands
/// without being copied (<see cref="PipelinedBlockSink"/> lends the memory of its pipe).
/// </summary>
/// <remarks>
/// A writer that knows this interface takes a block's memory with <see cref="GetBlockMemory"/>, fills all
/// <see cref="IBlockSink.BlockSize"/> bytes of it, and hands it over with <see cref="CommitBlock"/>; from then on the
/// memory is the sink's, and the writer asks for the next. Lent memory holds whatever it held before: the writer must
/// write every byte of the block. Writers that do not know the interface call <see cref="IBlockSink.WriteBlock"/>,
/// which copies. Both are called from one thread, in order.
/// </remarks>
public interface IBlockBufferSink : IBlockSink
{
    /// <summary>The memory of the next block: exactly <see cref="IBlockSink.BlockSize"/> bytes, lent until <see cref="CommitBlock"/>.</summary>
    /// <returns>The memory; the same memory again until the block is committed.</returns>
    Memory<byte> GetBlockMemory();

    /// <summary>Hands over the block whose memory <see cref="GetBlockMemory"/> lent; the writer must not touch that memory again.</summary>
    void CommitBlock();
}
