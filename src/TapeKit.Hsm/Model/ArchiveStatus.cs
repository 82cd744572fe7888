namespace TapeKit.Hsm.Model;

/// <summary>The archive status of a file (docs/hsm/rules.md#file-archive-status-a1a5).</summary>
public enum ArchiveStatus
{
    /// <summary><c>NONE</c>: not on tape and not being written (Enstore: null).</summary>
    None,
    /// <summary><c>ARCHIVING</c>: claimed by an archive list attempt.</summary>
    Archiving,
    /// <summary><c>ARCHIVED</c>: every required copy is synced on tape and committed.</summary>
    Archived,
    /// <summary><c>FAILED</c>: attempts exhausted or the source was lost; an alarm was raised.</summary>
    Failed,
}
