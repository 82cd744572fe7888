using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Win32.SafeHandles;
using TapeKit.Aggregation;
using TapeKit.Aggregation.Il;
using TapeKit.Aggregation.Tar;
using TapeKit.Checksums;
using TapeKit.Devices;
using TapeKit.Hsm.Areas;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.StateMachines;
using TapeKit.Hsm.Tapes;
using TapeKit.IO;
using TapeKit.Layout;
using HsmAggregationFormat = TapeKit.Hsm.Model.AggregationPayloadFormat;
using TapeAggregationFormat = TapeKit.Aggregation.AggregationFormat;
using TapeAggregationMember = TapeKit.Aggregation.AggregationMember;

namespace TapeKit.Hsm.Staging;

public sealed partial class Stager
{
    // checkpoint: called between items (a stage command's lease heartbeat); false stops the session.
    private async ValueTask<SessionResult> RunSessionAsync(
        RecallQueue queue, long usedBytes, List<string> explanation, Func<IReadOnlyCollection<long>, ValueTask<Dictionary<long, FileRecord>>> claim,
        Func<CancellationToken, ValueTask<bool>>? checkpoint, CancellationToken ct)
    {
        TapeRecord? tape = await _catalog.ReadAsync(txn => txn.GetTapeAsync(queue.Vsn), ct);
        int blockSize = tape is { BlockSize: > 0 } ? tape.BlockSize : _options.DefaultBlockSize;
        TapeMount mount;
        try
        {
            mount = await _drives.AcquireAsync(new MountRequest
            {
                Vsn = queue.Vsn,
                Pool = tape?.Pool ?? "",
                Mode = MountMode.Read,
                Priority = queue.TopPriority,
                Requester = _options.StagerId.Length > 0 ? _options.StagerId : $"stager/{_options.DiskLibrary}",
            }, ct);
        }
        catch (TapeMountException e) when (e.CartridgeMissing)
        {
            // The library has no such cartridge: the tape is set aside (no reads planned on it), so its requests turn to
            // another copy, or fail for want of one (no readable copy) instead of being planned on it again and again.
            explanation.Add($"{queue.Vsn}: the library has no such cartridge ({e.Message}); the tape is set aside as lost and its requests go to another copy");
            await _catalog.SetTapeStateAsync(queue.Vsn, TapeState.Disabled, "F14", HsmActor.Migrator, $"lost: {e.Message}", ct);
            return default;
        }
        catch (TapeMountException e)
        {
            explanation.Add($"{queue.Vsn}: not mounted now ({e.Message}); its requests stay queued");
            return default;
        }

        int staged = 0, requeued = 0, failed = 0;
        long stagedBytes = 0;
        // Every drive call runs on the mount's drive thread and is awaited here; ct stops a read before its next drive call.
        await using (mount)
        {
            if (mount.RobotMounted)
            {
                // The pool recorded the mount on the tape row (ITapeDrivePool.AcquireAsync); the metric is the session's.
                _metrics?.Mounts.Add(1, new TagList { { "purpose", "recall" } });
            }

            try
            {
                _ = await mount.RunAsync(drive => AulVolume.Mount(drive, queue.Vsn), ct);
            }
            catch (Exception e) when (e is TapeFormatException or UnsafeOperationException or TapeDriveException)
            {
                explanation.Add($"{queue.Vsn}: the volume check failed ({e.Message}); the tape needs attention and its requests stay queued");
                await _catalog.UpdateTapeAsync(queue.Vsn, t => t with { State = TapeState.NeedsAttention, ReadErrors = t.ReadErrors + 1 }, ct);
                return new SessionResult(mount.RobotMounted, 0, 0, 0, 0);
            }

            // Batches bounded by FetchMax*: the session takes its whole queue, one planned batch after the other.
            var remaining = queue.Items.ToList();
            while (remaining.Count > 0)
            {
                if (UsedFraction(usedBytes + stagedBytes) >= _planner.Options.StageHighWatermark)
                {
                    // Back-pressure (docs/hsm/overview.md#recalls): the running session fetches no further batch; the rest stays queued.
                    explanation.Add($"{queue.Vsn}: cache area at {UsedFraction(usedBytes + stagedBytes):P0} ≥ the high watermark; {remaining.Count} requests stay queued");
                    break;
                }

                StagePlan plan = _planner.PlanBatch(new RecallQueue(queue.Vsn, queue.DiskLibrary, remaining));
                explanation.AddRange(plan.Explanation.Select(e => $"{queue.Vsn}: {e}"));
                var planned = plan.Items.SelectMany(i => i.Members).Select(m => m.FileId).ToHashSet();
                remaining.RemoveAll(q => planned.Contains(q.Request.FileId));
                Dictionary<long, FileRecord> claimed = await claim(planned);
                foreach (StageItem item in plan.Items)
                {
                    ct.ThrowIfCancellationRequested();
                    if (checkpoint is not null && !await checkpoint(ct))
                    {
                        explanation.Add($"{queue.Vsn}: the list's lease was lost; the session stops");
                        return new SessionResult(mount.RobotMounted, staged, requeued, failed, stagedBytes);
                    }

                    (int s, int r, int f, long b) = await StageItemAsync(mount, queue.Vsn, blockSize, item, claimed, ct);
                    staged += s;
                    stagedBytes += b;
                    requeued += r;
                    failed += f;
                }
            }
        }

        return new SessionResult(mount.RobotMounted, staged, requeued, failed, stagedBytes);
    }

