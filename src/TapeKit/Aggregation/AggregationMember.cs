using TapeKit.Checksums;

namespace TapeKit.Aggregation;

/// <summary>
/// One entry of a member index: where a member lies in its aggregation and what its checksums are.
/// Writers return one per member; a catalogue stores them to read a member back without reading
/// the blocks before it.
/// </summary>
/// <param name="Name">The member name (F12).</param>
/// <param name="FileId">The caller's 64-bit file id (0 for none).</param>
/// <param name="Size">The member size in bytes.</param>
/// <param name="HeaderOffset">
/// Byte offset, from the first byte of the aggregation, where the member's record starts: IL, its
/// first block; tar, its first header (the GNU <c>L</c> record if there is one).
/// </param>
/// <param name="PayloadOffset">Byte offset of the member's first data byte (the manifest's <c>dataOffset</c> for tar).</param>
/// <param name="BlockIndex">The 0-based index of the tape block holding <paramref name="HeaderOffset"/> (the locator, F4.5).</param>
/// <param name="OffsetInBlock">The offset of <paramref name="HeaderOffset"/> inside that block: 0 for IL, a multiple of 512 for tar.</param>
/// <param name="Digest">The member's Adler-32, XXH3-64 and (if selected) XXH64.</param>
public sealed record AggregationMember(
    string Name,
    ulong FileId,
    long Size,
    long HeaderOffset,
    long PayloadOffset,
    long BlockIndex,
    int OffsetInBlock,
    MemberDigest Digest);
