using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Diagnostics;

/// <summary>
/// Checks the catalogue invariants of spec/hsm.md §3.1 that the catalogue side can see: I1, I2, I4, plus the list
/// invariants (claims match an <c>ACTIVE</c> list at that attempt; every member of a live archive list is eligible or
/// claimed by it). I3 needs segment rows and belongs to the tape side.
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