    private async ValueTask<(int Staged, int Requeued, int Failed, long StagedBytes)> StageItemAsync(
        TapeMount mount, string vsn, int blockSize, StageItem item, Dictionary<long, FileRecord> claimed, CancellationToken ct)
    {
        AggregationRecord? aggregation = await _catalog.ReadAsync(txn => txn.GetAggregationAsync(item.AggregationId), ct);
        var todo = item.Members.Where(m => claimed.ContainsKey(m.FileId)).Select(m => (Member: m, File: claimed[m.FileId])).ToList();
        if (aggregation?.TapeFile is not { } tapeFile || todo.Count == 0)
        {
            return (0, 0, 0, 0);
        }

        // A cache path that cannot be published is refused before the tape is read: its recall fails, the copy is not blamed.
        var refusedEarly = new List<(FileRecord File, string Reason)>();
        todo.RemoveAll(t =>
        {
            try
            {
                _ = CacheArea.Resolve(_options.CacheRoot, t.File.CachePath);
                return false;
            }
            catch (UnsafeOperationException e)
            {
                refusedEarly.Add((t.File, e.Message));
                return true;
            }
        });
        int unsafePaths = await FailRecallsAsync(refusedEarly, UnsafeCachePath, ct);
        if (todo.Count == 0)
        {
            return (0, 0, unsafePaths, 0);
        }

        var good = new List<(FileRecord File, string StagePath)>();
        var bad = new List<(FileRecord File, string Reason)>();
        string mode = item.Mode == ReadMode.Whole ? "whole" : "positioned";
        _metrics?.ReadAhead.Add(1, new TagList { { "decision", mode } });
        try
        {
            if (item.Mode == ReadMode.Whole && aggregation.Format != HsmAggregationFormat.None)
            {
                await mount.RunAsync(drive => ReadWhole(drive, blockSize, aggregation, tapeFile, todo, good, bad), ct);
            }

            // Positioned reads: what the plan chose, and whatever a whole read could not deliver.
            var settled = good.Select(g => g.File.FileId).Concat(bad.Select(b => b.File.FileId)).ToHashSet();
            foreach ((StageMember member, FileRecord file) in todo.Where(t => !settled.Contains(t.File.FileId)))
            {
                string stage = StagePathOf(aggregation, file);
                try
                {
                    await mount.RunAsync(
                        drive =>
                        {
                            using FileStream output = CreateStageFile(stage);
                            ReadPositioned(drive, blockSize, aggregation, tapeFile, member, file, output);
                            _ = FileWriteback.Start(output.SafeFileHandle, 0, output.Length);
                        },
                        ct);
                    good.Add((file, stage));
                }
                catch (Exception e) when (e is TapeFormatException or TapeDriveException)
                {
                    File.Delete(stage);
                    bad.Add((file, e.Message));
                }
                catch (OperationCanceledException)
                {
                    File.Delete(stage); // Stopped mid-member: the part file is never published.
                    throw;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped at the drive: the members read so far are not published either. Their files stay STAGING, as after a
            // crash: the sweeper re-queues them (C8) when the claim's lease ends.
            foreach ((_, string stage) in good)
            {
                File.Delete(stage);
            }

            throw;
        }

        unsafePaths += await RefuseUnsafePathsAsync(good, ct);
        (int staged, int publishFailed) = await PublishAsync(good, ct);
        var tags = new TagList { { "disk_library", _options.DiskLibrary }, { "read_mode", mode } };
        _metrics?.StageFiles.Add(staged, tags);
        _metrics?.StageBytes.Add(good.Sum(g => g.File.Size), tags);
        _metrics?.ChecksumFailures.Add(bad.Count, new TagList { { "where", "stage" } });
        (int requeued, int failed) = await RejectAsync(vsn, aggregation, bad, ct);
        return (staged, requeued, failed + unsafePaths + publishFailed, good.Sum(g => g.File.Size));
    }

    /// <summary>Runs on the drive thread: good and bad are the caller's, read back after the command completes.</summary>
    private void ReadWhole(
        ITapeDrive drive, int blockSize, AggregationRecord aggregation, TapeFileLocator tapeFile,
        List<(StageMember Member, FileRecord File)> todo, List<(FileRecord File, string StagePath)> good, List<(FileRecord File, string Reason)> bad)
    {
        var wanted = todo.ToDictionary(t => aggregation.Format == HsmAggregationFormat.Il ? t.File.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture) : Migrator.MemberNameOf(t.File), t => t.File, StringComparer.Ordinal);
        var source = new DriveBlockSource(drive, tapeFile.FirstBlockId, blockSize, aggregation.BlockCount);
        string? current = null;
        try
        {
            using AggregationReader reader = aggregation.Format == HsmAggregationFormat.Il
                ? new IlAggregationReader(source)
                : new TarAggregationReader(source);
            while (wanted.Count > 0 && reader.ReadNext() is { } entry)
            {
                string key = aggregation.Format == HsmAggregationFormat.Il ? entry.FileId.ToString(System.Globalization.CultureInfo.InvariantCulture) : entry.Name;
                if (entry.Type != AggregationEntryType.File || !wanted.Remove(key, out FileRecord? file))
                {
                    // Not asked for: passed over unverified (its damage is not this recall's, and must not stop it).
                    reader.SkipData();
                    continue;
                }

                current = StagePathOf(aggregation, file);
                MemberDigest digest;
                using (FileStream output = CreateStageFile(current))
                {
                    digest = reader.CopyDataTo(output);
                    _ = FileWriteback.Start(output.SafeFileHandle, 0, output.Length); // made durable before it is published
                }

                if (entry.Size == file.Size && HsmChecksums.Agree(file.Checksums, digest))
                {
                    good.Add((file, current));
                }
                else
                {
                    File.Delete(current);
                    bad.Add((file, $"read {entry.Size} bytes with {digest}; the catalogue records {file.Size} bytes with {string.Join(", ", file.Checksums)}"));
                }

                current = null;
            }
        }
        catch (Exception e) when (e is TapeFormatException or TapeDriveException)
        {
            // The rest of the batch is read positioned; the member being read when it failed is retried that way too.
            if (current is not null)
            {
                File.Delete(current);
            }
        }
        catch (OperationCanceledException)
        {
            if (current is not null)
            {
                File.Delete(current); // Stopped mid-member: the part file is never published.
            }

            throw;
        }
    }

    private static void ReadPositioned(
        ITapeDrive drive, int blockSize, AggregationRecord aggregation, TapeFileLocator tapeFile, StageMember member, FileRecord file, Stream output)
    {
        if (!HsmChecksums.TryGetDigest(file.Checksums, out MemberDigest expected))
        {
            throw new TapeFormatException($"File {file.FileId} has no adler32 and xxh3 checksums to verify a recall against.", "catalogue", "checksums", 0, 0, string.Empty);
        }

        if (aggregation.Format == HsmAggregationFormat.None)
        {
            // A direct tape file: the whole file is the member.
            var whole = new DriveBlockSource(drive, tapeFile.FirstBlockId, blockSize, aggregation.BlockCount);
            var hasher = new MemberHasher();
            byte[] block = new byte[blockSize];
            long left = file.Size;
            for (long i = 0; left > 0; i++)
            {
                int n = whole.ReadBlock(i, block);
                int take = (int)Math.Min(n, left);
                hasher.Append(block.AsSpan(0, take));
                output.Write(block, 0, take);
                left -= take;
                if (n == 0)
                {
                    throw new TapeFormatException($"Tape file {tapeFile.Fseq} on {tapeFile.Vsn} ends {left} bytes before file {file.FileId} does.", "tape file", "data", file.Size - left, 0, string.Empty);
                }
            }

            if (!hasher.GetDigest().Agrees(expected))
            {
                throw new TapeFormatException($"File {file.FileId} read from {tapeFile.Vsn} fseq {tapeFile.Fseq} has {hasher.GetDigest()}; the catalogue records {expected}.", "tape file", "adler32", 0, 0, string.Empty);
            }

            return;
        }

        long headerOffset = (member.Member.BlockIndex * (long)blockSize) + member.Member.OffsetInBlock;
        var index = new TapeAggregationMember(Migrator.MemberNameOf(file), (ulong)file.FileId, file.Size, headerOffset, member.Member.PayloadOffset,
            member.Member.BlockIndex, member.Member.OffsetInBlock, expected);
        var source = new DriveBlockSource(drive, tapeFile.FirstBlockId, blockSize, aggregation.BlockCount);
        TapeAggregationFormat format = aggregation.Format == HsmAggregationFormat.Il ? TapeAggregationFormat.Il : TapeAggregationFormat.Tar;
        _ = AggregationReader.ReadMember(source, format, index, output, (ulong)tapeFile.Fseq, (ulong)tapeFile.FirstBlockId);
    }

    private string StagePathOf(AggregationRecord aggregation, FileRecord file) =>
        Path.Combine(_options.StageRoot, $"{aggregation.AggregationId}-{file.FileId}.part");

    /// <summary>The names <see cref="StagePathOf"/> gives, as a file-name pattern.</summary>
    private const string StageCopyPattern = "*-*.part";

    /// <summary>
    /// A new stage file with the area's permissions: a leftover of a crash (or anything planted under the name) is
    /// removed first, never opened, so the write cannot follow a link out of the stage area.
    /// </summary>
    private FileStream CreateStageFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (DirectoryNotFoundException)
        {
            // The stage area's directory is made below.
        }

        return CacheArea.CreateFile(_options.StageRoot, path, _options.FileMode, _options.DirectoryMode);
    }

