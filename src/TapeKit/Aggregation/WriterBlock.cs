namespace TapeKit.Aggregation;

/// <summary>
/// The tape block an aggregation writer fills, and its way to the sink: the memory a sink lends
/// (<see cref="IBlockBufferSink"/>), handed over without a copy, or the writer's own buffer, which the sink copies.
/// </summary>
internal sealed class WriterBlock
{
    private readonly IBlockSink _sink;
    private readonly IBlockBufferSink? _lender;

    public WriterBlock(IBlockSink sink)
    {
        _sink = sink;
        _lender = sink as IBlockBufferSink;
        Memory = _lender?.GetBlockMemory() ?? new byte[sink.BlockSize];
    }

    /// <summary>The block being filled: <see cref="IBlockSink.BlockSize"/> bytes.</summary>
    public Memory<byte> Memory { get; private set; }

    /// <summary>Whether the memory is lent: it then holds whatever it held before, and the writer must write every byte.</summary>
    public bool IsLent => _lender is not null;

    /// <summary>Hands the full block to the sink and returns the memory of the next one.</summary>
    public Memory<byte> Emit()
    {
        if (_lender is null)
        {
            _sink.WriteBlock(Memory.Span);
        }
        else
        {
            _lender.CommitBlock();
            Memory = _lender.GetBlockMemory();
        }

        return Memory;
    }
}
