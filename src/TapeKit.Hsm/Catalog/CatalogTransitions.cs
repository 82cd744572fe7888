using System.Globalization;
using TapeKit.Hsm.Instances;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// The state transitions of files and lists, made inside a catalogue transaction: each is validated against the
/// normative table (an event the table does not have for the expected state throws
/// <see cref="IllegalTransitionException"/>), is a compare-and-set on the expected state and, where given, the claim
/// or attempt (R3, R4: a mismatch returns <see langword="false"/> and changes nothing), and writes its audit row (R7).
/// The write itself is conditional on the row version that was read, so on a store with several writers a
/// transition decided on a row another writer changed meanwhile fails with <see cref="CatalogConflictException"/>
/// (and its unit of work runs again) instead of overwriting that change.
/// A move by id reads the row again, and on a store whose reads are not repeatable within a transaction (PostgreSQL,
/// READ COMMITTED) that read can be newer than one the caller checked earlier: a caller that decides on a row it read
/// (its owner, its pins) passes that row to the overload that takes it, so the write is conditional on the version checked.
/// Every adapter shares this code, so no adapter can diverge from the tables.
/// </summary>
public static partial class CatalogTransitions
{
    /// <summary>The audit entity name of the cache-status machine.</summary>
    public const string FileCacheEntity = "file.cache";

    /// <summary>The audit entity name of the archive-status machine.</summary>
    public const string FileArchiveEntity = "file.archive";

    /// <summary>The audit entity name of the list machine.</summary>
    public const string ListEntity = "list";

    /// <summary>Moves a file's cache status.</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="expected">The state the caller read or expects.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="reason">Why, for the audit row.</param>
    /// <param name="mutate">Further field changes made in the same update.</param>
    /// <returns>The updated row, or <see langword="null"/> when the file is missing or not in <paramref name="expected"/>.</returns>
    public static async ValueTask<FileRecord?> TryMoveCacheAsync(
        this ICatalogTransaction txn, long fileId, CacheStatus expected, FileCacheEvent @event, HsmActor actor,
        string? reason = null, Func<FileRecord, FileRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        string id = fileId.ToString(CultureInfo.InvariantCulture);
        TransitionRule<CacheStatus, FileCacheEvent> rule = HsmStateMachines.FileCache.Apply(id, expected, @event, actor);
        FileRecord? file = await txn.GetFileAsync(fileId);
        return file is null ? null : await MoveCacheAsync(txn, file, expected, rule, actor, reason, mutate);
    }

    /// <summary>
    /// Moves the cache status of a file row the caller read (and checked) in this transaction: the update is conditional
    /// on that row's version, so a change since that read (a pin, say) fails with <see cref="CatalogConflictException"/>.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="file">The row as the caller read it.</param>
    /// <param name="expected">The state the row must be in.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="reason">Why, for the audit row.</param>
    /// <param name="mutate">Further field changes made in the same update.</param>
    /// <returns>The updated row, or <see langword="null"/> when <paramref name="file"/> is not in <paramref name="expected"/>.</returns>
    public static ValueTask<FileRecord?> TryMoveCacheAsync(
        this ICatalogTransaction txn, FileRecord file, CacheStatus expected, FileCacheEvent @event, HsmActor actor,
        string? reason = null, Func<FileRecord, FileRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(file);
        TransitionRule<CacheStatus, FileCacheEvent> rule =
            HsmStateMachines.FileCache.Apply(file.FileId.ToString(CultureInfo.InvariantCulture), expected, @event, actor);
        return MoveCacheAsync(txn, file, expected, rule, actor, reason, mutate);
    }

