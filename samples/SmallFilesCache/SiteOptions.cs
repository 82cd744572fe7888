using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.Recall;

namespace SmallFilesCache;

/// <summary>The site: where it lives, its disk libraries, its tape library and its policies (appsettings.json, section "Site").</summary>
public sealed class SiteOptions
{
    /// <summary>The directory holding the catalogue, the caches and the virtual tape library.</summary>
    public string Root { get; set; } = "";

    /// <summary>The disk libraries (Enstore SFA: one per cache server group), each with its own drives and tape pool.</summary>
    public List<DiskLibraryOptions> DiskLibraries { get; set; } = [];

    /// <summary>The media profile of the cartridges (docs/devices/st-driver.md#simulated-time).</summary>
    public string Media { get; set; } = "LTO-9";

    /// <summary>Blank cartridges created per tape pool when the site is first set up.</summary>
    public int TapesPerPool { get; set; } = 3;

    /// <summary>The policy set deciding disk library, format, pool and list limits per file.</summary>
    public PolicySet Policies { get; set; } = new();

    /// <summary>Recall and mount policy (docs/hsm/overview.md#recalls).</summary>
    public RecallOptions Recall { get; set; } = new();

    /// <summary>The purge policy's minimum time since last access (docs/hsm/overview.md#purging).</summary>
    public TimeSpan PurgeMinAge { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Purge when the cache is this full (used fraction); unset with <see cref="PurgeLowWatermark"/> purges every eligible copy.</summary>
    public double? PurgeHighWatermark { get; set; } = 0.90;

    /// <summary>Purge down to this used fraction.</summary>
    public double? PurgeLowWatermark { get; set; } = 0.80;

    /// <summary>How long a cartridge stays in its drive after its last session (the spec's <c>DismountDelay</c>).</summary>
    public TimeSpan DismountDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the daemon runs its loop when idle.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long a write or read session waits for the drive scheduler to grant it a drive before its migrator answers
    /// <c>Busy</c> and the dispatcher sends the lists again later. Unset: <see cref="PollInterval"/>. At most half of
    /// <see cref="WorkLease"/> (the lists' leases are not renewed while the session waits).
    /// </summary>
    public TimeSpan? MountWait { get; set; }

    /// <summary>
    /// This daemon's stable instance name (<c>host/role</c>); each start is a new incarnation of it with a new epoch, and
    /// its workers' ids (list owners, tape reservations, queue leases) name the incarnation. Empty: <c>machine/smallfilescache</c>.
    /// Two daemons over one catalogue need two names.
    /// </summary>
    public string InstanceName { get; set; } = "";

    /// <summary>The work lease of claimed lists, and the dispatcher's start-up grace for owners it cannot prove dead.</summary>
    public TimeSpan WorkLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The PostgreSQL catalogue's connection string (Npgsql form). Empty: the embedded default, one SQLite file under
    /// <see cref="Root"/>, which only one process may use. Set, the site can run as separate processes (roles).
    /// </summary>
    public string Postgres { get; set; } = "";

    /// <summary>
    /// The SQLite catalogue's file (without <see cref="Postgres"/>); relative paths are under <see cref="Root"/>. Empty:
    /// <c>catalogue.db</c> under <see cref="Root"/>. A file system of its own keeps a full cache area from filling the
    /// catalogue's disk too (the daemon waits out either, see docs/reliability.md).
    /// </summary>
    public string CatalogueFile { get; set; } = "";

    /// <summary>The PostgreSQL schema holding the catalogue and its queue.</summary>
    public string PostgresSchema { get; set; } = "tapekit_hsm";

    /// <summary>A RabbitMQ broker's AMQP URI for the bus; empty: the catalogue's own queue (SQLite or PostgreSQL).</summary>
    public string RabbitMq { get; set; } = "";

    /// <summary>The prefix of the RabbitMQ exchanges and queues (several sites on one virtual host).</summary>
    public string RabbitMqPrefix { get; set; } = "";

    /// <summary>
    /// Whether several processes open the virtual tape library (the roles of a clustered site): robot moves and
    /// drives are locked across processes, the way hosts share a SCSI library.
    /// </summary>
    public bool SharedTapeLibrary { get; set; }

    /// <summary>
    /// Whether the disk libraries share every drive of the tape library through the drive scheduler (leases in the
    /// catalogue; the default), instead of each using the drives of its <see cref="DiskLibraryOptions.Drives"/> alone.
    /// With the scheduler no process of the site picks a drive itself: one tape is mounted once however many sessions
    /// want it, read and write mounts of a tape never mix, and a drive a killed process held comes back by its lease.
    /// </summary>
    public bool ScheduleDrives { get; set; } = true;

    /// <summary>How long a consumer's received message stays hidden from the others (a killed process's come back after it).</summary>
    public TimeSpan MessageLease { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Whether the site's group may read what the daemon writes: files <c>0640</c> and directories <c>0750</c> instead of
    /// <c>0600</c> and <c>0700</c> (cache, stage, rejected files, catalogue). Nothing is ever readable by other users.
    /// </summary>
    public bool GroupAccess { get; set; }

    /// <summary>
    /// How long an inbox file must have been left unmodified before it is ingested: a safety net for producers that write
    /// in place. The documented convention is to write elsewhere on the same file system (or under a name starting with
    /// <c>.</c>, which the daemon never ingests) and rename the finished file into the inbox.
    /// </summary>
    public TimeSpan InboxSettleTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The most entries one recall list may hold; a longer list is set aside whole under <c>rejected-recalls/</c>.</summary>
    public int RecallListMaxEntries { get; set; } = 100_000;

    /// <summary>
    /// Whether an ingest batch holds no more inbox files than the process's descriptor limit leaves room for
    /// (<see cref="DescriptorBudget"/>: the runtime's reserve and the cache copies in flight stay free). Off, a batch holds
    /// up to <see cref="InboxIngest.BatchFiles"/> files whatever the limit, and a table that fills stops the walk for the
    /// round and hands half the batch back — the fallback, which tests exercise this way.
    /// </summary>
    public bool IngestBatchesFitDescriptorLimit { get; set; } = true;

    /// <summary>The permissions of the files the daemon creates (<see cref="GroupAccess"/>).</summary>
    public UnixFileMode FileMode => GroupAccess ? CacheArea.GroupFileMode : CacheArea.PrivateFileMode;

    /// <summary>The permissions of the directories the daemon creates (<see cref="GroupAccess"/>).</summary>
    public UnixFileMode DirectoryMode => GroupAccess ? CacheArea.GroupDirectoryMode : CacheArea.PrivateDirectoryMode;
}

/// <summary>One disk library: a cache area and the drives its migrator uses.</summary>
public sealed class DiskLibraryOptions
{
    /// <summary>The name policies route to.</summary>
    public string Name { get; set; } = "";

    /// <summary>
    /// The library's drive numbers this disk library brings to the site. With <see cref="SiteOptions.ScheduleDrives"/>
    /// (the default) they make up the tape library's drives, which every disk library's sessions share through the
    /// scheduler; without it, the drives this disk library's migrator and stager use alone.
    /// </summary>
    public List<int> Drives { get; set; } = [];

    /// <summary>The cache area's capacity, for the purge watermarks.</summary>
    public long CacheCapacityBytes { get; set; } = 100L << 30;
}
