using TapeKit.Aggregation;

namespace TapeKit.Hsm.Migration;

/// <summary>Options of one migrator (docs/hsm/overview.md#roles): one per node and disk library.</summary>
public sealed class MigratorOptions
{
    /// <summary>The migrator instance id: the owner recorded in claims and tape mount leases.</summary>
    public string MigratorId { get; set; } = "migrator";

    /// <summary>The disk library whose command queue this migrator serves.</summary>
    public string DiskLibrary { get; set; } = "";

    /// <summary>The root of the disk library's write-cache area; a file's <c>cachePath</c> is relative to it.</summary>
    public string CacheRoot { get; set; } = "";

    /// <summary>The work lease taken with a claim and renewed between tape files.</summary>
    public TimeSpan WorkLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The message lease of received commands.</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Concurrent workers at most (docs/hsm/overview.md#roles; TapeKit default 16): one per tape pool of the commands taken in a
    /// round, each a write session on its own drive. Without a free drive a worker answers <c>Busy</c>.
    /// </summary>
    public int MaxProcess { get; set; } = 16;

    /// <summary>Archive lists taken into one tape session at most (one mount, one final sync).</summary>
    public int MaxListsPerSession { get; set; } = 64;

    /// <summary>When a write session synchronises its buffered tape marks.</summary>
    public FlushOptions Flush { get; set; } = new();

    /// <summary>The tape block size when the tape row records none.</summary>
    public int DefaultBlockSize { get; set; } = BlockSizes.Default;

    /// <summary>
    /// Delete write-cache copies once archived (C15), for sites whose write cache is not their read cache. Off by
    /// default: the purger then frees the space by its policy (docs/hsm/overview.md#purging).
    /// </summary>
    public bool PurgeWriteCacheAfterArchive { get; set; }

    /// <summary>The retry hint of a BUSY reply when every drive of the migrator is in use.</summary>
    public TimeSpan BusyRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a tape mount lease lasts in the catalogue (keeps other migrators off the tape).</summary>
    public TimeSpan MountLease { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// Members of an aggregation read from the cache ahead of the drive, on other threads (0: one after the other on
    /// the drive thread). A member larger than <see cref="ReadAheadBytes"/> / 16 (or 1 MiB) is read by the drive thread
    /// itself.
    /// </summary>
    public int ReadAheadFiles { get; set; } = 256;

    /// <summary>
    /// Tapes of one pool written at once by all the migrators of the site together (0, the default: no limit). With
    /// several migrators serving one disk library, each would otherwise open its own tape of the pool, and the same
    /// files would be spread over more tapes and mounts than one migrator makes (Enstore calls this a file family's
    /// width). A migrator that finds the pool at its width answers <c>Busy</c>, uncharged.
    /// </summary>
    public int MaxWriteTapesPerPool { get; set; }

    /// <summary>The memory those members may hold per write session.</summary>
    public long ReadAheadBytes { get; set; } = 64L << 20;
}
