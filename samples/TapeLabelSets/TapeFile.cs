namespace TapeLabelSets;

/// <summary>A tape file of the sample: its archive file id (or aggregation id) and data block count.</summary>
/// <param name="FileId">The id written in HDR1/EOF1.</param>
/// <param name="Blocks">The number of data blocks.</param>
internal sealed record TapeFile(ulong FileId, long Blocks);