    private async ValueTask<Dictionary<long, FileRecord>> ClaimAsync(IEnumerable<long> fileIds, CancellationToken ct)
    {
        var claimed = new Dictionary<long, FileRecord>();
        await using ICatalogTransaction txn = await _catalog.BeginAsync(ct);
        foreach (long id in fileIds)
        {
            if (await txn.TryMoveCacheAsync(id, CacheStatus.StagingRequested, FileCacheEvent.StageClaimed, HsmActor.Migrator) is { } f)
            {
                claimed[id] = f;
            }
        }

        await txn.CommitAsync(ct);
        StepObserver?.Invoke(StageStep.Claimed, claimed.Keys);
        return claimed;
    }

    /// <summary>
    /// Takes out of <paramref name="good"/> the copies whose cache path the catalogue records is not safe to publish (it
    /// breaks F12.1, leaves the cache area, or a directory on its way is a link or a file): their stage copies are deleted
    /// and their recalls fail with the reason (the copy on tape is fine; the row needs an operator), the others are
    /// left with their parent directories made.
    /// </summary>
    private async ValueTask<int> RefuseUnsafePathsAsync(List<(FileRecord File, string StagePath)> good, CancellationToken ct)
    {
        var refused = new List<(FileRecord File, string Reason)>();
        good.RemoveAll(g =>
        {
            try
            {
                string target = CacheArea.Resolve(_options.CacheRoot, g.File.CachePath);
                SafeDirectory.Create(_options.CacheRoot, Path.GetDirectoryName(target)!, _options.DirectoryMode & ~CacheArea.ForbiddenBits, g.File.CachePath);
                return false;
            }
            catch (UnsafeOperationException e)
            {
                File.Delete(g.StagePath);
                refused.Add((g.File, e.Message));
                return true;
            }
        });
        return await FailRecallsAsync(refused, UnsafeCachePath, ct);
    }

