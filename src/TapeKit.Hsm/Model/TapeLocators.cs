namespace TapeKit.Hsm.Model;

/// <summary>
/// Where a tape file is: the locator of docs/formats/rules.md#fmt-f4-5, F4.5 plus the first payload block, as a catalogue
/// stores it in <c>segments</c>.
/// </summary>
/// <param name="Vsn">The volume serial number (1–6 characters).</param>
/// <param name="Fseq">The tape file sequence number (from 1).</param>
/// <param name="FirstBlockId">The logical block id of the first payload block.</param>
public readonly record struct TapeFileLocator(string Vsn, int Fseq, long FirstBlockId);

/// <summary>
/// Where one member of an aggregation copy starts on tape (docs/formats/rules.md#fmt-f4-5, F4.5): the tape file, the member's
/// block index within it and, for tar, the byte offset of its first header inside that block (0 for IL).
/// </summary>
/// <param name="TapeFile">The tape file holding the aggregation copy.</param>
/// <param name="AggregationId">The aggregation.</param>
/// <param name="MemberIndex">The member's position in the aggregation.</param>
/// <param name="BlockIndex">The block number within the tape file where the member starts.</param>
/// <param name="OffsetInBlock">The byte offset of the member's first header in that block (tar); 0 for IL.</param>
/// <param name="PayloadOffset">The byte offset of the member's data from the start of the payload.</param>
public readonly record struct MemberLocator(
    TapeFileLocator TapeFile, long AggregationId, int MemberIndex, long BlockIndex, int OffsetInBlock, long PayloadOffset)
{
    /// <summary>The absolute logical block id to locate to: the tape file's first payload block plus the block index.</summary>
    public long BlockId => TapeFile.FirstBlockId + BlockIndex;
}
