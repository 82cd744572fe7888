namespace TapeKit.Hsm.Messaging;

/// <summary>The <see cref="Envelope.Type"/> strings of HSM messages (docs/hsm/overview.md#messages).</summary>
public static class HsmMessageTypes
{
    /// <summary><c>CacheWritten</c>.</summary>
    public const string CacheWritten = "hsm.evt.cacheWritten";
    /// <summary><c>NamespaceDeleted</c>.</summary>
    public const string NamespaceDeleted = "hsm.evt.namespaceDeleted";
    /// <summary><c>FileArchived</c>.</summary>
    public const string FileArchived = "hsm.evt.fileArchived";

    /// <summary><c>Stage</c> (docs/hsm/overview.md#messages): read, verify and publish the files of a stage list from one tape.</summary>
    public const string Stage = "hsm.cmd.stage";

    /// <summary><c>Staged</c> (docs/hsm/overview.md#messages): a stage list is done; which files were published, re-queued or failed.</summary>
    public const string Staged = "hsm.rep.staged";

    /// <summary><c>Purge</c> (docs/hsm/overview.md#messages): delete the cache copies of a purge list.</summary>
    public const string Purge = "hsm.cmd.purge";

    /// <summary><c>Purged</c> (docs/hsm/overview.md#messages): a purge list is done; which copies went, which were kept.</summary>
    public const string Purged = "hsm.rep.purged";

    /// <summary><c>CacheStaged</c>: recalled files are in the read cache.</summary>
    public const string CacheStaged = "hsm.evt.cacheStaged";

    /// <summary><c>CachePurged</c>: cache copies were removed.</summary>
    public const string CachePurged = "hsm.evt.cachePurged";
    /// <summary><c>Archive</c>.</summary>
    public const string Archive = "hsm.cmd.archive";
    /// <summary><c>Confirmation</c>.</summary>
    public const string Confirmation = "hsm.rep.confirmation";
    /// <summary><c>Archived</c>.</summary>
    public const string Archived = "hsm.rep.archived";
    /// <summary><c>Busy</c>.</summary>
    public const string Busy = "hsm.rep.busy";
    /// <summary><c>Failed</c>.</summary>
    public const string Failed = "hsm.rep.failed";
    /// <summary><c>StatusReport</c>.</summary>
    public const string StatusReport = "hsm.rep.statusReport";
}
