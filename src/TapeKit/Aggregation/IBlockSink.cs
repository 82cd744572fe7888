namespace TapeKit.Aggregation;

/// <summary>
/// Where an aggregation writer puts its output: a sequence of tape blocks of exactly
/// <see cref="BlockSize"/> bytes (F4.2). A file now (<see cref="StreamBlockSink"/>); a tape drive
/// implements it by issuing one fixed-size WRITE per block.
/// </summary>
/// <remarks>
/// The writer owns the span only for the duration of <see cref="WriteBlock"/>: an implementation
/// that keeps the bytes must copy them. Writers call it from one thread, in order.
/// </remarks>
public interface IBlockSink
{
    /// <summary>The tape block size S in bytes.</summary>
    int BlockSize { get; }

    /// <summary>Writes the next block.</summary>
    /// <param name="block">Exactly <see cref="BlockSize"/> bytes.</param>
    void WriteBlock(ReadOnlySpan<byte> block);
}
