namespace TapeKit.Hsm.Purging;

/// <summary>Where one purger works: a disk library's cache area and its size.</summary>
public sealed class PurgerOptions
{
    /// <summary>The disk library.</summary>
    public string DiskLibrary { get; set; } = "";

    /// <summary>The root of the cache area; a file's <c>cachePath</c> is relative to it.</summary>
    public string CacheRoot { get; set; } = "";

    /// <summary>Queue a <c>CachePurged</c> event for the host with each purged batch (its queue must be bound).</summary>
    public bool NotifyHost { get; set; } = true;

    /// <summary>The area's capacity in bytes, against which the watermarks of docs/hsm/overview.md#purging are fractions.</summary>
    public long CapacityBytes { get; set; } = long.MaxValue;
}
