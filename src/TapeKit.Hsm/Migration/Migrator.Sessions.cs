using System.Diagnostics;
using TapeKit.Aggregation;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tapes;
using TapeKit.Layout;
using HsmAggregationFormat = TapeKit.Hsm.Model.AggregationPayloadFormat;
using HsmAggregationMember = TapeKit.Hsm.Model.AggregationMemberRecord;
using TapeAggregationFormat = TapeKit.Aggregation.AggregationFormat;
using TapeAggregationMember = TapeKit.Aggregation.AggregationMember;

namespace TapeKit.Hsm.Migration;

public sealed partial class Migrator
{
    private async ValueTask ArchivePoolAsync(string pool, List<ListWork> lists, CancellationToken ct)
    {
        var held = new PoolWork(lists, new WorkLeaseHeartbeat(_catalog, _options.MigratorId, _options.WorkLease, _options.MountLease));
        foreach (ListWork claimed in lists)
        {
            held.Heartbeat.Hold(claimed.List.ListId, claimed.List.Attempt, claimed.List.LeaseUntil ?? _catalog.Time.GetUtcNow() + _options.WorkLease);
        }

        // Step 2 starts with the sources: a member missing from the write cache is lost before archive (C17).
        foreach (ListWork work in lists.ToList())
        {
            long[] missing = [.. work.Members.Where(m => !SourceIntact(m)).Select(m => m.FileId)];
            if (missing.Length > 0)
            {
                await FailAsync(work, FailureReason.SourceMissing, $"{missing.Length} members are missing from the write cache or have another size", missing, ct);
                lists.Remove(work);
            }
            else if (work.List.Strategy == ArchiveStrategy.Direct && work.Members.Count != 1)
            {
                // One aggregation row is one tape file; a direct list of several files would need one row per file.
                await FailAsync(work, FailureReason.Internal, "this migrator writes direct (one file per tape file) lists of exactly one member", [], ct, retryable: false);
                lists.Remove(work);
            }
        }

        int copies = lists.Count == 0 ? 0 : lists.Max(w => w.List.CopyCount);
        for (int copyNb = 1; copyNb <= copies; copyNb++)
        {
            var excluded = new HashSet<string>(StringComparer.Ordinal);
            while (lists.Where(w => !w.Finished && w.List.CopyCount >= copyNb && !w.Copies.ContainsKey(copyNb)).ToList() is { Count: > 0 } todo)
            {
                // A copy never shares a tape with another copy of the same list (R5).
                var avoid = new HashSet<string>(excluded, StringComparer.Ordinal);
                foreach (ListWork w in todo)
                {
                    foreach (long id in w.Copies.Values)
                    {
                        avoid.Add(await TapeOfAsync(id, ct));
                    }
                }

                await CheckpointAsync(held, ct);
                if (todo.All(w => w.Finished))
                {
                    continue;
                }

                (TapeReservation? reservation, bool atWidth) = await ReserveTapeAsync(pool, todo[0].List.MemberBytes, avoid, ct);
                if (atWidth)
                {
                    // Other migrators write as many tapes of this pool as it may have at once: the lists wait their turn,
                    // uncharged, rather than spread the pool's files over one more tape and mount.
                    await WaitAsync(todo, _options.BusyRetryAfter, ct);
                    break;
                }

                if (reservation is not { Tape: { } tape })
                {
                    // A pool with no writable tape left for this copy (full, set aside after errors, or holding the list's
                    // other copy) is a shortage an operator ends, not a failure of the lists: charging them would kill
                    // them after MaxAttempts and give their files up. They wait, uncharged (F1), and the dispatcher's busy
                    // alarm speaks if the wait lasts.
                    Log.PoolExhausted(_logger, pool, todo[0].List.MemberBytes, copyNb, todo.Count);
                    await WaitAsync(todo, _options.BusyRetryAfter, ct);
                    break;
                }

                excluded.Add(tape.Vsn);

                // A crash (an exception escaping here) keeps the reservation until its lease ends: nobody appends over
                // this session's unsynced files before the dispatcher has re-queued their lists.
                held.Heartbeat.HoldTape(tape.Vsn, tape.MountLeaseUntil ?? _catalog.Time.GetUtcNow() + _options.MountLease);
                await WriteSessionAsync(reservation, copyNb, todo, held, ct);
                held.Heartbeat.ReleaseTape();
                await _catalog.UpdateTapeAsync(tape.Vsn, t => t.MountedBy == _options.MigratorId ? t with { MountedBy = null, MountLeaseUntil = null } : t, ct);
            }
        }

        foreach (ListWork work in lists)
        {
            // A list whose lease was found lost is Finished by the checkpoint: never committed.
            await CheckpointAsync(held, ct);
            if (work.Finished)
            {
                continue;
            }

            long[] aggregations = [.. work.Copies.OrderBy(c => c.Key).Select(c => c.Value)];
            if (await _work.CommitAsync(work.Command, work.List.ListId, work.List.Attempt, aggregations, ct))
            {
                StepObserver?.Invoke(ArchiveStep.Committed, work.List.ListId);
                if (_options.PurgeWriteCacheAfterArchive)
                {
                    await RemoveWriteCacheCopiesAsync(work, ct);
                }
            }

            work.Finished = true;
        }
    }

