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
    /// The permissions of the files the HSM creates in the areas (staged copies; the host's disk mover should use the
    /// same for the write cache): <c>0600</c> by default, <see cref="Areas.CacheArea.GroupFileMode"/> (<c>0640</c>) to share
    /// them with the areas' group. Bits for others, set-id and sticky bits are never given.
    /// </summary>
    public UnixFileMode FileMode { get; set; } = Areas.CacheArea.PrivateFileMode;

    /// <summary>The permissions of the directories the HSM creates in the areas: <c>0700</c> by default, <c>0750</c> for the group.</summary>
    public UnixFileMode DirectoryMode { get; set; } = Areas.CacheArea.PrivateDirectoryMode;

    /// <summary>
    /// The migrator's options; <see cref="MigratorOptions.DiskLibrary"/> and <see cref="MigratorOptions.CacheRoot"/> are
    /// filled in, and with <see cref="HsmOptions.InstanceName"/> set <see cref="MigratorOptions.MigratorId"/> becomes
    /// the incarnation's worker id of the role <c>migratorId-diskLibrary</c>.
    /// </summary>
    public MigratorOptions Migrator { get; set; } = new();
}
