namespace TapeKit.Hsm.Rebuild;

/// <summary>What a catalogue rebuild is told that tapes cannot say.</summary>
/// <param name="Pool">The tape pool of the tapes and of the files' decisions.</param>
/// <param name="DiskLibrary">The home disk library of the rebuilt files.</param>
public sealed record RebuildOptions(string Pool, string DiskLibrary);
