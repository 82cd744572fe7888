using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Diagnostics;

/// <summary>
/// Checks the catalogue invariants I1–I4 (docs/hsm/rules.md#invariants-i1i4), plus claim consistency (an <c>ARCHIVING</c> file's claim
/// names an <c>ACTIVE</c> list at that attempt; no other file holds a claim), member counts of open lists, and that every
/// member of an <c>ON_TAPE</c> aggregation is archived (nothing is on tape that the catalogue does not acknowledge).
/// Files are read as a stream of pages, so memory stays bounded by the live lists and one page, whatever the size of
/// the catalogue; <see cref="InvariantScope.Live"/> reads only the files whose states are still moving.
/// </summary>
public static class HsmInvariants
{
    /// <summary>At most this many violations are listed; the last line says how many more there were.</summary>
    public const int MaxListed = 1000;

    /// <summary>Checks every file (<see cref="InvariantScope.Full"/>); returns one sentence per violation, empty when all hold.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="listTimerInterval">The grace of I2 for files that arrived recently.</param>
    /// <param name="ct">Cancels the check.</param>
    public static ValueTask<IReadOnlyList<string>> CheckAsync(ICatalog catalog, TimeSpan listTimerInterval, CancellationToken ct = default) =>
        CheckAsync(catalog, listTimerInterval, InvariantScope.Full, ct);

    /// <summary>Returns one sentence per violation; empty when all hold.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="listTimerInterval">The grace of I2 for files that arrived recently.</param>
    /// <param name="scope">Every file, or only those whose states are still moving.</param>
    /// <param name="ct">Cancels the check.</param>
    public static async ValueTask<IReadOnlyList<string>> CheckAsync(ICatalog catalog, TimeSpan listTimerInterval, InvariantScope scope, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var problems = new Problems();
        var liveOf = new Dictionary<long, List<FileListRecord>>();
        Dictionary<Guid, FileListRecord> live;
        await using (ICatalogTransaction txn = await catalog.BeginAsync(ct))
        {
            live = (await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive, States = ListQuery.LiveStates })).ToDictionary(l => l.ListId);
            foreach (FileListRecord list in live.Values)
            {
                IReadOnlyList<long> members = await txn.GetListMembersAsync(list.ListId);
                if (list.State is FileListState.Filling or FileListState.Filled && members.Count != list.MemberCount)
                {
                    problems.Add($"List {list.ListId:N} counts {list.MemberCount} members but has {members.Count}.");
                }

                foreach (long id in members)
                {
                    if (!liveOf.TryGetValue(id, out List<FileListRecord>? l))
                    {
                        liveOf[id] = l = [];
                    }

                    l.Add(list);
                }
            }
        }

        DateTimeOffset now = catalog.Time.GetUtcNow();
        foreach (FileQuery query in QueriesFor(scope))
        {
            // A page of files and their copies per short read transaction: memory stays at one page, and no file costs a
            // transaction of its own.
            long after = 0;
            IReadOnlyList<FileRecord> page;
            do
            {
                await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
                page = await txn.QueryFilesAsync(query with { AfterFileId = after, Limit = CatalogPaging.DefaultPageSize });
                foreach (FileRecord f in page)
                {
                    CheckFile(f, await txn.GetCopiesOfFileAsync(f.FileId), liveOf, live, now, listTimerInterval, problems);
                }

                after = page.Count > 0 ? page[^1].FileId : after;
            }
            while (page.Count == CatalogPaging.DefaultPageSize);
        }

        return problems.ToList();
    }

    private static IEnumerable<FileQuery> QueriesFor(InvariantScope scope)
    {
        if (scope == InvariantScope.Full)
        {
            yield return new FileQuery { IncludeDeleted = true };
            yield break;
        }

        // Everything but the settled bulk of an aged catalogue: archived files, in the cache or purged from it.
        foreach (CacheStatus cache in Enum.GetValues<CacheStatus>())
        {
            foreach (ArchiveStatus archive in Enum.GetValues<ArchiveStatus>())
            {
                if (archive != ArchiveStatus.Archived || cache is not (CacheStatus.Cached or CacheStatus.Purged))
                {
                    yield return new FileQuery { CacheStatus = cache, ArchiveStatus = archive, IncludeDeleted = true };
                }
            }
        }
    }

    private static void CheckFile(
        FileRecord f, IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)> copies, Dictionary<long, List<FileListRecord>> liveOf,
        Dictionary<Guid, FileListRecord> live, DateTimeOffset now, TimeSpan listTimerInterval, Problems problems)
    {
        if (f.CacheStatus is CacheStatus.PurgingRequested or CacheStatus.Purging or CacheStatus.Purged or CacheStatus.StagingRequested
            or CacheStatus.Staging or CacheStatus.Staged && f.ArchiveStatus != ArchiveStatus.Archived)
        {
            problems.Add($"I1: file {f.FileId} is {f.CacheStatus} but {f.ArchiveStatus}.");
        }

        int lists = liveOf.TryGetValue(f.FileId, out List<FileListRecord>? ls) ? ls.Count : 0;
        if (f.IsArchiveEligible && lists != 1 && now - (f.CachedAt ?? f.CreatedAt) >= listTimerInterval)
        {
            problems.Add($"I2: file {f.FileId} is CACHED, NONE and not deleted but in {lists} live archive lists.");
        }

        if (lists > 1)
        {
            problems.Add($"I4: file {f.FileId} is in {lists} live archive lists.");
        }

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
            if (f.ArchiveClaim is not { } claim || !live.TryGetValue(claim.ListId, out FileListRecord? owner)
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

    /// <summary>The violations found, the first <see cref="MaxListed"/> in words and the rest counted.</summary>
    private sealed class Problems
    {
        private readonly List<string> _listed = [];
        private long _more;

        public void Add(string problem)
        {
            if (_listed.Count < MaxListed)
            {
                _listed.Add(problem);
            }
            else
            {
                _more++;
            }
        }

        public List<string> ToList() =>
            _more == 0 ? _listed : [.. _listed, string.Create(System.Globalization.CultureInfo.InvariantCulture, $"… and {_more} more violations.")];
    }
}

/// <summary>What an invariant check reads.</summary>
public enum InvariantScope
{
    /// <summary>Only the files whose states still move — everything but archived files in the cache or purged from it — and the live lists: its cost follows the live work.</summary>
    Live,

    /// <summary>Every file: an audit whose cost grows with the catalogue (memory does not).</summary>
    Full,
}
