namespace TapeKit.Hsm.Model;

/// <summary>The state of a file list (docs/hsm/rules.md#file-lists-l1l11).</summary>
public enum FileListState
{
    /// <summary><c>FILLING</c>: open, members are being appended.</summary>
    Filling,
    /// <summary><c>FILLED</c>: closed, waiting to be sent (or re-sent after a back-off).</summary>
    Filled,
    /// <summary><c>ACTIVE</c>: sent to a disk library's queue, possibly claimed by a migrator.</summary>
    Active,
    /// <summary><c>DONE</c>: all work committed, or the list became empty.</summary>
    Done,
    /// <summary><c>SUPERSEDED</c>: replaced by new lists holding only the eligible members.</summary>
    Superseded,
    /// <summary><c>DEAD</c>: attempts exhausted or a non-retryable failure; dead-lettered.</summary>
    Dead,
}
