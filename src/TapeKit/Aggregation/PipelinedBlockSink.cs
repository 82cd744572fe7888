using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.ExceptionServices;

namespace TapeKit.Aggregation;

/// <summary>
/// A block sink that hands every block to another sink on its own thread — the drive thread — through a
/// <see cref="Pipe"/>, so that the writer frames the next blocks while the previous ones are written.
/// </summary>
/// <remarks>
/// <para>
/// Back-pressure: at most <c>blocksAhead</c> blocks wait for the drive thread; a writer that gets further ahead waits.
/// The aggregation writers fill the pipe's memory directly (<see cref="IBlockBufferSink"/>), so a block is not copied
/// on its way to the inner sink; <see cref="WriteBlock"/> (for other writers) copies it once.
/// </para>
/// <para>
/// The inner sink is called from the drive thread only, in order. A failure there is thrown to the writer by the next
/// call after it — so an error surfaces up to <c>blocksAhead</c> blocks after the block that caused it. That is right
/// for a file; a tape drive whose errors must be seen at the block that hit them (early warning, end of medium) is
/// written without this sink. <see cref="Complete"/> waits until the inner sink has taken every block.
/// </para>
/// </remarks>
public sealed class PipelinedBlockSink : IBlockBufferSink, IDisposable
{
    private readonly IBlockSink _inner;
    private readonly Pipe _pipe;
    private readonly Thread _drive;
    private Memory<byte> _lent; // empty when no block is lent
    private long _blocksWritten;
    private volatile Exception? _failure;
    private volatile bool _abandoned;
    private bool _completed;

    /// <summary>Starts the drive thread over <paramref name="inner"/>.</summary>
    /// <param name="inner">The sink the drive thread writes to; it must not be used by anyone else meanwhile.</param>
    /// <param name="blocksAhead">How many blocks may wait for the drive thread before the writer waits (at least 2).</param>
    public PipelinedBlockSink(IBlockSink inner, int blocksAhead = 8)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(blocksAhead, 2);
        _inner = inner;
        BlockSize = inner.BlockSize;
        long pause = (long)blocksAhead * BlockSize;
        _pipe = new Pipe(new PipeOptions(
            readerScheduler: PipeScheduler.Inline,
            writerScheduler: PipeScheduler.Inline,
            pauseWriterThreshold: pause,
            resumeWriterThreshold: pause / 2,
            minimumSegmentSize: BlockSize,
            useSynchronizationContext: false));
        _drive = new Thread(Drive) { IsBackground = true, Name = "TapeKit drive thread" };
        _drive.Start();
    }

    /// <inheritdoc/>
    public int BlockSize { get; }

    /// <summary>The blocks the inner sink has taken so far.</summary>
    public long BlocksWritten => Interlocked.Read(ref _blocksWritten);

    /// <inheritdoc/>
    public Memory<byte> GetBlockMemory()
    {
        ThrowIfUnusable();
        if (_lent.IsEmpty)
        {
            // GetMemory gives contiguous memory of at least the hint, so a block never straddles two pipe segments.
            _lent = _pipe.Writer.GetMemory(BlockSize)[..BlockSize];
        }

        return _lent;
    }

    /// <inheritdoc/>
    public void CommitBlock()
    {
        ThrowIfUnusable();
        if (_lent.IsEmpty)
        {
            throw new InvalidOperationException("No block memory was lent: call GetBlockMemory first.");
        }

        _lent = default;
        _pipe.Writer.Advance(BlockSize);
        ValueTask<FlushResult> flush = _pipe.Writer.FlushAsync();
        FlushResult result = flush.IsCompletedSuccessfully ? flush.Result : flush.AsTask().GetAwaiter().GetResult();
        if (result.IsCompleted)
        {
            ThrowIfUnusable();
            throw new InvalidOperationException("The drive thread stopped taking blocks.");
        }
    }

    /// <inheritdoc/>
    public void WriteBlock(ReadOnlySpan<byte> block)
    {
        if (block.Length != BlockSize)
        {
            throw new ArgumentException($"A tape block must have exactly {BlockSize} bytes, not {block.Length}.", nameof(block));
        }

        block.CopyTo(GetBlockMemory().Span);
        CommitBlock();
    }

    /// <summary>Waits until the inner sink has taken every block handed over, and throws its failure if it failed.</summary>
    public void Complete()
    {
        if (_completed)
        {
            ThrowIfFailed();
            return;
        }

        _completed = true;
        _pipe.Writer.Complete();
        _drive.Join();
        ThrowIfFailed();
    }

    /// <summary>Stops the drive thread; blocks not yet written are dropped unless <see cref="Complete"/> was called.</summary>
    public void Dispose()
    {
        if (!_completed)
        {
            _completed = true;
            _abandoned = true;
            _pipe.Writer.Complete();
        }

        _drive.Join();
    }

    private void Drive()
    {
        PipeReader reader = _pipe.Reader;
        try
        {
            while (!_abandoned)
            {
                ValueTask<ReadResult> read = reader.ReadAsync();
                ReadResult result = read.IsCompletedSuccessfully ? read.Result : read.AsTask().GetAwaiter().GetResult();
                ReadOnlySequence<byte> buffer = result.Buffer;
                if (buffer.Length < BlockSize)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    if (result.IsCompleted)
                    {
                        break; // the writer only ever commits whole blocks
                    }

                    continue;
                }

                // One block at a time, released at once, so the writer resumes as soon as there is room. Every block was
                // committed whole into contiguous memory (GetBlockMemory), and blocks are read from block boundaries, so a
                // block is always within one segment.
                ReadOnlySequence<byte> block = buffer.Slice(0, BlockSize);
                _inner.WriteBlock(block.FirstSpan);

                Interlocked.Increment(ref _blocksWritten);
                reader.AdvanceTo(block.End);
            }

            reader.Complete();
        }
        catch (Exception exception)
        {
            _failure = exception;
            reader.Complete(exception);
        }
    }

    private void ThrowIfUnusable()
    {
        ThrowIfFailed();
        if (_completed)
        {
            throw new InvalidOperationException("This pipelined sink is complete.");
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            // The inner sink's own exception, with its type and stack: callers tell an I/O error from a full disk by it.
            ExceptionDispatchInfo.Throw(failure);
        }
    }
}
