namespace TapeKit.Checksums;

/// <summary>
/// A checksum computed incrementally over a byte stream. Implementations are small mutable
/// structs (or sealed classes around a library hasher); generic code constrained to
/// <c>where T : IIncrementalChecksum</c> calls them without boxing and without allocating per
/// <see cref="Append"/>.
/// </summary>
/// <remarks>
/// A struct implementation holds its whole state by value: copy it only to snapshot the state,
/// and pass it by <see langword="ref"/> to keep appending to the same state.
/// </remarks>
public interface IIncrementalChecksum
{
    /// <summary>Continues the checksum over <paramref name="data"/>.</summary>
    /// <param name="data">The next bytes of the stream.</param>
    void Append(ReadOnlySpan<byte> data);

    /// <summary>
    /// The checksum of every byte appended since the last <see cref="Reset"/>. A 32-bit
    /// algorithm returns its value in the low 32 bits.
    /// </summary>
    ulong Current { get; }

    /// <summary>Returns to the checksum of the empty input.</summary>
    void Reset();
}
