namespace TapeKit.Hsm.StateMachines;

/// <summary>The events of the file archive-status machine (docs/hsm/rules.md#file-archive-status-a1a5).</summary>
public enum FileArchiveEvent
{
    /// <summary>A1: an archive list attempt claimed the file.</summary>
    Claimed,
    /// <summary>A2: commit after a synchronising flush.</summary>
    Committed,
    /// <summary>A3: retryable failure, lease expiry, or a tape error invalidating unsynced work.</summary>
    Released,
    /// <summary>A4: attempts exhausted or a non-retryable reason.</summary>
    GivenUp,
    /// <summary>A5: operator retry.</summary>
    OperatorRetry,
}