    /// <summary>Fails the recalls of claimed files that cannot be published (C8 back to the queue, then C9) with <paramref name="failureReason"/>.</summary>
    private async ValueTask<int> FailRecallsAsync(List<(FileRecord File, string Reason)> refused, string failureReason, CancellationToken ct)
    {
        int failed = 0;
        foreach ((FileRecord file, string reason) in refused)
        {
            await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
            {
                _ = await ClaimedRecalls.RequeueAsync(txn, file.FileId, HsmActor.Migrator, reason);
                await txn.CommitAsync(ct);
            }

            failed += await FailAsync(file.FileId, CacheStatus.StagingRequested, $"{failureReason}: {reason}", ct) ? 1 : 0;
        }

        return failed;
    }

    /// <summary>The failure reason of a recall whose cache path is not safe to publish.</summary>
    private const string UnsafeCachePath = "UnsafeCachePath";

    /// <summary>The failure reason of a recall whose verified copy could not be renamed into the read cache.</summary>
    private const string PublishFailed = "PublishFailed";

    /// <summary>
    /// Publishes the verified stage copies of <paramref name="good"/> (sync, C6, rename, directory sync, C7). A copy that
    /// cannot be synced or renamed into the read cache (a disk error, a directory where the file goes, permissions) is
    /// taken out of <paramref name="good"/>, deleted, and its recall fails with the reason: such an obstacle needs an
    /// operator, and a recall sent back to the queue would mount and read the tape again for nothing, again and again.
    /// </summary>
    private async ValueTask<(int Published, int Failed)> PublishAsync(List<(FileRecord File, string StagePath)> good, CancellationToken ct)
    {
        if (good.Count == 0)
        {
            return (0, 0);
        }

        // The verified copies' bytes reach the disk before the catalogue calls any of them STAGED, then CACHED: a crash
        // after C7 must never leave a recalled file in the cache whose bytes were not written. Their write-back started
        // as each was written, so these syncs mostly wait for journal commits, which syncs in flight together share.
        var unsynced = new ConcurrentDictionary<long, string>();
        Parallel.ForEach(good, new ParallelOptions { MaxDegreeOfParallelism = SyncsInFlight, CancellationToken = ct }, g =>
        {
            try
            {
                MakeDurable(g.StagePath);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                unsynced[g.File.FileId] = e.Message;
            }
        });
        var refused = new List<(FileRecord File, string Reason)>();
        good.RemoveAll(g => unsynced.TryGetValue(g.File.FileId, out string? error)
            && Drop(g, refused, $"the verified copy could not be made durable: {error}"));

        // C6 for the batch, then the renames, then C7. A stop in between leaves STAGED files: the list is not completed,
        // and its next attempt re-queues them (C8) and reads them again; the stage copy of a gone worker is not trusted.
        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            foreach ((FileRecord file, _) in good)
            {
                _ = await txn.TryMoveCacheAsync(file.FileId, CacheStatus.Staging, FileCacheEvent.Extracted, HsmActor.Migrator);
            }

            await txn.CommitAsync(ct);
        }

