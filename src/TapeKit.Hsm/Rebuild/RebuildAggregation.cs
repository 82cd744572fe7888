using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Rebuild;

/// <summary>One tape file, as the aggregation it becomes.</summary>
internal sealed class RebuildAggregation
{
    public required int TapeIndex { get; init; }

    public required ScannedTape Tape { get; init; }

    public required ScannedFile File { get; init; }

    public required AggregationPayloadFormat Format { get; init; }

    public List<RebuildOccurrence> Members { get; } = [];

    public long AggregationId { get; set; }

    public long PayloadBytes => Format == AggregationPayloadFormat.None ? File.Info.DataBytes : Members.Sum(m => m.Size);

    public int CopyNb => Members.Where(m => m.Kept).Select(m => m.CopyRank).DefaultIfEmpty(1).Max();

    public AggregationState State => Members.Count == 0 || Members.Any(m => m.Kept) ? AggregationState.OnTape : AggregationState.Retired;
}
