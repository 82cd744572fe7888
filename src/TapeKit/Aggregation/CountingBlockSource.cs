namespace TapeKit.Aggregation;

/// <summary>
/// An <see cref="IBlockSource"/> decorator that records which blocks were read, in order: the
/// proof that a random-access read touched only the blocks of its member, and a measure of tape
/// positioning cost.
/// </summary>
public sealed class CountingBlockSource : IBlockSource
{
    private readonly IBlockSource _inner;
    private readonly List<long> _reads = [];

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The source to count.</param>
    public CountingBlockSource(IBlockSource inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
    }

    /// <inheritdoc/>
    public int BlockSize => _inner.BlockSize;

    /// <inheritdoc/>
    public long? BlockCount => _inner.BlockCount;

    /// <summary>The index of every block read so far, in the order of the reads.</summary>
    public IReadOnlyList<long> BlocksRead => _reads;

    /// <summary>Forgets the reads recorded so far.</summary>
    public void ResetCount() => _reads.Clear();

    /// <inheritdoc/>
    public int ReadBlock(long index, Span<byte> destination)
    {
        _reads.Add(index);
        return _inner.ReadBlock(index, destination);
    }
}
