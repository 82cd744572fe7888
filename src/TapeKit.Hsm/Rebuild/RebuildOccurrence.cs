using System.Globalization;

namespace TapeKit.Hsm.Rebuild;

/// <summary>One member of one tape file: a candidate copy of a catalogue file.</summary>
internal sealed class RebuildOccurrence
{
    public required RebuildIdentity Identity { get; init; }

    public required RebuildAggregation Aggregation { get; init; }

    public required int Index { get; init; }

    public required string Name { get; init; }

    public required long Size { get; init; }

    public required uint Adler32 { get; init; }

    public ulong? XxHash3 { get; init; }

    public ulong? XxHash64 { get; init; }

    public long PayloadOffset { get; init; }

    public long BlockIndex { get; init; }

    public int OffsetInBlock { get; init; }

    public long BlockCount { get; init; }

    public bool Kept { get; set; } = true;

    public int CopyRank { get; set; }

    public long FileId { get; set; }

    public string Where => string.Create(CultureInfo.InvariantCulture, $"tape {Aggregation.Tape.Vsn} fseq {Aggregation.File.Info.FileSequence}");

    public bool SameContent(RebuildOccurrence other) =>
        Size == other.Size && Adler32 == other.Adler32 && (XxHash3 is null || other.XxHash3 is null || XxHash3 == other.XxHash3);
}