    private static async ValueTask<FileRecord?> MoveCacheAsync(
        ICatalogTransaction txn, FileRecord file, CacheStatus expected, TransitionRule<CacheStatus, FileCacheEvent> rule, HsmActor actor,
        string? reason, Func<FileRecord, FileRecord>? mutate)
    {
        string id = file.FileId.ToString(CultureInfo.InvariantCulture);
        if (file.CacheStatus != expected)
        {
            return null;
        }

        FileRecord next = await txn.UpdateFileAsync((mutate?.Invoke(file) ?? file) with { CacheStatus = rule.To });
        await txn.AddTransitionAsync(new TransitionRecord(FileCacheEntity, id, StateNames.Of(expected), StateNames.Of(rule.To), rule.Id, actor, reason, txn.Now));
        return next;
    }

    /// <summary>Moves a file's archive status; with <paramref name="expectedClaim"/>, only if the file holds that claim.</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="expected">The expected archive status.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="expectedClaim">The claim the file must hold (fencing), or <see langword="null"/> for no check.</param>
    /// <param name="newClaim">The claim after the transition (A1 sets it; others clear it).</param>
    /// <param name="reason">Why.</param>
    /// <param name="mutate">Further field changes.</param>
    /// <returns>The updated row, or <see langword="null"/> when the compare-and-set failed.</returns>
    public static async ValueTask<FileRecord?> TryMoveArchiveAsync(
        this ICatalogTransaction txn, long fileId, ArchiveStatus expected, FileArchiveEvent @event, HsmActor actor,
        ListClaim? expectedClaim = null, ListClaim? newClaim = null, string? reason = null, Func<FileRecord, FileRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        string id = fileId.ToString(CultureInfo.InvariantCulture);
        TransitionRule<ArchiveStatus, FileArchiveEvent> rule = HsmStateMachines.FileArchive.Apply(id, expected, @event, actor);
        FileRecord? file = await txn.GetFileAsync(fileId);
        if (file is null || file.ArchiveStatus != expected || (expectedClaim is { } claim && file.ArchiveClaim != claim))
        {
            return null;
        }

        FileRecord next = await txn.UpdateFileAsync((mutate?.Invoke(file) ?? file) with { ArchiveStatus = rule.To, ArchiveClaim = newClaim });
        await txn.AddTransitionAsync(new TransitionRecord(FileArchiveEntity, id, StateNames.Of(expected), StateNames.Of(rule.To), rule.Id, actor, reason, txn.Now));
        return next;
    }

    /// <summary>Moves a list; with <paramref name="expectedAttempt"/>, only if the list is still at that attempt (fencing).</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="listId">The list.</param>
    /// <param name="expected">The expected state.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="expectedAttempt">The attempt the list must be at, or <see langword="null"/> for no check.</param>
    /// <param name="reason">Why.</param>
    /// <param name="mutate">Further field changes.</param>
    /// <returns>The updated row, or <see langword="null"/> when the compare-and-set failed.</returns>
    public static async ValueTask<FileListRecord?> TryMoveListAsync(
        this ICatalogTransaction txn, Guid listId, FileListState expected, FileListEvent @event, HsmActor actor,
        int? expectedAttempt = null, string? reason = null, Func<FileListRecord, FileListRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        TransitionRule<FileListState, FileListEvent> rule = HsmStateMachines.FileList.Apply(listId.ToString("N"), expected, @event, actor);
        FileListRecord? list = await txn.GetListAsync(listId);
        return list is null ? null : await MoveListAsync(txn, list, expected, rule, actor, expectedAttempt, reason, mutate);
    }

    /// <summary>
    /// Moves a list row the caller read (and checked, its owner say) in this transaction; with
    /// <paramref name="expectedAttempt"/>, only if it is at that attempt. The update is conditional on that row's version,
    /// so a change since that read (another migrator's claim, say) fails with <see cref="CatalogConflictException"/>.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="list">The row as the caller read it.</param>
    /// <param name="expected">The state the row must be in.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="expectedAttempt">The attempt the list must be at, or <see langword="null"/> for no check.</param>
    /// <param name="reason">Why.</param>
    /// <param name="mutate">Further field changes.</param>
    /// <returns>The updated row, or <see langword="null"/> when the compare-and-set failed.</returns>
    public static ValueTask<FileListRecord?> TryMoveListAsync(
        this ICatalogTransaction txn, FileListRecord list, FileListState expected, FileListEvent @event, HsmActor actor,
        int? expectedAttempt = null, string? reason = null, Func<FileListRecord, FileListRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(list);
        TransitionRule<FileListState, FileListEvent> rule = HsmStateMachines.FileList.Apply(list.ListId.ToString("N"), expected, @event, actor);
        return MoveListAsync(txn, list, expected, rule, actor, expectedAttempt, reason, mutate);
    }

