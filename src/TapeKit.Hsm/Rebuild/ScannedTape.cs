namespace TapeKit.Hsm.Rebuild;

/// <summary>What a scan of one cartridge found: the input of a <see cref="RebuildPlan"/>.</summary>
/// <param name="Vsn">The volume serial from VOL1.</param>
/// <param name="MediaType">The media type the catalogue records (e.g. <c>LTO-9</c>); tapes do not label it, the host knows it.</param>
/// <param name="Capacity">The cartridge's capacity estimate in bytes.</param>
/// <param name="Files">The tape files in file-sequence order.</param>
public sealed record ScannedTape(string Vsn, string MediaType, long Capacity, IReadOnlyList<ScannedFile> Files);
