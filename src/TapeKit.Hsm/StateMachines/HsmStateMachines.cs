using TapeKit.Hsm.Model;
using static TapeKit.Hsm.Model.HsmActor;

namespace TapeKit.Hsm.StateMachines;

/// <summary>
/// The normative transition tables of docs/hsm/rules.md#file-cache-status-c1c19, row by row. Creation rows (C1, L1, G1) and the
/// removal of an aborted write (C3) create or delete rows rather than move them and are enforced by the
/// catalogue operations that insert them.
/// </summary>
public static class HsmStateMachines
{
    /// <summary>The file cache-status machine (docs/hsm/rules.md#file-cache-status-c1c19).</summary>
    public static TransitionTable<CacheStatus, FileCacheEvent> FileCache { get; } = new("file.cache",
    [
        Rule("C2", CacheStatus.Created, FileCacheEvent.WriteFinished, CacheStatus.Cached, DiskMover),
        Rule("C4", CacheStatus.Purged, FileCacheEvent.CacheMissed, CacheStatus.StagingRequested, DiskMover),
        Rule("C5", CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, CacheStatus.Staging, Migrator),
        Rule("C6", CacheStatus.Staging, FileCacheEvent.Extracted, CacheStatus.Staged, Migrator),
        Rule("C7", CacheStatus.Staged, FileCacheEvent.Published, CacheStatus.Cached, Migrator),
        Rule("C8", CacheStatus.Staging, FileCacheEvent.StageRequeued, CacheStatus.StagingRequested, Migrator, Sweeper),
        Rule("C8", CacheStatus.Staged, FileCacheEvent.StageRequeued, CacheStatus.StagingRequested, Migrator, Sweeper),
        Rule("C9", CacheStatus.StagingRequested, FileCacheEvent.StageFailed, CacheStatus.Failed, Dispatcher),
        Rule("C9", CacheStatus.Staging, FileCacheEvent.StageFailed, CacheStatus.Failed, Dispatcher),
        Rule("C10", CacheStatus.Cached, FileCacheEvent.PurgeSelected, CacheStatus.PurgingRequested, Dispatcher),
        Rule("C11", CacheStatus.PurgingRequested, FileCacheEvent.PurgeCancelled, CacheStatus.Cached, DiskMover, Migrator, Sweeper),
        Rule("C12", CacheStatus.PurgingRequested, FileCacheEvent.PurgeClaimed, CacheStatus.Purging, Migrator),
        Rule("C13", CacheStatus.Purging, FileCacheEvent.CopyDeleted, CacheStatus.Purged, Migrator),
        Rule("C14", CacheStatus.Purging, FileCacheEvent.PurgeAborted, CacheStatus.Cached, Migrator, Sweeper),
        Rule("C15", CacheStatus.Cached, FileCacheEvent.WriteCopyRemoved, CacheStatus.Purged, Migrator),
        Rule("C16", CacheStatus.StagingRequested, FileCacheEvent.RecallCancelled, CacheStatus.Purged, Dispatcher),
        Rule("C17", CacheStatus.Cached, FileCacheEvent.LostBeforeArchive, CacheStatus.Failed, Migrator),
        Rule("C18", CacheStatus.Purged, FileCacheEvent.SpeculativelyPublished, CacheStatus.Cached, Migrator),
        Rule("C19", CacheStatus.Failed, FileCacheEvent.OperatorRetry, CacheStatus.StagingRequested, Operator),
        Rule("C19", CacheStatus.Failed, FileCacheEvent.OperatorRepair, CacheStatus.Cached, Operator),
    ]);

