namespace TapeKit.Hsm.Migration;

/// <summary>The steps of docs/hsm/overview.md#the-archive-commit a migrator reports to <see cref="Migrator.StepObserver"/> (tests crash it there).</summary>
public enum ArchiveStep
{
    /// <summary>Step 1 done: the list is claimed.</summary>
    Claimed,
    /// <summary>Step 3 done: the aggregation is <c>WRITING</c>; its tape file is about to be written.</summary>
    WriteStarted,
    /// <summary>Step 4 done: the tape file is written behind a buffered mark, not yet synced.</summary>
    Written,
    /// <summary>Step 5 done: the session's files are synced, not yet committed.</summary>
    Synced,
    /// <summary>Step 6 done: the list is committed.</summary>
    Committed,
}
