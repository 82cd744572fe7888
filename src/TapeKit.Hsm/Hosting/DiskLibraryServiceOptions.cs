using TapeKit.Hsm.Migration;

namespace TapeKit.Hsm.Hosting;

/// <summary>
/// One disk library's tape-side services (named options, the name being the disk library): its migrator, stager
/// and purger and where they work.
/// </summary>
public sealed class DiskLibraryServiceOptions
{
    /// <summary>The cache area root (write and read cache); a file's <c>cachePath</c> is relative to it.</summary>
    public string CacheRoot { get; set; } = "";

    /// <summary>The stage area, on the cache area's file system (publishing is a rename).</summary>
    public string StageRoot { get; set; } = "";

    /// <summary>The cache area's capacity, for the purge watermarks and the stage back-pressure.</summary>
    public long CacheCapacityBytes { get; set; } = long.MaxValue;

    /// <summary>
    /// The migrator's options; <see cref="MigratorOptions.DiskLibrary"/> and <see cref="MigratorOptions.CacheRoot"/> are
    /// filled in, and with <see cref="HsmOptions.InstanceName"/> set <see cref="MigratorOptions.MigratorId"/> becomes
    /// the incarnation's worker id of the role <c>migratorId-diskLibrary</c>.
    /// </summary>
    public MigratorOptions Migrator { get; set; } = new();
}
