namespace TapeKit.Hsm.StateMachines;

/// <summary>The events of the file-list machine (docs/hsm/rules.md#file-lists-l1l11).</summary>
public enum FileListEvent
{
    /// <summary>L2: a closing rule fired, or an admin flush.</summary>
    Closed,
    /// <summary>L3: the list is due and sent; <c>attempt += 1</c>.</summary>
    Sent,
    /// <summary>L4: a migrator claimed the current attempt.</summary>
    ClaimedByMigrator,
    /// <summary>L5: the owner renewed its lease.</summary>
    LeaseRenewed,
    /// <summary>L6: all work committed.</summary>
    Completed,
    /// <summary>L7: busy, retryable failure, lease expiry or an unknown status; back to <c>FILLED</c> with a back-off.</summary>
    Requeued,
    /// <summary>L8: rebuilt from catalogue truth into new lists.</summary>
    Superseded,
    /// <summary>L9: attempts exhausted or a non-retryable failure.</summary>
    Killed,
    /// <summary>L10: operator retry.</summary>
    OperatorRetry,
    /// <summary>L11: the list became empty.</summary>
    Emptied,
}