    private static async ValueTask<FileListRecord?> MoveListAsync(
        ICatalogTransaction txn, FileListRecord list, FileListState expected, TransitionRule<FileListState, FileListEvent> rule, HsmActor actor,
        int? expectedAttempt, string? reason, Func<FileListRecord, FileListRecord>? mutate)
    {
        string id = list.ListId.ToString("N");
        if (list.State != expected || (expectedAttempt is { } attempt && list.Attempt != attempt))
        {
            return null;
        }

        FileListRecord next = await txn.UpdateListAsync((mutate?.Invoke(list) ?? list) with { State = rule.To });
        await txn.AddTransitionAsync(new TransitionRecord(ListEntity, id, StateNames.Of(expected), StateNames.Of(rule.To), rule.Id, actor, reason, txn.Now));
        return next;
    }

    /// <summary>The audit entity name of the aggregation machine.</summary>
    public const string AggregationEntity = "aggregation";

    /// <summary>Moves an aggregation (docs/hsm/rules.md#aggregations-g1g7) as a compare-and-set on its state.</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="aggregationId">The aggregation.</param>
    /// <param name="expected">The expected state.</param>
    /// <param name="event">The event.</param>
    /// <param name="actor">The acting role.</param>
    /// <param name="reason">Why.</param>
    /// <param name="mutate">Further field changes.</param>
    /// <returns>The updated row, or <see langword="null"/> when the compare-and-set failed.</returns>
    public static async ValueTask<AggregationRecord?> TryMoveAggregationAsync(
        this ICatalogTransaction txn, long aggregationId, AggregationState expected, AggregationEvent @event, HsmActor actor,
        string? reason = null, Func<AggregationRecord, AggregationRecord>? mutate = null)
    {
        ArgumentNullException.ThrowIfNull(txn);
        string id = aggregationId.ToString(CultureInfo.InvariantCulture);
        TransitionRule<AggregationState, AggregationEvent> rule = HsmStateMachines.Aggregation.Apply(id, expected, @event, actor);
        AggregationRecord? a = await txn.GetAggregationAsync(aggregationId);
        if (a is null || a.State != expected)
        {
            return null;
        }

        AggregationRecord next = await txn.UpdateAggregationAsync((mutate?.Invoke(a) ?? a) with { State = rule.To });
        await txn.AddTransitionAsync(new TransitionRecord(AggregationEntity, id, StateNames.Of(expected), StateNames.Of(rule.To), rule.Id, actor, reason, txn.Now));
        return next;
    }

    /// <summary>G1: creates an aggregation <c>BUILDING</c> for a claimed list attempt, with its audit row.</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="aggregation">The new row, <c>BUILDING</c>.</param>
    public static async ValueTask CreateAggregationAsync(this ICatalogTransaction txn, AggregationRecord aggregation)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(aggregation);
        if (aggregation.State != AggregationState.Building)
        {
            throw new IllegalTransitionException(AggregationEntity, aggregation.AggregationId.ToString(CultureInfo.InvariantCulture), "—", "Created",
                HsmActor.Migrator.ToString(), "An aggregation starts BUILDING (G1).");
        }

