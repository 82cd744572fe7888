using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Diagnostics;

/// <summary>
/// Checks the catalogue invariants of spec/hsm.md §3.1: I1–I4, plus claim consistency (an <c>ARCHIVING</c> file's claim
/// names an <c>ACTIVE</c> list at that attempt; no other file holds a claim), member counts of open lists, and that every
/// member of an <c>ON_TAPE</c> aggregation is archived (nothing is on tape that the catalogue does not acknowledge).
/// </summary>
public static class HsmInvariants
{
    /// <summary>Returns one sentence per violation; empty when all hold.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="listTimerInterval">The grace of I2 for files that arrived recently.</param>
    /// <param name="ct">Cancels the check.</param>
    public static async ValueTask<IReadOnlyList<string>> CheckAsync(ICatalog catalog, TimeSpan listTimerInterval, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var problems = new List<string>();
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        IReadOnlyList<FileRecord> files = await txn.QueryFilesAsync(new FileQuery { IncludeDeleted = true });
        IReadOnlyList<FileListRecord> lists = await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive });
        var liveOf = new Dictionary<long, List<FileListRecord>>();
        foreach (FileListRecord list in lists.Where(l => l.IsLive))
        {
            foreach (long id in await txn.GetListMembersAsync(list.ListId))
            {
                if (!liveOf.TryGetValue(id, out List<FileListRecord>? l))
                {
                    liveOf[id] = l = [];
                }

                l.Add(list);
            }
        }

        var byId = lists.ToDictionary(l => l.ListId);
        foreach (FileRecord f in files)
        {
            if (f.CacheStatus is CacheStatus.PurgingRequested or CacheStatus.Purging or CacheStatus.Purged or CacheStatus.StagingRequested
                or CacheStatus.Staging or CacheStatus.Staged && f.ArchiveStatus != ArchiveStatus.Archived)
            {
                problems.Add($"I1: file {f.FileId} is {f.CacheStatus} but {f.ArchiveStatus}.");
            }

            int live = liveOf.TryGetValue(f.FileId, out List<FileListRecord>? ls) ? ls.Count : 0;
            if (f.IsArchiveEligible && live != 1 && txn.Now - (f.CachedAt ?? f.CreatedAt) >= listTimerInterval)
            {
                problems.Add($"I2: file {f.FileId} is CACHED, NONE and not deleted but in {live} live archive lists.");
            }

            if (live > 1)
            {
                problems.Add($"I4: file {f.FileId} is in {live} live archive lists.");
            }

            IReadOnlyList<(AggregationRecord Aggregation, AggregationMember Member)> copies = await txn.GetCopiesOfFileAsync(f.FileId);
            int onTape = copies.Count(c => c.Aggregation.State == AggregationState.OnTape);
            if (f.ArchiveStatus == ArchiveStatus.Archived && copies.Where(c => c.Aggregation.State == AggregationState.OnTape).Select(c => c.Aggregation.CopyNb).Distinct().Count() < f.Decision.CopyCount)
            {
                problems.Add($"I3: file {f.FileId} is ARCHIVED with {onTape} of {f.Decision.CopyCount} copies ON_TAPE.");
            }

            if (f.ArchiveStatus != ArchiveStatus.Archived && onTape > 0)
            {
                problems.Add($"Aggregation: file {f.FileId} is a member of an ON_TAPE aggregation but {f.ArchiveStatus}.");
            }

            if (f.ArchiveStatus == ArchiveStatus.Archiving)
            {
                if (f.ArchiveClaim is not { } claim || !byId.TryGetValue(claim.ListId, out FileListRecord? owner)
                    || owner.State != FileListState.Active || owner.Attempt != claim.Attempt)
                {
                    problems.Add($"Claim: file {f.FileId} is ARCHIVING under {f.ArchiveClaim?.ToString() ?? "no claim"}, which is not an ACTIVE list at that attempt.");
                }
            }
            else if (f.ArchiveClaim is not null)
            {
                problems.Add($"Claim: file {f.FileId} is {f.ArchiveStatus} but still holds claim {f.ArchiveClaim}.");
            }
        }

        foreach (FileListRecord list in lists.Where(l => l.State is FileListState.Filling or FileListState.Filled))
        {
            IReadOnlyList<long> members = await txn.GetListMembersAsync(list.ListId);
            if (members.Count != list.MemberCount)
            {
                problems.Add($"List {list.ListId:N} counts {list.MemberCount} members but has {members.Count}.");
            }
        }

        return problems;
    }
}
