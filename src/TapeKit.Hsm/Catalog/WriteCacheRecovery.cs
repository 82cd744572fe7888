using System.Globalization;
using TapeKit.Checksums;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

/// <summary>What <see cref="WriteCacheRecovery.RecoverAsync"/> did with the writes a crash interrupted.</summary>
/// <param name="Completed">Rows whose cache file was whole: checksums recomputed from it, then C2 with <c>CacheWritten</c>.</param>
/// <param name="RolledBack">Rows whose cache file was partial or missing: the file removed, the row marked aborted (C3).</param>
public sealed record WriteCacheRecoveryReport(IReadOnlyList<long> Completed, IReadOnlyList<long> RolledBack);

/// <summary>
/// Start-up recovery of the write path (docs/hsm/rules.md#file-cache-status-c1c19, C1–C3): a disk mover that died between the <c>CREATED</c> row
/// and its completion left a row nobody finishes. A restarted host resumes each such write whose cache file is whole
/// (the expected size: every chunk was written before the crash; the checksums are recomputed from the file, never
/// trusted from memory) and rolls back the others, so the client's re-send of the same file creates it again.
/// </summary>
public static class WriteCacheRecovery
{
    /// <summary>The failure reason that marks a rolled-back row; <see cref="WriteCacheCatalog.CreateAsync"/> reuses such a row.</summary>
    public const string WriteAborted = "WriteAborted";

    /// <summary>
    /// Resumes or rolls back the interrupted writes of this host: rows <c>CREATED</c>, not deleted, not yet rolled back,
    /// created before <paramref name="createdBefore"/> (this incarnation's start: later rows are writes in progress), and
    /// whose cache file <paramref name="cacheFileOf"/> can name (it returns <see langword="null"/> for rows of disk
    /// libraries another host writes).
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="cacheFileOf">The absolute cache file of a row, or <see langword="null"/> when it is not this host's.</param>
    /// <param name="createdBefore">Only rows created before this instant.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<WriteCacheRecoveryReport> RecoverAsync(
        ICatalog catalog, Func<FileRecord, string?> cacheFileOf, DateTimeOffset createdBefore, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cacheFileOf);
        var completed = new List<long>();
        var rolledBack = new List<long>();
        long after = 0;
        while (true)
        {
            IReadOnlyList<FileRecord> page = await catalog.ReadAsync(txn => txn.QueryFilesAsync(new FileQuery
            {
                CacheStatus = CacheStatus.Created, AfterFileId = after, Limit = 500,
            }), ct);
            if (page.Count == 0)
            {
                break;
            }

            after = page[^1].FileId;
            foreach (FileRecord f in page.Where(f => f.CreatedAt < createdBefore && f.FailureReason != WriteAborted))
            {
                if (cacheFileOf(f) is not { } path)
                {
                    continue;
                }

                if (await ChecksumsOfWholeFileAsync(path, f.Size, ct) is { } checksums)
                {
                    if (await WriteCacheCatalog.CompleteAsync(catalog, f.FileId, f.Size, checksums, ct) is not null)
                    {
                        completed.Add(f.FileId);
                    }
                }
                else if (await MarkAbortedAsync(catalog, f.FileId, path, "write interrupted by a crash; rolled back", ct))
                {
                    rolledBack.Add(f.FileId);
                }
            }
        }

        return new WriteCacheRecoveryReport(completed, rolledBack);
    }

    private static async ValueTask<IReadOnlyList<Checksum>?> ChecksumsOfWholeFileAsync(string path, long size, CancellationToken ct)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.Length != size)
        {
            return null;
        }

        var hasher = new MemberHasher();
        byte[] buffer = new byte[1 << 20];
        await using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
        int read;
        while ((read = await input.ReadAsync(buffer, ct)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, read));
        }

        return HsmChecksums.From(hasher.GetDigest());
    }

    /// <summary>
    /// C3 for a write that failed while its writer runs (a full cache area, an I/O error): the partial file is removed and
    /// the row marked rolled back, so that the client's next attempt with the same external id reopens the row
    /// (<see cref="WriteCacheCatalog.CreateAsync"/>) instead of meeting a name already taken.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The row the failed write created.</param>
    /// <param name="cacheFile">The absolute path of the partial cache file (removed if present).</param>
    /// <param name="reason">Why the write failed, for the audit record.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>Whether the row was rolled back (false: it was not <c>CREATED</c>, or was rolled back already).</returns>
    public static ValueTask<bool> RollBackAsync(ICatalog catalog, long fileId, string cacheFile, string reason, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrEmpty(cacheFile);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        return MarkAbortedAsync(catalog, fileId, cacheFile, "write failed: " + reason, ct);
    }

    /// <summary>C3: the partial file goes first, then the row is marked — a crash in between only repeats the removal.</summary>
    private static async ValueTask<bool> MarkAbortedAsync(ICatalog catalog, long fileId, string path, string reason, CancellationToken ct)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // The write died before it made the file's directory (a batch's rows are created before its files are written):
            // nothing to remove. Found by the crash test and the fault campaign's kills: the daemon stopped at every start.
        }

        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        if (await txn.GetFileAsync(fileId) is not { CacheStatus: CacheStatus.Created } f || f.FailureReason == WriteAborted)
        {
            return false;
        }

        await txn.UpdateFileAsync(f with { FailureReason = WriteAborted });
        await txn.AddTransitionAsync(new TransitionRecord(CatalogTransitions.FileCacheEntity, fileId.ToString(CultureInfo.InvariantCulture),
            StateNames.Of(CacheStatus.Created), StateNames.Of(CacheStatus.Created), "C3", HsmActor.DiskMover, reason, txn.Now));
        await txn.CommitAsync(ct);
        return true;
    }
}