        StepObserver?.Invoke(StageStep.Extracted, [.. good.Select(g => g.File.FileId)]);

        var targets = new List<string>(good.Count);
        good.RemoveAll(g =>
        {
            // Checked by RefuseUnsafePathsAsync: inside the cache area, its directories made without following a link.
            string target = CacheArea.Resolve(_options.CacheRoot, g.File.CachePath);
            bool failed = Refuse(g, refused, $"the verified copy could not be renamed to {target}", () => PublishCopy(g.StagePath, target));
            if (!failed)
            {
                targets.Add(target);
            }

            return failed;
        });

        // The renames (and the directories made for them) survive a crash before the catalogue calls the files CACHED.
        DirectorySync.FlushAncestors(_options.CacheRoot, targets);

        var published = new List<long>(good.Count);
        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            foreach ((FileRecord file, _) in good)
            {
                if (await txn.TryMoveCacheAsync(file.FileId, CacheStatus.Staged, FileCacheEvent.Published, HsmActor.Migrator,
                    mutate: f => f with { LastAccessAt = txn.Now }) is not null)
                {
                    published.Add(file.FileId);
                }
            }

            if (_options.NotifyHost && published.Count > 0)
            {
                await HostNotifications.AddAsync(txn, HsmMessageTypes.CacheStaged,
                    new CacheStagedEvent([.. published], _options.DiskLibrary), _catalog.Time, _options.DiskLibrary);
            }

