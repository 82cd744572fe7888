namespace TapeKit.Hsm.Model;

/// <summary>The cache status of a file (docs/hsm/rules.md#file-cache-status-c1c19; Enstore <c>file_cache_status.py</c>).</summary>
public enum CacheStatus
{
    /// <summary><c>CREATED</c>: the disk mover opened the file; bytes are still arriving.</summary>
    Created,
    /// <summary><c>STAGING_REQUESTED</c>: a reader missed the file; a recall request is queued.</summary>
    StagingRequested,
    /// <summary><c>STAGING</c>: a stage list holding the file was claimed.</summary>
    Staging,
    /// <summary><c>STAGED</c>: extracted into the stage area and verified, not yet published.</summary>
    Staged,
    /// <summary><c>CACHED</c>: a copy is in the write or read cache.</summary>
    Cached,
    /// <summary><c>PURGING_REQUESTED</c>: selected by the purger.</summary>
    PurgingRequested,
    /// <summary><c>PURGING</c>: a purge list holding the file was claimed.</summary>
    Purging,
    /// <summary><c>PURGED</c>: no cache copy; the file lives on tape only.</summary>
    Purged,
    /// <summary><c>FAILED</c>: the cache copy was lost, or staging failed for good.</summary>
    Failed,
}

/// <summary>Questions about cache states.</summary>
public static class CacheStatuses
{
    /// <summary>Whether a file in this state has bytes in its cache area (counted against the area's capacity).</summary>
    /// <param name="status">The state.</param>
    public static bool HoldsCacheCopy(this CacheStatus status) =>
        status is CacheStatus.Staging or CacheStatus.Staged or CacheStatus.Cached or CacheStatus.PurgingRequested or CacheStatus.Purging;
}
