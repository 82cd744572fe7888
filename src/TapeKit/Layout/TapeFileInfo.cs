using TapeKit.Aggregation;
using TapeKit.Labels;

namespace TapeKit.Layout;

/// <summary>
/// A tape file as written or found: where it is and what it holds. Positions are logical object
/// ids (filemarks count as objects, <c>docs/formats/aul.md#1-what-is-on-the-tape</c>).
/// </summary>
/// <param name="FileSequence">The fseq, from 1.</param>
/// <param name="HeaderObjectId">The object id of its HDR1 (AUL) or first data block (NL).</param>
/// <param name="FileId">HDR1 <c>fileId</c>: archive file id or aggregation id (0 on NL tapes).</param>
/// <param name="BlockSize">The data block size S (NL: the largest block seen).</param>
/// <param name="DataBlocks">The number of data blocks.</param>
/// <param name="DataBytes">The number of payload bytes in them.</param>
/// <param name="Payload">What the data blocks hold.</param>
public sealed record TapeFileInfo(long FileSequence, long HeaderObjectId, ulong FileId, int BlockSize, long DataBlocks, long DataBytes, PayloadKind Payload)
{
    /// <summary>The labels of an AUL file (header group), when it has them.</summary>
    public FileLabelGroup? Headers { get; init; }

    /// <summary>The labels of an AUL file (trailer group), when they were read.</summary>
    public FileLabelGroup? Trailers { get; init; }

    /// <summary>The members of an ALB file, with locators relative to the file (block index 0 = first data block).</summary>
    public IReadOnlyList<AggregationMember> Members { get; init; } = [];

    /// <summary>The object id of the first data block: HDR1 + 4 on AUL tapes (docs/formats/aul.md#1-what-is-on-the-tape).</summary>
    public long FirstDataObjectId => Headers is null ? HeaderObjectId : HeaderObjectId + 4;

    /// <summary>The block id CTA records for this file: the position before HDR1, except 0 for fseq 1 (docs/formats/aul.md#1-what-is-on-the-tape).</summary>
    public long CtaBlockId => FileSequence == 1 ? 0 : HeaderObjectId;

    /// <summary>The object id of a member's first block (its IL locator; for tar, the block holding its header).</summary>
    /// <param name="member">A member of this file.</param>
    /// <returns>The logical object id.</returns>
    public long MemberObjectId(AggregationMember member)
    {
        ArgumentNullException.ThrowIfNull(member);
        return FirstDataObjectId + member.BlockIndex;
    }
}