            await txn.CommitAsync(ct);
        }

        StepObserver?.Invoke(StageStep.Published, published);
        return (published.Count, await FailRecallsAsync(refused, PublishFailed, ct));
    }

    /// <summary>
    /// Runs <paramref name="step"/> on a verified copy; when the file system refuses it, deletes the copy, records the
    /// recall as refused with <paramref name="what"/> and the error, and answers true (the copy leaves the batch).
    /// </summary>
    private static bool Refuse((FileRecord File, string StagePath) copy, List<(FileRecord File, string Reason)> refused, string what, Action step)
    {
        try
        {
            step();
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Drop(copy, refused, $"{what}: {e.Message}");
        }
    }

    /// <summary>Deletes a verified copy that will not be published and records its recall as refused; answers true.</summary>
    private static bool Drop((FileRecord File, string StagePath) copy, List<(FileRecord File, string Reason)> refused, string reason)
    {
        File.Delete(copy.StagePath);
        refused.Add((copy.File, reason));
        return true;
    }

    /// <summary>Syncs a stage copy's bytes to disk (its handle opened for writing, as <c>fsync</c> through .NET needs).</summary>
    private static void MakeDurable(string stagePath)
    {
        using SafeFileHandle handle = File.OpenHandle(stagePath, FileMode.Open, FileAccess.Write);
        RandomAccess.FlushToDisk(handle);
    }

    /// <summary>
    /// Puts a durable stage copy at <paramref name="target"/> atomically: a rename when both are on one file system; across
    /// two (a stage area on a disk of its own), a copy under a hidden temporary name beside the target, synced, then
    /// renamed over it — never a copy into the target itself, which a failure half-way would leave partial.
    /// </summary>
    private void PublishCopy(string stagePath, string target)
    {
        string directory = Path.GetDirectoryName(target)!;
        if (!OperatingSystem.IsLinux() || FileNodes.Inspect(stagePath).Device == FileNodes.Inspect(directory).Device)
        {
            File.Move(stagePath, target, overwrite: true);
            return;
        }

        // Hidden, and short whatever the target's name (which may already be near the file system's limit).
        string temporary = Path.Combine(directory, $".{Guid.NewGuid():N}{PublishingSuffix}");
        try
        {
            using (var source = new FileStream(stagePath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0))
            using (FileStream copy = CacheArea.CreateFile(_options.CacheRoot, temporary, _options.FileMode, _options.DirectoryMode))
            {
                source.CopyTo(copy, DiskCopyBuffer);
                copy.Flush(flushToDisk: true);
            }

            File.Move(temporary, target, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        File.Delete(stagePath);
    }

    /// <summary>The suffix of the temporary copy <see cref="PublishCopy"/> makes beside a target on another file system.</summary>
    internal const string PublishingSuffix = ".tapekit-publishing";

    /// <summary>The names <see cref="PublishCopy"/> gives its temporary copies, as a file-name pattern.</summary>
    private const string PublishingPattern = ".*" + PublishingSuffix;

    private const int DiskCopyBuffer = 1 << 20;

    /// <summary>Stage copies synced at once before a batch is published.</summary>
    private const int SyncsInFlight = 8;

    private async ValueTask<(int Requeued, int Failed)> RejectAsync(string vsn, AggregationRecord aggregation, List<(FileRecord File, string Reason)> bad, CancellationToken ct)
    {
        if (bad.Count == 0)
        {
            return (0, 0);
        }

        // The segment is not what was written: DAMAGED (G6), so no recall uses it again until an operator repairs it.
        await using (ICatalogTransaction txn = await _catalog.BeginAsync(ct))
        {
            _ = await txn.TryMoveAggregationAsync(aggregation.AggregationId, AggregationState.OnTape, AggregationEvent.Damaged, HsmActor.Migrator,
                bad[0].Reason, a => a with { FailureReason = FailureReason.ChecksumMismatchOnRead + ": " + bad[0].Reason });
            foreach ((FileRecord file, string reason) in bad)
            {
                Log.BadCopy(_logger, file.FileId, aggregation.AggregationId, vsn, reason);
                _ = await ClaimedRecalls.RequeueAsync(txn, file.FileId, HsmActor.Migrator, reason);
            }

            await txn.CommitAsync(ct);
        }

        // C8 then, with no healthy copy left, C9: the failure is reported on the file, never a bad copy delivered.
        int failed = 0;
        foreach ((FileRecord file, string reason) in bad)
        {
            bool otherCopy = await _catalog.ReadAsync(async txn => (await txn.GetCopiesOfFileAsync(file.FileId)).Any(c => c.Aggregation.State == AggregationState.OnTape), ct);
            if (!otherCopy && await FailAsync(file.FileId, CacheStatus.StagingRequested, $"{FailureReason.ChecksumMismatchOnRead}: {vsn} fseq {aggregation.TapeFile?.Fseq}: {reason}", ct))
            {
                failed++;
            }
        }

        return (bad.Count - failed, failed);
    }
}
