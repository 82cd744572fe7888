namespace TapeKit.Aggregation;

/// <summary>
/// Where an aggregation reader gets its blocks: tape blocks of <see cref="BlockSize"/> bytes
/// addressed by their 0-based index inside the aggregation. A file now
/// (<see cref="StreamBlockSource"/>); a tape drive implements it by locating to the block's
/// logical object id (D + index, F5.8, F6.6) and reading one block.
/// </summary>
public interface IBlockSource
{
    /// <summary>The tape block size S in bytes.</summary>
    int BlockSize { get; }

    /// <summary>The number of blocks when known (a file), otherwise <see langword="null"/> (a tape before spacing to its tape mark).</summary>
    long? BlockCount { get; }

    /// <summary>Reads block <paramref name="index"/> into <paramref name="destination"/>.</summary>
    /// <param name="index">The 0-based block index.</param>
    /// <param name="destination">At least <see cref="BlockSize"/> bytes.</param>
    /// <returns>
    /// The bytes read: <see cref="BlockSize"/> for a whole block, fewer for a short block (a
    /// truncated file), 0 past the end (a tape mark or the end of the file).
    /// </returns>
    int ReadBlock(long index, Span<byte> destination);
}