    /// <summary>
    /// A checkpoint of a pool's work: lists settled meanwhile are let go, the leases of the others (and the tape
    /// reservation) renewed when due; a list found taken by another attempt is finished here without a reply — its
    /// work stops and it is never committed (F8: the new attempt owns it).
    /// </summary>
    private async ValueTask CheckpointAsync(PoolWork held, CancellationToken ct)
    {
        foreach (ListWork settled in held.Lists.Where(w => w.Finished))
        {
            held.Heartbeat.Release(settled.List.ListId);
        }

        await held.Heartbeat.BeatAsync(ct);
        foreach (ListWork lost in held.Lists.Where(w => !w.Finished && held.Heartbeat.IsLost(w.List.ListId)))
        {
            Log.LeaseLost(_logger, lost.List.ListId, lost.List.Attempt);
            lost.Finished = true;
        }
    }

    private async ValueTask WriteSessionAsync(TapeReservation reservation, int copyNb, List<ListWork> todo, PoolWork held, CancellationToken ct)
    {
        TapeRecord tape = reservation.Tape;
        TapeMount mount;
        try
        {
            mount = await _drives.AcquireAsync(new MountRequest { Vsn = tape.Vsn, Pool = tape.Pool, Mode = MountMode.Write, Requester = _options.MigratorId }, ct);
        }
        catch (TapeMountException e) when (e.CartridgeMissing)
        {
            // The library has no such cartridge (lost, or taken out): the tape is set aside — no writes, no recalls planned
            // on it — and the lists go to another tape at once, uncharged (nothing failed with them).
            await SetTapeStateAsync(tape.Vsn, TapeState.Disabled, "F14", $"lost: {e.Message}", ct);
            await WaitAsync(todo, TimeSpan.Zero, ct);
            return;
        }
        catch (TapeMountException e)
        {
            foreach (ListWork w in todo)
            {
                if (e.Busy)
                {
                    // F1: no free slot now. BUSY makes the dispatcher re-send later without charging the list.
                    await _work.ReplyBusyAsync(w.Command, w.List.ListId, w.List.Attempt, _options.BusyRetryAfter, 0, ct);
                    w.Finished = true;
                }
                else
                {
                    await FailAsync(w, FailureReason.MountFailed, e.Message, [], ct);
                }
            }

            return;
        }

        var written = new List<(ListWork Work, long AggregationId, long Fseq, long Bytes)>();
        int tapeFiles = 0;
        TimeSpan writing = TimeSpan.Zero;
        string? failure = null;
        // Every drive call below runs on the mount's drive thread and is awaited here; ct stops a command before its
        // next drive call. A session stopped that way (or by any exception that is not a tape error) is left as a crash
        // leaves it: not synchronised, nothing committed, the reservation held until its lease ends. Its tape files after
        // lastFseq are in flight in the catalogue, failed as abandoned by the next reservation and overwritten (F11.3).
        await using (mount)
        {
            if (mount.RobotMounted)
            {
                // The pool recorded the mount on the tape row (ITapeDrivePool.AcquireAsync); the metric is the session's.
                _metrics?.Mounts.Add(1, new TagList { { "purpose", "archive" } });
            }

            AulAppendSession session;
            try
            {
                // Step 3: the label check of docs/formats/rules.md#fmt-f11, F11 — VOL1 and the trailer of lastFseq against the catalogue.
                // Only the files after lastFseq that the catalogue records as failed may be overwritten (F11.3); any
                // other file there means the catalogue lags the tape (a restored backup, a lost update), and is kept.
                session = await mount.RunAsync(
                    drive => AulVolume.Mount(drive, tape.Vsn).AppendOverFailedFiles(tape.LastFseq, reservation.LastFailedFseq, _labels,
                        TapeMarkPolicy.Buffered(_options.Flush.SyncEveryFiles, _options.Flush.SyncEveryBytes)),
                    ct);
            }
            catch (Exception e) when (e is TapeFormatException or UnsafeOperationException or TapeDriveException)
            {
                // Decided by type and kind: F14 mount, F15 wrong volume, F16 append check (the catalogue behind the tape too).
                (FailureReason reason, string rule) = e switch
                {
                    TapeDriveException => (FailureReason.MountFailed, "F14"),
                    UnsafeOperationException { Kind: UnsafeOperationKind.WrongVolume } => (FailureReason.WrongVolume, "F15"),
                    _ => (FailureReason.AppendCheckFailed, "F16"),
                };
                await SetTapeStateAsync(tape.Vsn, TapeState.NeedsAttention, rule, $"{reason}: {e.Message}", ct);
                foreach (ListWork w in todo)
                {
                    await FailAsync(w, reason, e.Message, [], ct);
                }

                return;
            }

            await CheckpointAsync(held, ct); // The mount and the append check may have taken long.

            // The session's own drive time when the pool can tell (other drives may share the clock), else the clock's.
            long start = _deviceTime.GetTimestamp();
            TimeSpan busyAtStart = mount.BusyTime?.Invoke() ?? TimeSpan.Zero;
            TimeSpan Writing() => mount.BusyTime is { } busy ? busy() - busyAtStart : _deviceTime.GetElapsedTime(start);
            ListWork? current = null;
            try
            {
                foreach (ListWork work in todo)
                {
                    if (session.PastEarlyWarning)
                    {
                        break; // The rest goes to the next tape of the pool.
                    }

                    await CheckpointAsync(held, ct);
                    if (held.Heartbeat.TapeLost)
                    {
                        Log.TapeReservationLost(_logger, tape.Vsn);
                        break; // Another owner reserved the tape: nothing more is appended; the rest goes to the next tape.
                    }

                    if (work.Finished)
                    {
                        continue; // Fenced meanwhile.
                    }

                    current = work;
                    if (await WriteListAsync(mount, session, tape, copyNb, work, ct) is { } done)
                    {
                        written.Add((work, done.AggregationId, done.Fseq, work.List.MemberBytes));
                        tapeFiles++;
                    }

                    current = null;
                }

                _ = await mount.RunAsync(_ => session.Flush(), ct);
                _metrics?.Syncs.Add(1, new TagList { { "trigger", "unmount" } });

                writing = Writing();
                foreach ((ListWork work, long aggregationId, _, _) in written)
                {
                    work.Copies[copyNb] = aggregationId;
                }

                foreach ((ListWork work, _, _, _) in written)
                {
                    StepObserver?.Invoke(ArchiveStep.Synced, work.List.ListId);
                }

                await CheckpointAsync(held, ct); // The sync may have taken long.

                if (session.PastEarlyWarning)
                {
                    await SetTapeStateAsync(tape.Vsn, TapeState.Full, "F3", "early warning: the tape is past its early-warning point", ct);
                }
            }
            catch (TapeDriveException e)
            {
                writing = Writing();
                failure = e.Message;
                await OnWriteErrorAsync(tape, copyNb, session, written, current, e, ct);
            }
        }

        if (mount.CloseError is { } closeError)
        {
            Log.CloseFailed(_logger, tape.Vsn, closeError.Message);
        }

        int files = written.Where(w => w.Work.Copies.ContainsKey(copyNb)).Sum(w => w.Work.Members.Count);
        long bytes = written.Where(w => w.Work.Copies.ContainsKey(copyNb)).Sum(w => w.Bytes);
        lock (_sessions)
        {
            _sessions.Add(new ArchiveSessionReport(tape.Vsn, copyNb, mount.RobotMounted, tapeFiles, files, bytes, writing, failure));
        }

        Log.SessionDone(_logger, tape.Vsn, copyNb, tapeFiles, files, bytes);
    }