    /// <summary>The file archive-status machine (docs/hsm/rules.md#file-archive-status-a1a5).</summary>
    public static TransitionTable<ArchiveStatus, FileArchiveEvent> FileArchive { get; } = new("file.archive",
    [
        Rule("A1", ArchiveStatus.None, FileArchiveEvent.Claimed, ArchiveStatus.Archiving, Migrator),
        Rule("A2", ArchiveStatus.Archiving, FileArchiveEvent.Committed, ArchiveStatus.Archived, Migrator),
        Rule("A3", ArchiveStatus.Archiving, FileArchiveEvent.Released, ArchiveStatus.None, Migrator),
        Rule("A4", ArchiveStatus.None, FileArchiveEvent.GivenUp, ArchiveStatus.Failed, Dispatcher),
        Rule("A4", ArchiveStatus.Archiving, FileArchiveEvent.GivenUp, ArchiveStatus.Failed, Dispatcher),
        Rule("A5", ArchiveStatus.Failed, FileArchiveEvent.OperatorRetry, ArchiveStatus.None, Operator),
    ]);

    /// <summary>The file-list machine (docs/hsm/rules.md#file-lists-l1l11).</summary>
    public static TransitionTable<FileListState, FileListEvent> FileList { get; } = new("list",
    [
        Rule("L2", FileListState.Filling, FileListEvent.Closed, FileListState.Filled, Dispatcher),
        Rule("L3", FileListState.Filled, FileListEvent.Sent, FileListState.Active, Dispatcher),
        Rule("L4", FileListState.Active, FileListEvent.ClaimedByMigrator, FileListState.Active, Migrator),
        Rule("L5", FileListState.Active, FileListEvent.LeaseRenewed, FileListState.Active, Migrator),
        Rule("L6", FileListState.Active, FileListEvent.Completed, FileListState.Done, Migrator),
        Rule("L7", FileListState.Active, FileListEvent.Requeued, FileListState.Filled, Dispatcher, Sweeper),
        Rule("L8", FileListState.Active, FileListEvent.Superseded, FileListState.Superseded, Dispatcher),
        Rule("L9", FileListState.Filled, FileListEvent.Killed, FileListState.Dead, Dispatcher, Sweeper),
        Rule("L9", FileListState.Active, FileListEvent.Killed, FileListState.Dead, Dispatcher, Sweeper),
        Rule("L10", FileListState.Dead, FileListEvent.OperatorRetry, FileListState.Filled, Operator),
        Rule("L11", FileListState.Filling, FileListEvent.Emptied, FileListState.Done, Dispatcher),
        Rule("L11", FileListState.Filled, FileListEvent.Emptied, FileListState.Done, Dispatcher),
    ]);

    /// <summary>The aggregation machine (docs/hsm/rules.md#aggregations-g1g7).</summary>
    public static TransitionTable<AggregationState, AggregationEvent> Aggregation { get; } = new("aggregation",
    [
        Rule("G2", AggregationState.Building, AggregationEvent.WriteStarted, AggregationState.Writing, Migrator),
        Rule("G3", AggregationState.Writing, AggregationEvent.Written, AggregationState.Written, Migrator),
        Rule("G4", AggregationState.Written, AggregationEvent.Committed, AggregationState.OnTape, Migrator),
        Rule("G5", AggregationState.Building, AggregationEvent.Failed, AggregationState.Failed, Migrator),
        Rule("G5", AggregationState.Writing, AggregationEvent.Failed, AggregationState.Failed, Migrator),
        Rule("G5", AggregationState.Written, AggregationEvent.Failed, AggregationState.Failed, Migrator),
        Rule("G6", AggregationState.OnTape, AggregationEvent.Damaged, AggregationState.Damaged, Migrator),
        Rule("G7", AggregationState.OnTape, AggregationEvent.Retired, AggregationState.Retired, Migrator),
        Rule("G7", AggregationState.Damaged, AggregationEvent.Retired, AggregationState.Retired, Migrator),
    ]);

    private static TransitionRule<TState, TEvent> Rule<TState, TEvent>(string id, TState from, TEvent @event, TState to, params HsmActor[] actors)
        where TState : struct, Enum
        where TEvent : struct, Enum => new(id, from, @event, to, actors);
}
