using System.Collections.Immutable;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// The in-process catalogue (docs/hsm/overview.md#messaging, for tests and single-process hosts): one writer at a time, snapshot
/// state swapped atomically on commit, nothing visible before commit and nothing kept after a rollback. Not durable.
/// A "restart" of a component is modelled by building a new component over the same instance.
/// </summary>
public sealed partial class InMemoryCatalog : ICatalog, IDisposable
{
    private readonly SemaphoreSlim _writer = new(1, 1);
    private State _state = State.Empty;

    /// <summary>Creates an empty catalogue.</summary>
    /// <param name="time">The catalogue's clock.</param>
    public InMemoryCatalog(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        Time = time;
    }

    /// <inheritdoc />
    public TimeProvider Time { get; }

    /// <summary>Releases the writer lock's resources.</summary>
    public void Dispose() => _writer.Dispose();

    /// <inheritdoc />
    public async ValueTask<ICatalogTransaction> BeginAsync(CancellationToken ct = default)
    {
        await _writer.WaitAsync(ct);
        return new Transaction(this, Volatile.Read(ref _state), Time.GetUtcNow());
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken ct = default) =>
        ValueTask.FromResult<IReadOnlyList<OutboxEntry>>([.. Volatile.Read(ref _state).Outbox.Values.Take(max)]);