    private async ValueTask<(long AggregationId, long Fseq)?> WriteListAsync(TapeMount mount, AulAppendSession session, TapeRecord tape, int copyNb, ListWork work, CancellationToken ct)
    {
        FileListRecord list = work.List;
        if (await _work.BeginAggregationAsync(list.ListId, list.Attempt, copyNb, ct) is not { } aggregation)
        {
            work.Finished = true; // Fenced (F8): another attempt owns the list now.
            return null;
        }

        long fseq = session.NextFileSequence;
        var locator = new TapeFileLocator(tape.Vsn, checked((int)fseq), session.NextHeaderObjectId + 4);
        if (!await _work.RecordWriteStartAsync(aggregation.AggregationId, locator, ct))
        {
            work.Finished = true;
            return null;
        }

        StepObserver?.Invoke(ArchiveStep.WriteStarted, list.ListId);
        int blockSize = tape.BlockSize > 0 ? tape.BlockSize : _options.DefaultBlockSize;
        // On the drive thread: the members stream from the write cache straight into exact tape blocks.
        TapeFileInfo info = await mount.RunAsync(
            _ =>
            {
                if (list.Strategy == ArchiveStrategy.Direct)
                {
                    using FileStream source = OpenSource(work.Members[0]);
                    return session.WriteFile((ulong)aggregation.AggregationId, source, blockSize);
                }

                // The members are read from the cache ahead of the drive, on other threads; the drive stays on this one.
                List<MemberSource> sources = [.. work.Members.Select(ToSource)];
                using MemberReadAhead? feeder = _options.ReadAheadFiles > 0 ? MemberReadAhead.Start(sources, ReadAhead()) : null;
                return session.WriteAggregation((ulong)aggregation.AggregationId, feeder ?? (IEnumerable<MemberSource>)sources,
                    list.Format == HsmAggregationFormat.Il ? TapeAggregationFormat.Il : TapeAggregationFormat.Tar, blockSize, _catalog.Time);
            },
            ct);

        var rows = new List<HsmAggregationMember>(work.Members.Count);
        var mismatched = new List<long>();
        for (int i = 0; i < work.Members.Count; i++)
        {
            FileRecord file = work.Members[i];
            if (list.Strategy == ArchiveStrategy.Direct)
            {
                rows.Add(new HsmAggregationMember(aggregation.AggregationId, 0, file.FileId, 0, 0, 0, info.DataBlocks));
                continue;
            }

            TapeAggregationMember m = info.Members[i];
            if (!HsmChecksums.Agree(file.Checksums, m.Digest))
            {
                mismatched.Add(file.FileId);
            }

            long lastByte = m.PayloadOffset + Math.Max(0, m.Size - 1);
            rows.Add(new HsmAggregationMember(aggregation.AggregationId, i, file.FileId, m.PayloadOffset, m.BlockIndex, m.OffsetInBlock, (lastByte / blockSize) - m.BlockIndex + 1));
        }

        if (mismatched.Count > 0)
        {
            _metrics?.ChecksumFailures.Add(mismatched.Count, new TagList { { "where", "package" } });
            // The cache copy is not what the client wrote: never archive it (C17). Its tape file stays unrecorded.
            await FailAsync(work, FailureReason.SourceChecksumMismatch, $"{mismatched.Count} members differ from their recorded checksums", mismatched, ct);
            return null;
        }

        if (!await _work.RecordWrittenAsync(aggregation.AggregationId, info.DataBlocks, rows, ct))
        {
            work.Finished = true;
            return null;
        }

        StepObserver?.Invoke(ArchiveStep.Written, list.ListId);
        return (aggregation.AggregationId, fseq);
    }

