using TapeKit;

namespace SmallFilesCache;

/// <summary>What the inbox walk made of one entry.</summary>
public enum InboxVerdict
{
    /// <summary>Ingested into the write cache and removed from the inbox.</summary>
    Ingested,

    /// <summary>Ingested by an earlier run that stopped before removing it; removed now.</summary>
    AlreadyIngested,

    /// <summary>Left in the inbox for a later round: a name starting with <c>.</c> (still being written by convention), modified too recently, or a resource is exhausted (a full cache area, no file descriptor left), or an earlier ingest of the same name is unfinished (its row <c>CREATED</c>, waiting for its recovery).</summary>
    NotYet,

    /// <summary>Refused and moved under <c>rejected/</c>, never read (a link, a special file, a hard link, a bad name) or not ingested (an error).</summary>
    Rejected,
}

/// <summary>One inbox entry and what became of it.</summary>
/// <param name="RelativePath">Its path below the inbox (the namespace path without the leading <c>/</c>).</param>
/// <param name="Verdict">What the daemon did.</param>
/// <param name="Kind">For a refusal for safety, why (<see cref="UnsafeOperationKind"/>); otherwise <see langword="null"/>.</param>
/// <param name="Reason">A sentence for the log; empty when ingested.</param>
public sealed record InboxEntry(string RelativePath, InboxVerdict Verdict, UnsafeOperationKind? Kind, string Reason);
