namespace TapeKit.Hsm.StateMachines;

/// <summary>The events of the file cache-status machine (docs/hsm/rules.md#file-cache-status-c1c19); the rule id is in each summary.</summary>
public enum FileCacheEvent
{
    /// <summary>C2: write finished, bytes flushed, size and checksums computed.</summary>
    WriteFinished,
    /// <summary>C4: a cache miss on a purged, archived file.</summary>
    CacheMissed,
    /// <summary>C5: a stage list holding the file was claimed.</summary>
    StageClaimed,
    /// <summary>C6: extracted into the stage area, checksum verified.</summary>
    Extracted,
    /// <summary>C7: published into the read cache by atomic rename.</summary>
    Published,
    /// <summary>C8: retryable stage failure, lease expiry or back-pressure.</summary>
    StageRequeued,
    /// <summary>C9: no readable copy, or attempts exhausted.</summary>
    StageFailed,
    /// <summary>C10: selected by the purger.</summary>
    PurgeSelected,
    /// <summary>C11: pin or read arrived before the purge started.</summary>
    PurgeCancelled,
    /// <summary>C12: a purge list holding the file was claimed.</summary>
    PurgeClaimed,
    /// <summary>C13: the cache copy was deleted.</summary>
    CopyDeleted,
    /// <summary>C14: delete failed, or a pin arrived.</summary>
    PurgeAborted,
    /// <summary>C15: the write-cache copy was removed after archive (write cache ≠ read cache).</summary>
    WriteCopyRemoved,
    /// <summary>C16: every recall request for the file was cancelled before a stage list claimed it.</summary>
    RecallCancelled,
    /// <summary>C17: the cache copy is missing or its checksum differs before archive.</summary>
    LostBeforeArchive,
    /// <summary>C18: an unrequested member of a whole-aggregation read was published (speculative).</summary>
    SpeculativelyPublished,
    /// <summary>C19: operator retry of a failed stage.</summary>
    OperatorRetry,
    /// <summary>C19: operator repair of a failed cache copy.</summary>
    OperatorRepair,
}
