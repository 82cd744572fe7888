using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;

namespace TapeKit.Hsm.Staging;

/// <summary>The recall requests waiting in the catalogue (files <c>STAGING_REQUESTED</c>) as the planner sees them.</summary>
internal static class RecallRequests
{
    /// <summary>
    /// The waiting requests with every copy of their file, the tapes' states, and — when <paramref name="measureUsage"/>
    /// — the bytes the disk library's cache area holds (which needs every file row of the disk library).
    /// </summary>
    /// <param name="txn">A transaction.</param>
    /// <param name="diskLibrary">One disk library, or all.</param>
    /// <param name="measureUsage">Also sum the cache area's bytes.</param>
    /// <param name="skipListed">Leave out files already in a live stage list (the dispatcher's planning).</param>
    public static async ValueTask<(List<RecallRequest> Requests, Dictionary<string, TapeStatus> Tapes, long UsedBytes)> LoadAsync(
        ICatalogTransaction txn, string? diskLibrary, bool measureUsage, bool skipListed)
    {
        var tapes = (await txn.QueryTapesAsync()).ToDictionary(
            t => t.Vsn, t => new TapeStatus(t.Vsn, t.State, LastUnmountedAt: t.LastUnmountedAt), StringComparer.Ordinal);
        var requests = new List<RecallRequest>();
        long used = 0;
        foreach (FileRecord f in await txn.QueryFilesAsync(new FileQuery { DiskLibrary = diskLibrary, CacheStatus = measureUsage ? null : CacheStatus.StagingRequested }))
        {
            used += f.CacheStatus.HoldsCacheCopy() ? f.Size : 0;
            if (f.CacheStatus != CacheStatus.StagingRequested || (skipListed && await txn.FindLiveListOfFileAsync(f.FileId, FileListKind.Stage) is not null))
            {
                continue;
            }

            requests.Add(new RecallRequest(RequestIdOf(f), f.FileId, f.Size, f.Decision.DiskLibrary, f.Decision.Priority, f.LastAccessAt ?? f.CreatedAt,
                await CopiesAsync(txn, f.FileId)));
        }

        return (requests, tapes, used);
    }

    /// <summary>Every tape copy of a file that a recall may use (<c>ON_TAPE</c>, and <c>DAMAGED</c> ones flagged so).</summary>
    /// <param name="txn">A transaction.</param>
    /// <param name="fileId">The file.</param>
    public static async ValueTask<List<RecallCopy>> CopiesAsync(ICatalogTransaction txn, long fileId)
    {
        var copies = new List<RecallCopy>();
        foreach ((AggregationRecord a, AggregationMember m) in await txn.GetCopiesOfFileAsync(fileId))
        {
            if (a.TapeFile is { } tf && a.State is AggregationState.OnTape or AggregationState.Damaged)
            {
                copies.Add(new RecallCopy(a.CopyNb, new MemberLocator(tf, a.AggregationId, m.Index, m.BlockIndex, m.OffsetInBlock, m.PayloadOffset),
                    a.PayloadBytes, a.MemberCount, Damaged: a.State == AggregationState.Damaged));
            }
        }

        return copies;
    }

    /// <summary>A request id stable for one miss of one file: the file id and the time of the miss.</summary>
    /// <param name="file">The file.</param>
    public static Guid RequestIdOf(FileRecord file)
    {
        Span<byte> bytes = stackalloc byte[16];
        BitConverter.TryWriteBytes(bytes, file.FileId);
        BitConverter.TryWriteBytes(bytes[8..], (file.LastAccessAt ?? file.CreatedAt).UtcTicks);
        return new Guid(bytes);
    }
}
