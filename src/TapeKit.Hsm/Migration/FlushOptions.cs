namespace TapeKit.Hsm.Migration;

/// <summary>
/// When a migrator's write session synchronises its buffered tape marks (CTA's <c>flush_max_files</c> and
/// <c>flush_max_bytes</c>). Every session also synchronises at its end, before any list commits: the tape files since
/// the last sync are the unit that fails together.
/// </summary>
public sealed class FlushOptions
{
    /// <summary>Synchronise after this many tape files since the last sync (200).</summary>
    public int SyncEveryFiles { get; set; } = 200;

    /// <summary>Synchronise after this many bytes since the last sync (32 GB).</summary>
    public long SyncEveryBytes { get; set; } = 32_000_000_000;
}