    private async ValueTask OnWriteErrorAsync(
        TapeRecord tape, int copyNb, AulAppendSession session, List<(ListWork Work, long AggregationId, long Fseq, long Bytes)> written,
        ListWork? current, TapeDriveException error, CancellationToken ct)
    {
        // Tape files covered by a sync before the error are safe; everything after the last sync fails together (docs/hsm/overview.md#the-archive-commit).
        var durable = session.DurableFiles.Select(f => f.FileSequence).ToHashSet();
        var failed = new List<ListWork>();
        foreach ((ListWork work, long aggregationId, long fseq, _) in written)
        {
            if (durable.Contains(fseq))
            {
                work.Copies[copyNb] = aggregationId;
            }
            else
            {
                failed.Add(work);
            }
        }

        if (current is not null && !current.Finished)
        {
            failed.Add(current);
        }

        (FailureReason reason, TapeState? state) = error.Kind switch
        {
            TapeErrorKind.EndOfMedium => (FailureReason.EndOfMedium, TapeState.Full),
            TapeErrorKind.WriteProtected => (FailureReason.TapeWriteError, TapeState.ReadOnly),
            TapeErrorKind.MediaError or TapeErrorKind.BlockTooLarge => (FailureReason.TapeWriteError, TapeState.NeedsAttention),
            // Power loss, reset, a lost position: the medium is fine; the next append rewrites what was not synced.
            _ => (FailureReason.TapeWriteError, (TapeState?)null),
        };
        if (state is { } s)
        {
            await SetTapeStateAsync(tape.Vsn, s, "F3", $"{reason}: {error.Message}", ct);
        }

        if (error.Kind is TapeErrorKind.MediaError)
        {
            await _catalog.UpdateTapeAsync(tape.Vsn, t => t with { WriteErrors = t.WriteErrors + 1 }, ct);
        }

        foreach (ListWork work in failed)
        {
            await FailAsync(work, reason, error.Message, [], ct);
        }
    }

