using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Migration;

/// <summary>The outcome of a migrator's claim of an archive list attempt.</summary>
public enum ArchiveClaimOutcome
{
    /// <summary>Claimed: the list is the caller's until its lease ends; members are <c>ARCHIVING</c>.</summary>
    Claimed,
    /// <summary>The attempt is not current (re-sent, superseded, done) or another owner holds it: acknowledge and drop the command.</summary>
    Stale,
    /// <summary>Some members are no longer eligible; nothing was claimed and <c>Failed(RebuildPackage)</c> was queued.</summary>
    RebuildQueued,
}

/// <summary>The result of <see cref="ArchiveListWork.ClaimAsync"/>.</summary>
/// <param name="Outcome">What happened.</param>
/// <param name="List">The list row after the claim (or as read).</param>
/// <param name="Members">The claimed members, authoritative from the catalogue (docs/hsm/overview.md#messages: inline members are only hints).</param>
/// <param name="Ineligible">Members that failed the A1 check.</param>
public sealed record ArchiveClaim(ArchiveClaimOutcome Outcome, FileListRecord? List, IReadOnlyList<FileRecord> Members, IReadOnlyList<long> Ineligible);
