namespace TapeKit.Hsm.Staging;

/// <summary>Options of the stager of one disk library.</summary>
public sealed class StagerOptions
{
    /// <summary>The disk library whose recall requests this stager serves.</summary>
    public string DiskLibrary { get; set; } = "";

    /// <summary>
    /// Who the stager's mount requests come from (the drive scheduler's holder). Empty: <c>stager/</c> and the disk
    /// library. A host with an instance name gives it an incarnation's worker id, so that a restart frees the drives a
    /// killed stager held at once instead of after their lease (docs/hsm/drive-scheduler.md).
    /// </summary>
    public string StagerId { get; set; } = "";

    /// <summary>The read cache root: staged files are published at <c>CacheRoot/cachePath</c>.</summary>
    public string CacheRoot { get; set; } = "";

    /// <summary>
    /// The stage area, best on the same file system as <see cref="CacheRoot"/>: publishing a verified copy is then one
    /// rename. On another, each copy is copied beside its target under a hidden name, synced and renamed over it (still
    /// atomic, twice the writes).
    /// </summary>
    public string StageRoot { get; set; } = "";

    /// <summary>
    /// The cache area's capacity: the used fraction against it is the planner's back-pressure input (docs/hsm/overview.md#recalls). Unlimited
    /// by default.
    /// </summary>
    public long CacheCapacityBytes { get; set; } = long.MaxValue;

    /// <summary>
    /// The permissions of the files the HSM creates in the areas (stage files, published copies): <c>0600</c> by default, <see cref="Areas.CacheArea.GroupFileMode"/> (<c>0640</c>) to share
    /// them with the areas' group. Bits for others, set-id and sticky bits are never given.
    /// </summary>
    public UnixFileMode FileMode { get; set; } = Areas.CacheArea.PrivateFileMode;

    /// <summary>The permissions of the directories the HSM creates in the areas: <c>0700</c> by default, <c>0750</c> for the group.</summary>
    public UnixFileMode DirectoryMode { get; set; } = Areas.CacheArea.PrivateDirectoryMode;

    /// <summary>The tape block size when the tape row records none.</summary>
    public int DefaultBlockSize { get; set; } = Aggregation.BlockSizes.Default;

    /// <summary>Queue a <c>CacheStaged</c> event for the host with each published batch (its queue must be bound).</summary>
    public bool NotifyHost { get; set; } = true;

    /// <summary>Recall sessions started per run at most (one per eligible (VSN, disk library) queue).</summary>
    public int MaxSessionsPerRun { get; set; } = int.MaxValue;
}