    /// <summary>F1: the lists are answered <c>Busy</c> (uncharged, re-sent after <paramref name="retryAfter"/>) and this worker stops on them.</summary>
    private async ValueTask WaitAsync(IEnumerable<ListWork> lists, TimeSpan retryAfter, CancellationToken ct)
    {
        foreach (ListWork w in lists)
        {
            await _work.ReplyBusyAsync(w.Command, w.List.ListId, w.List.Attempt, retryAfter, 0, ct);
            w.Finished = true;
        }
    }

    private async ValueTask FailAsync(ListWork work, FailureReason reason, string detail, IReadOnlyList<long> affected, CancellationToken ct, bool retryable = true)
    {
        Log.ListFailed(_logger, work.List.ListId, work.List.Attempt, reason, detail);
        _ = await _work.FailAsync(work.Command, new FailedReply(work.List.ListId, work.List.Attempt, reason, retryable, detail, affected), ct);
        work.Finished = true;
    }

    /// <summary>
    /// Whether the write-cache copy is there as a plain regular file of the recorded size. A symbolic link (even to a file
    /// of that size), a special file or a cache path that leaves the area is not the copy the disk mover wrote: it is
    /// never read through.
    /// </summary>
    private bool SourceIntact(FileRecord file)
    {
        try
        {
            IO.FileNodeStatus status = IO.FileNodes.Inspect(CachePathOf(file));
            return status.Type == IO.FileNodeType.Regular && status.Size == file.Size;
        }
        catch (IOException)
        {
            return false; // missing, or an unsafe path (UnsafeOperationException)
        }
    }

    private string CachePathOf(FileRecord file) => Areas.CacheArea.Resolve(_options.CacheRoot, file.CachePath);