    /// <inheritdoc />
    public async ValueTask MarkOutboxSentAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        await _writer.WaitAsync(ct);
        try
        {
            State s = _state;
            Volatile.Write(ref _state, s with { Outbox = s.Outbox.RemoveRange(sequences) });
        }
        finally
        {
            _writer.Release();
        }
    }

    private sealed record State(
        ImmutableSortedDictionary<long, FileRecord> Files,
        ImmutableDictionary<string, long> ExternalIds,
        ImmutableDictionary<Guid, FileListRecord> Lists,
        ImmutableDictionary<Guid, ImmutableList<long>> Members,
        ImmutableDictionary<long, ImmutableHashSet<Guid>> Memberships,
        ImmutableSortedDictionary<long, OutboxEntry> Outbox,
        ImmutableDictionary<(string, Guid), DateTimeOffset> Inbox,
        ImmutableList<TransitionRecord> Transitions,
        ImmutableSortedDictionary<long, AggregationRecord> Aggregations,
        ImmutableDictionary<long, ImmutableList<AggregationMemberRecord>> AggregationMembers,
        ImmutableDictionary<long, ImmutableList<long>> AggregationsOfFile,
        ImmutableSortedDictionary<string, TapeRecord> Tapes,
        ImmutableDictionary<string, long> InstanceEpochs,
        ImmutableSortedDictionary<(string Library, int Drive), DriveRecord> Drives,
        ImmutableDictionary<Guid, MountRequestRecord> MountRequests,
        long NextFileId,
        long NextOutbox,
        long NextAggregationId)
    {
        public static State Empty { get; } = new(
            ImmutableSortedDictionary<long, FileRecord>.Empty,
            ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal),
            ImmutableDictionary<Guid, FileListRecord>.Empty,
            ImmutableDictionary<Guid, ImmutableList<long>>.Empty,
            ImmutableDictionary<long, ImmutableHashSet<Guid>>.Empty,
            ImmutableSortedDictionary<long, OutboxEntry>.Empty,
            ImmutableDictionary<(string, Guid), DateTimeOffset>.Empty,
            [],
            ImmutableSortedDictionary<long, AggregationRecord>.Empty,
            ImmutableDictionary<long, ImmutableList<AggregationMemberRecord>>.Empty,
            ImmutableDictionary<long, ImmutableList<long>>.Empty,
            ImmutableSortedDictionary<string, TapeRecord>.Empty.WithComparers(StringComparer.Ordinal),
            ImmutableDictionary<string, long>.Empty.WithComparers(StringComparer.Ordinal),
            ImmutableSortedDictionary<(string Library, int Drive), DriveRecord>.Empty,
            ImmutableDictionary<Guid, MountRequestRecord>.Empty,
            1,
            1,
            1);
    }

    private sealed partial class Transaction(InMemoryCatalog owner, State state, DateTimeOffset now) : ICatalogTransaction
    {
        private State _s = state;
        private bool _done;

        public DateTimeOffset Now { get; } = now;

        public ValueTask<FileRecord?> GetFileAsync(long fileId) => Ok(_s.Files.GetValueOrDefault(fileId));

        public ValueTask<FileRecord?> GetFileByExternalIdAsync(string externalId) =>
            Ok(_s.ExternalIds.TryGetValue(externalId, out long id) ? _s.Files.GetValueOrDefault(id) : null);

        public ValueTask<long> AllocateFileIdAsync()
        {
            long id = _s.NextFileId;
            _s = _s with { NextFileId = id + 1 };
            return ValueTask.FromResult(id);
        }

        public ValueTask InsertFileAsync(FileRecord file)
        {
            Live();
            if (file.FileId <= 0 || _s.Files.ContainsKey(file.FileId))
            {
                throw new CatalogConstraintException($"File id {file.FileId} is not positive or already exists.");
            }

            if (file.ExternalId is { } ext && _s.ExternalIds.ContainsKey(ext))
            {
                throw new CatalogConstraintException($"External id '{ext}' already exists.");
            }

            _s = _s with
            {
                Files = _s.Files.Add(file.FileId, file),
                ExternalIds = file.ExternalId is { } e ? _s.ExternalIds.Add(e, file.FileId) : _s.ExternalIds,
                NextFileId = Math.Max(_s.NextFileId, file.FileId + 1),
            };
            return ValueTask.CompletedTask;
        }

        public ValueTask<FileRecord> UpdateFileAsync(FileRecord file)
        {
            Live();
            if (!_s.Files.TryGetValue(file.FileId, out FileRecord? old))
            {
                throw new CatalogConstraintException($"File {file.FileId} does not exist.");
            }

            if (old.ExternalId != file.ExternalId)
            {
                throw new CatalogConstraintException($"The external id of file {file.FileId} cannot change.");
            }

            CheckVersion("file", file.FileId, old.RowVersion, file.RowVersion);
            FileRecord stored = file with { RowVersion = file.RowVersion + 1 };
            _s = _s with { Files = _s.Files.SetItem(file.FileId, stored) };
            return ValueTask.FromResult(stored);
        }

        public ValueTask<IReadOnlyList<FileRecord>> QueryFilesAsync(FileQuery query)
        {
            IReadOnlyList<FileRecord> rows = [.. _s.Files.Values
                .Where(f => f.FileId > query.AfterFileId
                    && (query.CacheStatus is not { } c || f.CacheStatus == c)
                    && (query.ArchiveStatus is not { } a || f.ArchiveStatus == a)
                    && (query.DiskLibrary is not { } d || f.Decision.DiskLibrary == d)
                    && (query.IncludeDeleted || !f.IsDeleted))
                .Take(query.Limit)];
            return ValueTask.FromResult(rows);
        }

        // The in-process catalogue is for tests and small single-process hosts: it sums over its rows.
        public ValueTask<IReadOnlyList<AreaUsageRow>> GetAreaUsageAsync(string diskLibrary) =>
            ValueTask.FromResult<IReadOnlyList<AreaUsageRow>>([.. _s.Files.Values
                .Where(f => f.Decision.DiskLibrary == diskLibrary && !f.IsDeleted)
                .GroupBy(f => f.CacheStatus)
                .OrderBy(g => StateNames.Of(g.Key), StringComparer.Ordinal)
                .Select(g => new AreaUsageRow(g.Key, g.Count(), g.Sum(f => f.Size)))]);

        public ValueTask<IReadOnlyList<FileCount>> CountFilesAsync() =>
            ValueTask.FromResult<IReadOnlyList<FileCount>>([.. _s.Files.Values
                .GroupBy(f => (f.CacheStatus, f.ArchiveStatus, f.IsDeleted))
                .OrderBy(g => StateNames.Of(g.Key.CacheStatus), StringComparer.Ordinal).ThenBy(g => StateNames.Of(g.Key.ArchiveStatus), StringComparer.Ordinal)
                .ThenBy(g => g.Key.IsDeleted)
                .Select(g => new FileCount(g.Key.CacheStatus, g.Key.ArchiveStatus, g.Key.IsDeleted, g.Count(), g.Sum(f => f.Size)))]);

        public async ValueTask<IReadOnlyList<PendingRecall>> GetPendingRecallsAsync(string? diskLibrary, bool skipListed, long afterFileId, int limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
            var page = new List<PendingRecall>();
            foreach (FileRecord f in _s.Files.Values.Where(f => f.FileId > afterFileId && f.CacheStatus == CacheStatus.StagingRequested && f.ArchiveStatus == ArchiveStatus.Archived && !f.IsDeleted
                && (diskLibrary is null || f.Decision.DiskLibrary == diskLibrary)))
            {
                if (skipListed && await FindLiveListOfFileAsync(f.FileId, FileListKind.Stage) is not null)
                {
                    continue;
                }

                page.Add(new PendingRecall(f.FileId, f.Size, f.Decision.DiskLibrary, f.Decision.Priority, f.LastAccessAt ?? f.CreatedAt,
                    await GetCopiesOfFileAsync(f.FileId)));
                if (page.Count == limit)
                {
                    break;
                }
            }

            return page;
        }

        public ValueTask<IReadOnlyDictionary<FileListState, long>> CountListsAsync(FileListKind kind) =>
            ValueTask.FromResult<IReadOnlyDictionary<FileListState, long>>(
                _s.Lists.Values.Where(l => l.Kind == kind).GroupBy(l => l.State).ToDictionary(g => g.Key, g => (long)g.LongCount()));

        public ValueTask<FileListRecord?> GetListAsync(Guid listId) => Ok(_s.Lists.GetValueOrDefault(listId));

        public ValueTask InsertListAsync(FileListRecord list)
        {
            Live();
            if (_s.Lists.ContainsKey(list.ListId))
            {
                throw new CatalogConstraintException($"List {list.ListId:N} already exists.");
            }

            _s = _s with { Lists = _s.Lists.Add(list.ListId, list), Members = _s.Members.Add(list.ListId, []) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<FileListRecord> UpdateListAsync(FileListRecord list)
        {
            Live();
            if (!_s.Lists.TryGetValue(list.ListId, out FileListRecord? old))
            {
                throw new CatalogConstraintException($"List {list.ListId:N} does not exist.");
            }

            CheckVersion("list", list.ListId.ToString("N"), old.RowVersion, list.RowVersion);
            if (list.Kind == FileListKind.Archive && list.IsLive && !old.IsLive)
            {
                foreach (long fileId in _s.Members[list.ListId])
                {
                    CheckSingleLiveArchiveList(fileId, list.ListId);
                }
            }

            FileListRecord stored = list with { RowVersion = list.RowVersion + 1 };
            _s = _s with { Lists = _s.Lists.SetItem(list.ListId, stored) };
            return ValueTask.FromResult(stored);
        }

        public ValueTask<IReadOnlyList<FileListRecord>> QueryListsAsync(ListQuery query)
        {
            IReadOnlyList<FileListRecord> rows = [.. _s.Lists.Values
                .Where(l => (query.Kind is not { } k || l.Kind == k)
                    && (query.States.Count == 0 || query.States.Contains(l.State))
                    && (query.PolicyKey is not { } p || l.PolicyKey == p)
                    && (query.DiskLibrary is not { } d || l.DiskLibrary == d))
                .OrderBy(l => l.CreatedAt).ThenBy(l => l.ListId)];
            return ValueTask.FromResult(rows);
        }

        public ValueTask<IReadOnlyList<long>> GetListMembersAsync(Guid listId) =>
            ValueTask.FromResult<IReadOnlyList<long>>(_s.Members.TryGetValue(listId, out ImmutableList<long>? m) ? m : []);

        public ValueTask AddListMemberAsync(Guid listId, long fileId)
        {
            Live();
            if (!_s.Lists.TryGetValue(listId, out FileListRecord? list))
            {
                throw new CatalogConstraintException($"List {listId:N} does not exist.");
            }

            if (!_s.Files.ContainsKey(fileId))
            {
                throw new CatalogConstraintException($"File {fileId} does not exist.");
            }

            ImmutableHashSet<Guid> lists = _s.Memberships.GetValueOrDefault(fileId) ?? [];
            if (lists.Contains(listId))
            {
                throw new CatalogConstraintException($"File {fileId} is already a member of list {listId:N}.");
            }

            if (list.Kind == FileListKind.Archive && list.IsLive)
            {
                CheckSingleLiveArchiveList(fileId, listId);
            }

            _s = _s with
            {
                Members = _s.Members.SetItem(listId, _s.Members[listId].Add(fileId)),
                Memberships = _s.Memberships.SetItem(fileId, lists.Add(listId)),
            };
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> RemoveListMemberAsync(Guid listId, long fileId)
        {
            Live();
            if (!_s.Members.TryGetValue(listId, out ImmutableList<long>? members) || !members.Contains(fileId))
            {
                return ValueTask.FromResult(false);
            }

            _s = _s with
            {
                Members = _s.Members.SetItem(listId, members.Remove(fileId)),
                Memberships = _s.Memberships.SetItem(fileId, _s.Memberships[fileId].Remove(listId)),
            };
            return ValueTask.FromResult(true);
        }

        public ValueTask<Guid?> FindLiveListOfFileAsync(long fileId, FileListKind kind)
        {
            Guid? found = null;
            foreach (Guid id in _s.Memberships.GetValueOrDefault(fileId) ?? [])
            {
                FileListRecord l = _s.Lists[id];
                if (l.Kind == kind && l.IsLive)
                {
                    found = id;
                    break;
                }
            }

            return ValueTask.FromResult(found);
        }

        public ValueTask<long> AllocateAggregationIdAsync()
        {
            long id = _s.NextAggregationId;
            _s = _s with { NextAggregationId = id + 1 };
            return ValueTask.FromResult(id);
        }

        public ValueTask<AggregationRecord?> GetAggregationAsync(long aggregationId) => Ok(_s.Aggregations.GetValueOrDefault(aggregationId));

        public ValueTask InsertAggregationAsync(AggregationRecord aggregation)
        {
            Live();
            if (aggregation.AggregationId <= 0 || _s.Aggregations.ContainsKey(aggregation.AggregationId))
            {
                throw new CatalogConstraintException($"Aggregation id {aggregation.AggregationId} is not positive or already exists.");
            }

            CheckSegment(aggregation);
            _s = _s with
            {
                Aggregations = _s.Aggregations.Add(aggregation.AggregationId, aggregation),
                AggregationMembers = _s.AggregationMembers.Add(aggregation.AggregationId, []),
                NextAggregationId = Math.Max(_s.NextAggregationId, aggregation.AggregationId + 1),
            };
            return ValueTask.CompletedTask;
        }

        public ValueTask<AggregationRecord> UpdateAggregationAsync(AggregationRecord aggregation)
        {
            Live();
            if (!_s.Aggregations.TryGetValue(aggregation.AggregationId, out AggregationRecord? old))
            {
                throw new CatalogConstraintException($"Aggregation {aggregation.AggregationId} does not exist.");
            }

            CheckVersion("aggregation", aggregation.AggregationId, old.RowVersion, aggregation.RowVersion);
            CheckSegment(aggregation);
            AggregationRecord stored = aggregation with { RowVersion = aggregation.RowVersion + 1 };
            _s = _s with { Aggregations = _s.Aggregations.SetItem(aggregation.AggregationId, stored) };
            return ValueTask.FromResult(stored);
        }

        public ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOfListAsync(Guid listId, int? attempt = null) =>
            ValueTask.FromResult<IReadOnlyList<AggregationRecord>>([.. _s.Aggregations.Values.Where(a => a.ListId == listId && (attempt is null || a.Attempt == attempt))]);

        public ValueTask<IReadOnlyList<AggregationRecord>> GetAggregationsOnTapeAsync(string vsn) =>
            ValueTask.FromResult<IReadOnlyList<AggregationRecord>>([.. _s.Aggregations.Values
                .Where(a => a.TapeFile?.Vsn == vsn).OrderBy(a => a.TapeFile!.Value.Fseq).ThenBy(a => a.AggregationId)]);

        public ValueTask AddAggregationMembersAsync(IReadOnlyList<AggregationMemberRecord> members)
        {
            Live();
            foreach (AggregationMemberRecord m in members)
            {
                if (!_s.AggregationMembers.TryGetValue(m.AggregationId, out ImmutableList<AggregationMemberRecord>? rows))
                {
                    throw new CatalogConstraintException($"Aggregation {m.AggregationId} does not exist.");
                }

                if (!_s.Files.ContainsKey(m.FileId) || rows.Any(r => r.FileId == m.FileId || r.Index == m.Index))
                {
                    throw new CatalogConstraintException($"Member {m.Index} (file {m.FileId}) of aggregation {m.AggregationId} is a duplicate or names a missing file.");
                }

                _s = _s with
                {
                    AggregationMembers = _s.AggregationMembers.SetItem(m.AggregationId, rows.Add(m)),
                    AggregationsOfFile = _s.AggregationsOfFile.SetItem(m.FileId, (_s.AggregationsOfFile.GetValueOrDefault(m.FileId) ?? []).Add(m.AggregationId)),
                };
            }

            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<AggregationMemberRecord>> GetAggregationMembersAsync(long aggregationId) =>
            ValueTask.FromResult<IReadOnlyList<AggregationMemberRecord>>(
                _s.AggregationMembers.TryGetValue(aggregationId, out ImmutableList<AggregationMemberRecord>? m) ? [.. m.OrderBy(x => x.Index)] : []);

        public ValueTask<IReadOnlyList<(AggregationRecord Aggregation, AggregationMemberRecord Member)>> GetCopiesOfFileAsync(long fileId) =>
            ValueTask.FromResult<IReadOnlyList<(AggregationRecord, AggregationMemberRecord)>>([..
                (_s.AggregationsOfFile.GetValueOrDefault(fileId) ?? []).Select(id => (_s.Aggregations[id], _s.AggregationMembers[id].First(m => m.FileId == fileId)))]);

        public ValueTask<IReadOnlyList<DriveRecord>> QueryDrivesAsync(string library) =>
            ValueTask.FromResult<IReadOnlyList<DriveRecord>>([.. _s.Drives.Values.Where(d => d.Library == library)]);

        public ValueTask InsertDriveAsync(DriveRecord drive)
        {
            Live();
            ArgumentNullException.ThrowIfNull(drive);
            if (_s.Drives.ContainsKey((drive.Library, drive.Drive)))
            {
                throw new CatalogConstraintException($"Drive {drive.Drive} of library {drive.Library} is already in the catalogue.");
            }

            CheckCartridgeInOneDrive(drive);
            _s = _s with { Drives = _s.Drives.Add((drive.Library, drive.Drive), drive with { RowVersion = 0 }) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<DriveRecord> UpdateDriveAsync(DriveRecord drive)
        {
            Live();
            ArgumentNullException.ThrowIfNull(drive);
            if (!_s.Drives.TryGetValue((drive.Library, drive.Drive), out DriveRecord? old))
            {
                throw new CatalogConstraintException($"The drive row {drive.Library}/{drive.Drive} does not exist.");
            }

            CheckVersion("drive", $"{drive.Library}/{drive.Drive}", old.RowVersion, drive.RowVersion);
            CheckCartridgeInOneDrive(drive);
            DriveRecord stored = drive with { RowVersion = drive.RowVersion + 1 };
            _s = _s with { Drives = _s.Drives.SetItem((drive.Library, drive.Drive), stored) };
            return ValueTask.FromResult(stored);
        }

        public ValueTask InsertMountRequestAsync(MountRequestRecord request)
        {
            Live();
            ArgumentNullException.ThrowIfNull(request);
            if (_s.MountRequests.ContainsKey(request.RequestId))
            {
                throw new CatalogConstraintException($"Mount request {request.RequestId:N} is already in the catalogue.");
            }

            _s = _s with { MountRequests = _s.MountRequests.Add(request.RequestId, request) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<MountRequestRecord>> QueryMountRequestsAsync(string library) =>
            ValueTask.FromResult<IReadOnlyList<MountRequestRecord>>([.. _s.MountRequests.Values.Where(r => r.Library == library)
                .OrderBy(r => r.CreatedAt).ThenBy(r => r.RequestId.ToString("N"), StringComparer.Ordinal)]);

        public ValueTask<bool> RenewMountRequestAsync(Guid requestId, DateTimeOffset leaseUntil)
        {
            Live();
            if (!_s.MountRequests.TryGetValue(requestId, out MountRequestRecord? old))
            {
                return ValueTask.FromResult(false);
            }

            _s = _s with { MountRequests = _s.MountRequests.SetItem(requestId, old with { LeaseUntil = leaseUntil }) };
            return ValueTask.FromResult(true);
        }

        public ValueTask<bool> DeleteMountRequestAsync(Guid requestId)
        {
            Live();
            bool found = _s.MountRequests.ContainsKey(requestId);
            _s = _s with { MountRequests = _s.MountRequests.Remove(requestId) };
            return ValueTask.FromResult(found);
        }

        private void CheckCartridgeInOneDrive(DriveRecord drive)
        {
            if (drive.Vsn is { } vsn && _s.Drives.Values.FirstOrDefault(d => d.Vsn == vsn && (d.Library, d.Drive) != (drive.Library, drive.Drive)) is { } other)
            {
                throw new CatalogConstraintException($"Cartridge {vsn} is already in drive {other.Drive} of library {other.Library}.");
            }
        }

        public ValueTask<long> AdvanceInstanceEpochAsync(string instanceName)
        {
            Live();
            ArgumentException.ThrowIfNullOrEmpty(instanceName);
            long epoch = _s.InstanceEpochs.GetValueOrDefault(instanceName) + 1;
            _s = _s with { InstanceEpochs = _s.InstanceEpochs.SetItem(instanceName, epoch) };
            return ValueTask.FromResult(epoch);
        }

        public ValueTask<long> GetInstanceEpochAsync(string instanceName) =>
            ValueTask.FromResult(_s.InstanceEpochs.GetValueOrDefault(instanceName));

        public ValueTask<TapeRecord?> GetTapeAsync(string vsn) => Ok(_s.Tapes.GetValueOrDefault(vsn));

        public ValueTask InsertTapeAsync(TapeRecord tape)
        {
            Live();
            if (_s.Tapes.ContainsKey(tape.Vsn))
            {
                throw new CatalogConstraintException($"Tape {tape.Vsn} is already in the catalogue.");
            }

            _s = _s with { Tapes = _s.Tapes.Add(tape.Vsn, tape with { RowVersion = 0 }) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<TapeRecord> UpdateTapeAsync(TapeRecord tape)
        {
            Live();
            if (!_s.Tapes.TryGetValue(tape.Vsn, out TapeRecord? old))
            {
                throw new CatalogConstraintException($"Tape {tape.Vsn} does not exist.");
            }

            CheckVersion("tape", tape.Vsn, old.RowVersion, tape.RowVersion);
            TapeRecord stored = tape with { LastFseq = old.LastFseq, BytesUsed = old.BytesUsed, RowVersion = tape.RowVersion + 1 };
            _s = _s with { Tapes = _s.Tapes.SetItem(tape.Vsn, stored) };
            return ValueTask.FromResult(stored);
        }

        public ValueTask<TapeRecord?> AdvanceTapeAsync(string vsn, int committedFseq, long addedBytes)
        {
            Live();
            ArgumentOutOfRangeException.ThrowIfNegative(addedBytes);
            if (!_s.Tapes.TryGetValue(vsn, out TapeRecord? old))
            {
                return ValueTask.FromResult<TapeRecord?>(null);
            }

            TapeRecord stored = old with
            {
                LastFseq = Math.Max(old.LastFseq, committedFseq),
                BytesUsed = old.BytesUsed + addedBytes,
                State = old.State == TapeState.Free ? TapeState.Filling : old.State,
                RowVersion = old.RowVersion + 1,
            };
            _s = _s with { Tapes = _s.Tapes.SetItem(vsn, stored) };
            return ValueTask.FromResult<TapeRecord?>(stored);
        }

        public ValueTask<IReadOnlyList<TapeRecord>> QueryTapesAsync(string? pool = null) =>
            ValueTask.FromResult<IReadOnlyList<TapeRecord>>([.. _s.Tapes.Values.Where(t => pool is null || t.Pool == pool)]);

        private void CheckSegment(AggregationRecord a)
        {
            if (a.TapeFile is not { } tf || a.State == AggregationState.Failed)
            {
                return;
            }

            foreach (AggregationRecord other in _s.Aggregations.Values)
            {
                if (other.AggregationId != a.AggregationId && other.State != AggregationState.Failed && other.TapeFile is { } o && o.Vsn == tf.Vsn && o.Fseq == tf.Fseq)
                {
                    throw new CatalogConstraintException($"Tape file {tf.Vsn}/{tf.Fseq} already holds aggregation {other.AggregationId}.");
                }
            }
        }

        public ValueTask AddOutboxAsync(OutboundMessage message)
        {
            Live();
            long seq = _s.NextOutbox;
            _s = _s with { Outbox = _s.Outbox.Add(seq, new OutboxEntry(seq, message)), NextOutbox = seq + 1 };
            return ValueTask.CompletedTask;
        }

        public ValueTask<bool> TryMarkInboxAsync(string consumer, Guid messageId)
        {
            Live();
            if (_s.Inbox.ContainsKey((consumer, messageId)))
            {
                return ValueTask.FromResult(false);
            }

            _s = _s with { Inbox = _s.Inbox.Add((consumer, messageId), Now) };
            return ValueTask.FromResult(true);
        }

        public ValueTask<HistoryPruned> PruneHistoryAsync(HistoryCutoffs cutoffs, int maxRows)
        {
            Live();
            ArgumentNullException.ThrowIfNull(cutoffs);
            ArgumentOutOfRangeException.ThrowIfLessThan(maxRows, 1);
            FileListRecord[] lists = [.. _s.Lists.Values
                .Where(l => l.State is FileListState.Done or FileListState.Superseded or FileListState.Dead && l.CreatedAt < cutoffs.FinishedListsBefore)
                .OrderBy(l => l.CreatedAt).Take(maxRows)];
            foreach (FileListRecord l in lists)
            {
                ImmutableDictionary<long, ImmutableHashSet<Guid>> memberships = _s.Memberships;
                foreach (long fileId in _s.Members[l.ListId])
                {
                    memberships = memberships.SetItem(fileId, memberships[fileId].Remove(l.ListId));
                }

                _s = _s with { Lists = _s.Lists.Remove(l.ListId), Members = _s.Members.Remove(l.ListId), Memberships = memberships };
            }

            TransitionRecord[] transitions = [.. _s.Transitions.Where(t => t.At < cutoffs.TransitionsBefore).Take(maxRows)];
            _s = _s with { Transitions = _s.Transitions.RemoveRange(transitions) };
            (string, Guid)[] inbox = [.. _s.Inbox.Where(i => i.Value < cutoffs.InboxBefore).Take(maxRows).Select(i => i.Key)];
            _s = _s with { Inbox = _s.Inbox.RemoveRange(inbox) };
            return ValueTask.FromResult(new HistoryPruned(lists.Length, transitions.Length, inbox.Length));
        }

        public ValueTask AddTransitionAsync(TransitionRecord transition)
        {
            Live();
            _s = _s with { Transitions = _s.Transitions.Add(transition) };
            return ValueTask.CompletedTask;
        }

        public ValueTask<IReadOnlyList<TransitionRecord>> GetTransitionsAsync(string entity, string entityId) =>
            ValueTask.FromResult<IReadOnlyList<TransitionRecord>>([.. _s.Transitions.Where(t => t.Entity == entity && t.EntityId == entityId)]);

        public ValueTask CommitAsync(CancellationToken ct = default)
        {
            Live();
            ct.ThrowIfCancellationRequested();
            Volatile.Write(ref owner._state, _s);
            _done = true;
            owner._writer.Release();
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            if (!_done)
            {
                _done = true;
                owner._writer.Release();
            }

            return ValueTask.CompletedTask;
        }

        private void CheckSingleLiveArchiveList(long fileId, Guid listId)
        {
            foreach (Guid other in _s.Memberships.GetValueOrDefault(fileId) ?? [])
            {
                FileListRecord l = _s.Lists[other];
                if (other != listId && l.Kind == FileListKind.Archive && l.IsLive)
                {
                    throw new CatalogConstraintException($"File {fileId} is already in live archive list {other:N} (invariant I4).");
                }
            }
        }

        private void Live() => ObjectDisposedException.ThrowIf(_done, this);

        private static void CheckVersion<TId>(string entity, TId id, long stored, long read)
        {
            if (stored != read)
            {
                throw new CatalogConflictException(entity, Convert.ToString(id, System.Globalization.CultureInfo.InvariantCulture) ?? "", read);
            }
        }

        private static ValueTask<T?> Ok<T>(T? value) => ValueTask.FromResult(value);
    }
}
