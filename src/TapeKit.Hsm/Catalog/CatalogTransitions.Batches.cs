using System.Globalization;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

public static partial class CatalogTransitions
{
    /// <summary>
    /// Creates file rows in <c>CREATED</c> (C1) with their audit rows: <see cref="CreateFileAsync"/> for a batch, in two
    /// batch writes.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="files">The new rows; each must be <c>CREATED</c> and <c>NONE</c>.</param>
    public static async ValueTask CreateFilesAsync(this ICatalogTransaction txn, IReadOnlyList<FileRecord> files)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(files);
        foreach (FileRecord file in files)
        {
            if (file.CacheStatus != CacheStatus.Created || file.ArchiveStatus != ArchiveStatus.None)
            {
                throw new IllegalTransitionException(FileCacheEntity, file.FileId.ToString(CultureInfo.InvariantCulture), "—", "Created",
                    HsmActor.DiskMover.ToString(), "A new file row starts CREATED with archive status NONE (C1).");
            }
        }

        await txn.InsertFilesAsync(files);
        await txn.AddTransitionsAsync([.. files.Select(f => new TransitionRecord(FileCacheEntity, f.FileId.ToString(CultureInfo.InvariantCulture), null,
            StateNames.Of(CacheStatus.Created), "C1", HsmActor.DiskMover, null, txn.Now))]);
    }

    /// <summary>
    /// Moves the cache status of file rows the caller read (and checked) in this transaction, as
    /// <see cref="TryMoveCacheAsync(ICatalogTransaction, FileRecord, CacheStatus, FileCacheEvent, HsmActor, string?, Func{FileRecord, FileRecord}?)"/>
    /// does for one: each update is conditional on the version read. One batch update and one batch of audit rows.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="files">The rows as the caller read them (each file at most once).</param>
    /// <param name="expected">The state the rows must be in.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="reason">Why, for the audit rows.</param>
    /// <param name="mutate">Further field changes made in the same update.</param>
    /// <returns>Aligned with <paramref name="files"/>: the updated row, or <see langword="null"/> for a row not in <paramref name="expected"/> (left as it is).</returns>
    public static async ValueTask<IReadOnlyList<FileRecord?>> TryMoveCacheManyAsync(
        this ICatalogTransaction txn, IReadOnlyList<FileRecord> files, CacheStatus expected, FileCacheEvent @event, HsmActor actor,
        string? reason = null, Func<FileRecord, FileRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(files);
        var rules = new List<TransitionRule<CacheStatus, FileCacheEvent>>(files.Count);
        foreach (FileRecord f in files)
        {
            rules.Add(HsmStateMachines.FileCache.Apply(f.FileId.ToString(CultureInfo.InvariantCulture), expected, @event, actor));
        }

        return await MoveManyAsync(txn, files, f => f.CacheStatus == expected, (f, i) => (mutate?.Invoke(f) ?? f) with { CacheStatus = rules[i].To },
            (f, i) => new TransitionRecord(FileCacheEntity, f.FileId.ToString(CultureInfo.InvariantCulture), StateNames.Of(expected), StateNames.Of(rules[i].To),
                rules[i].Id, actor, reason, txn.Now));
    }

    /// <summary>
    /// Moves the archive status of file rows the caller read in this transaction; with <paramref name="expectedClaim"/>,
    /// only rows holding that claim. Each update is conditional on the version read (a change since fails the call with
    /// <see cref="CatalogConflictException"/>). One batch update and one batch of audit rows.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="files">The rows as the caller read them (each file at most once).</param>
    /// <param name="expected">The expected archive status.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="expectedClaim">The claim the rows must hold (fencing), or <see langword="null"/> for no check.</param>
    /// <param name="newClaim">The claim after the transition.</param>
    /// <param name="reason">Why.</param>
    /// <param name="mutate">Further field changes.</param>
    /// <returns>Aligned with <paramref name="files"/>: the updated row, or <see langword="null"/> where the compare-and-set failed (left as it is).</returns>
    public static async ValueTask<IReadOnlyList<FileRecord?>> TryMoveArchiveManyAsync(
        this ICatalogTransaction txn, IReadOnlyList<FileRecord> files, ArchiveStatus expected, FileArchiveEvent @event, HsmActor actor,
        ListClaim? expectedClaim = null, ListClaim? newClaim = null, string? reason = null, Func<FileRecord, FileRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(files);
        var rules = new List<TransitionRule<ArchiveStatus, FileArchiveEvent>>(files.Count);
        foreach (FileRecord f in files)
        {
            rules.Add(HsmStateMachines.FileArchive.Apply(f.FileId.ToString(CultureInfo.InvariantCulture), expected, @event, actor));
        }

        return await MoveManyAsync(txn, files, f => f.ArchiveStatus == expected && (expectedClaim is not { } claim || f.ArchiveClaim == claim),
            (f, i) => (mutate?.Invoke(f) ?? f) with { ArchiveStatus = rules[i].To, ArchiveClaim = newClaim },
            (f, i) => new TransitionRecord(FileArchiveEntity, f.FileId.ToString(CultureInfo.InvariantCulture), StateNames.Of(expected), StateNames.Of(rules[i].To),
                rules[i].Id, actor, reason, txn.Now));
    }

    private static async ValueTask<IReadOnlyList<FileRecord?>> MoveManyAsync(
        ICatalogTransaction txn, IReadOnlyList<FileRecord> files, Func<FileRecord, bool> applies, Func<FileRecord, int, FileRecord> next,
        Func<FileRecord, int, TransitionRecord> audit)
    {
        var result = new FileRecord?[files.Count];
        var moving = new List<int>(files.Count);
        for (int i = 0; i < files.Count; i++)
        {
            if (applies(files[i]))
            {
                moving.Add(i);
            }
        }

        if (moving.Count == 0)
        {
            return result;
        }

        IReadOnlyList<FileRecord> stored = await txn.UpdateFilesAsync([.. moving.Select(i => next(files[i], i))]);
        await txn.AddTransitionsAsync([.. moving.Select(i => audit(files[i], i))]);
        for (int k = 0; k < moving.Count; k++)
        {
            result[moving[k]] = stored[k];
        }

        return result;
    }
}