    private ReadAheadOptions ReadAhead() => new()
    {
        MaxMembers = _options.ReadAheadFiles,
        MaxBytes = Math.Max(1, _options.ReadAheadBytes),
        MaxMemberSize = (int)Math.Clamp(_options.ReadAheadBytes / 16, 0, 1L << 20),
    };

    private MemberSource ToSource(FileRecord file) =>
        MemberSource.FromFile(CachePathOf(file), MemberNameOf(file), file.Size) with { FileId = (ulong)file.FileId, ModificationTime = file.CachedAt };

    private FileStream OpenSource(FileRecord file) => new(CachePathOf(file), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);

    /// <summary>The member name a file gets inside an aggregation: its cache path, which the stager reads it back by.</summary>
    /// <param name="file">The file.</param>
    public static string MemberNameOf(FileRecord file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.CachePath.Replace('\\', '/');
    }

    private async ValueTask<(TapeReservation? Reservation, bool AtWidth)> ReserveTapeAsync(string pool, long bytes, HashSet<string> avoid, CancellationToken ct)
    {
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        DateTimeOffset now = txn.Now;
        var candidates = new List<TapeRecord>();
        var stuck = new HashSet<string>(StringComparer.Ordinal);
        var libraries = new HashSet<string>(StringComparer.Ordinal);
        IReadOnlyList<TapeRecord> tapes = await txn.QueryTapesAsync(pool);
        if (_options.MaxWriteTapesPerPool > 0)
        {
            // Held by another live migrator (a fenced or expired holder's tape is free, as below).
            int writing = 0;
            foreach (TapeRecord t in tapes)
            {
                writing += t.MountedBy is not null && !await txn.IsFreeForAsync(t, _options.MigratorId) ? 1 : 0;
            }

            if (writing >= _options.MaxWriteTapesPerPool)
            {
                return (null, true);
            }
        }

        foreach (TapeRecord t in tapes)
        {
            if (libraries.Add(t.Library))
            {
                // A cartridge in a drive that failed cannot come out until the drive is repaired: the work goes to another tape.
                stuck.UnionWith((await txn.QueryDrivesAsync(t.Library)).Where(d => d.Vsn is not null && d.IsOutOfServiceAt(now)).Select(d => d.Vsn!));
            }

            if (!avoid.Contains(t.Vsn) && !stuck.Contains(t.Vsn) && t.HasRoomFor(bytes) && await txn.IsFreeForAsync(t, _options.MigratorId))
            {
                candidates.Add(t);
            }
        }

        TapeRecord? tape = candidates
            .OrderByDescending(t => t.State == TapeState.Filling)
            .ThenByDescending(t => t.BytesUsed)
            .ThenBy(t => t.Vsn, StringComparer.Ordinal)
            .FirstOrDefault();
        if (tape is null)
        {
            return (null, false);
        }

        tape = await txn.UpdateTapeAsync(tape with { MountedBy = _options.MigratorId, MountLeaseUntil = now + _options.MountLease });

        // Whoever left tape files in flight after lastFseq lost the tape (its reservation ended, or it is this migrator
        // before a restart): those files are overwritten now, so their rows fail first (docs/hsm/overview.md#the-archive-commit, crash after steps 3-5).
        IReadOnlyList<AggregationRecord> onTape = await txn.GetAggregationsOnTapeAsync(tape.Vsn);
        _ = await txn.FailAbandonedAsync(tape, HsmActor.Migrator);

        await txn.CommitAsync(ct);
        return (new TapeReservation(tape, TapeReservation.LastFailedAfter(tape.LastFseq, onTape, a => a.IsInFlight || a.State == AggregationState.Failed)), false);
    }

    private ValueTask<string> TapeOfAsync(long aggregationId, CancellationToken ct) =>
        _catalog.ReadAsync(async txn => (await txn.GetAggregationAsync(aggregationId))?.TapeFile?.Vsn ?? "", ct);

    private async ValueTask SetTapeStateAsync(string vsn, TapeState state, string rule, string why, CancellationToken ct)
    {
        Log.TapeStateChanged(_logger, vsn, state, why);
        await _catalog.SetTapeStateAsync(vsn, state, rule, HsmActor.Migrator, why, ct);
    }
}
