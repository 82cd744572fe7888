namespace TapeKit.Aggregation;

/// <summary>
/// Packs members into one aggregation, streaming exact fixed-size blocks to an
/// <see cref="IBlockSink"/> with memory bounded by one block whatever the member sizes.
/// </summary>
/// <remarks>
/// If a member's source changes while it is written (F5.7) or the sink fails, the writer stops,
/// throws, and refuses further calls: the aggregation is incomplete and must be discarded
/// (none of its members registered).
/// </remarks>
public interface IAggregationWriter
{
    /// <summary>The payload format written.</summary>
    AggregationFormat Format { get; }

    /// <summary>The member index so far, one entry per member in order.</summary>
    IReadOnlyList<AggregationMember> Members { get; }

    /// <summary>The number of tape blocks written to the sink so far.</summary>
    long BlocksWritten { get; }

    /// <summary>Appends one member.</summary>
    /// <param name="member">The member.</param>
    /// <returns>Its index entry.</returns>
    AggregationMember Add(MemberSource member);

    /// <summary>Ends the aggregation (tar: the manifest, the end-of-archive blocks and the padding of the last block).</summary>
    /// <returns>The complete member index.</returns>
    IReadOnlyList<AggregationMember> Complete();
}