        await txn.InsertAggregationAsync(aggregation);
        await txn.AddTransitionAsync(new TransitionRecord(AggregationEntity, aggregation.AggregationId.ToString(CultureInfo.InvariantCulture), null,
            StateNames.Of(AggregationState.Building), "G1", HsmActor.Migrator, null, txn.Now));
    }

    /// <summary>Creates a list (L1 for archive lists, created <c>FILLED</c> for stage and purge lists) with its audit row.</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="list">The new row; archive lists must be <c>FILLING</c>, others <c>FILLED</c>.</param>
    /// <param name="actor">The acting role (the dispatcher).</param>
    public static async ValueTask CreateListAsync(this ICatalogTransaction txn, FileListRecord list, HsmActor actor = HsmActor.Dispatcher)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(list);
        FileListState initial = list.Kind == FileListKind.Archive ? FileListState.Filling : FileListState.Filled;
        if (list.State != initial || actor != HsmActor.Dispatcher)
        {
            throw new IllegalTransitionException(ListEntity, list.ListId.ToString("N"), "—", "Created", actor.ToString(),
                $"A {list.Kind} list is created {StateNames.Of(initial)} by the dispatcher (L1).");
        }

        await txn.InsertListAsync(list);
        await txn.AddTransitionAsync(new TransitionRecord(ListEntity, list.ListId.ToString("N"), null, StateNames.Of(initial), "L1", actor, list.Kind.ToString(), txn.Now));
    }

    /// <summary>
    /// L4 for a stage or purge list: claims attempt <paramref name="attempt"/> of an <c>ACTIVE</c> list of
    /// <paramref name="kind"/> for <paramref name="ownerId"/> with a work lease — or renews it when the owner already holds
    /// it (a redelivery). <see langword="null"/> when the command is stale: another attempt, another owner, or done.
    /// </summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="listId">The list.</param>
    /// <param name="kind">The kind the command is for.</param>
    /// <param name="attempt">The command's attempt.</param>
    /// <param name="ownerId">The claiming migrator.</param>
    /// <param name="workLease">The lease from now.</param>
    public static async ValueTask<FileListRecord?> TryClaimListAsync(
        this ICatalogTransaction txn, Guid listId, FileListKind kind, int attempt, string ownerId, TimeSpan workLease)
    {
        ArgumentNullException.ThrowIfNull(txn);
        FileListRecord? list = await txn.GetListAsync(listId);
        if (list is null || list.Kind != kind || list.State != FileListState.Active || list.Attempt != attempt || (list.Owner is { } owner && owner != ownerId)
            || await txn.IsFencedAsync(ownerId))
        {
            return null;
        }

        // The row checked above, not a new read: under READ COMMITTED a new read could already show another migrator's
        // claim, and a write conditional on its version would overwrite it.
        DateTimeOffset until = txn.Now + workLease;
        return await txn.TryMoveListAsync(list, FileListState.Active, FileListEvent.ClaimedByMigrator, HsmActor.Migrator, attempt,
            $"claimed by {ownerId}", l => l with { Owner = ownerId, LeaseUntil = until });
    }

    /// <summary>Creates a file row in <c>CREATED</c> (C1) with its audit row.</summary>
    /// <param name="txn">The transaction.</param>
    /// <param name="file">The new row; must be <c>CREATED</c> and <c>NONE</c>.</param>
    public static async ValueTask CreateFileAsync(this ICatalogTransaction txn, FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(txn);
        ArgumentNullException.ThrowIfNull(file);
        if (file.CacheStatus != CacheStatus.Created || file.ArchiveStatus != ArchiveStatus.None)
        {
            throw new IllegalTransitionException(FileCacheEntity, file.FileId.ToString(CultureInfo.InvariantCulture), "—", "Created",
                HsmActor.DiskMover.ToString(), "A new file row starts CREATED with archive status NONE (C1).");
        }

        await txn.InsertFileAsync(file);
        await txn.AddTransitionAsync(new TransitionRecord(FileCacheEntity, file.FileId.ToString(CultureInfo.InvariantCulture), null,
            StateNames.Of(CacheStatus.Created), "C1", HsmActor.DiskMover, null, txn.Now));
    }
}
