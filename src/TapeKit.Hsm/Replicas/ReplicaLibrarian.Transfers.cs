using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

public sealed partial class ReplicaLibrarian
{
    /// <summary>
    /// Allocates a client's upload (P1, for the Bartender): the file row is created on the first upload, then a
    /// <see cref="ReplicaState.Creating"/> row with a new transfer id, the expected size and checksum and a deadline is
    /// written on an online node without a copy of the file — the preferred one if it qualifies, else the least loaded —
    /// before any transfer address is handed out. When the store is unavailable this throws
    /// <see cref="Catalog.CatalogStoreException"/>: the front end refuses the upload with "retry" (docs/hsm/replicas.md#deadlines-and-librarian-outages).
    /// </summary>
    /// <param name="request">The upload.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<UploadTicket> BeginUploadAsync(UploadRequest request, CancellationToken ct = default)
    {
        Check(request);
        return RunAsync(async txn =>
        {
            var changes = new ReplicaChangeSet(txn.Now);
            UploadTicket ticket = await AllocateInAsync(txn, changes, request, new UploadBatch());
            await changes.FlushAsync(txn);
            return ticket;
        }, ct);
    }

    /// <summary>
    /// <see cref="BeginUploadAsync"/> for many uploads in one transaction (a front end that gathers the uploads arriving
    /// together, so that they cost one commit): each is allocated as if alone, in order, the node loads and the nodes
    /// taken by earlier uploads of the same file counting as they go. The tickets are aligned with
    /// <paramref name="requests"/>.
    /// </summary>
    /// <param name="requests">The uploads.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="ArgumentException">An upload has a negative size or needs fewer than one replica.</exception>
    public ValueTask<IReadOnlyList<UploadTicket>> BeginUploadsAsync(IReadOnlyList<UploadRequest> requests, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        foreach (UploadRequest r in requests)
        {
            Check(r);
        }

        return RunAsync<IReadOnlyList<UploadTicket>>(async txn =>
        {
            var changes = new ReplicaChangeSet(txn.Now);
            var batch = new UploadBatch();
            var tickets = new UploadTicket[requests.Count];
            for (int i = 0; i < tickets.Length; i++)
            {
                tickets[i] = await AllocateInAsync(txn, changes, requests[i], batch);
            }

            await changes.FlushAsync(txn);
            return tickets;
        }, ct);
    }

    private void Check(UploadRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Size);
        ArgumentOutOfRangeException.ThrowIfLessThan(request.NeededReplicas ?? Options.DefaultNeededReplicas, 1);
    }

    private async ValueTask<UploadTicket> AllocateInAsync(IReplicaTransaction txn, ReplicaChangeSet changes, UploadRequest request, UploadBatch batch)
    {
        int needed = request.NeededReplicas ?? Options.DefaultNeededReplicas;
        ReplicaFileRecord? file = await txn.GetFileAsync(request.FileId);
        if (file is null)
        {
            file = new ReplicaFileRecord
            {
                FileId = request.FileId,
                NeededReplicas = needed,
                Size = request.Size,
                Checksum = request.Checksum,
                CreatedAt = txn.Now,
            };
            await txn.InsertFileAsync(file);
        }
        else if (file.IsDeleted)
        {
            return new UploadTicket(UploadOutcome.FileDeleted, null, $"File {request.FileId} is deleted.");
        }
        else if (file.Size != request.Size || !SameChecksum(file.Checksum, request.Checksum))
        {
            return new UploadTicket(UploadOutcome.FileMismatch, null,
                $"File {request.FileId} is registered with {file.Size} bytes and {file.Checksum}, not {request.Size} bytes and {request.Checksum}.");
        }

        var taken = (await txn.GetReplicasOfFileAsync(request.FileId)).Select(r => r.NodeId).ToHashSet(StringComparer.Ordinal);
        if (batch.Taken.TryGetValue(request.FileId, out HashSet<string>? earlier))
        {
            taken.UnionWith(earlier);
        }

        batch.Nodes ??= await txn.GetNodesAsync();
        List<NodeRecord> online = [.. batch.Nodes.Where(n => n.IsOnline && !taken.Contains(n.NodeId))];
        if (online.Count == 0)
        {
            return new UploadTicket(UploadOutcome.NoNodeAvailable, null, $"No online node without a copy of file {request.FileId}.");
        }

        NodeRecord target;
        if (online.FirstOrDefault(n => n.NodeId == request.PreferredNodeId) is { } preferred)
        {
            target = preferred;
        }
        else
        {
            batch.Load ??= new Dictionary<string, long>(await txn.CountReplicasByNodeAsync(), StringComparer.Ordinal);
            target = online.OrderBy(n => batch.Load.GetValueOrDefault(n.NodeId)).ThenBy(n => n.NodeId, StringComparer.Ordinal).First();
        }

        ReplicaRecord row = changes.Create(NewTransfer(file, target.NodeId, ReplicaSourceKind.Upload, null, txn.Now), ReplicaActor.Bartender, "upload");
        if (batch.Load is not null)
        {
            batch.Load[target.NodeId] = batch.Load.GetValueOrDefault(target.NodeId) + 1;
        }

        if (!batch.Taken.TryGetValue(request.FileId, out HashSet<string>? mine))
        {
            batch.Taken[request.FileId] = mine = new HashSet<string>(StringComparer.Ordinal);
        }

        _ = mine.Add(target.NodeId);
        return new UploadTicket(UploadOutcome.Allocated, row, $"Upload to '{target.NodeId}' under transfer {row.TransferId}.");
    }

    /// <summary>What the uploads of one transaction share: the nodes, the loads as they grow, the nodes taken per file.</summary>
    private sealed class UploadBatch
    {
        public IReadOnlyList<NodeRecord>? Nodes;
        public Dictionary<string, long>? Load;
        public Dictionary<long, HashSet<string>> Taken = [];
    }

    /// <summary>
    /// A node registers a copy it received whole, verified against its own checksum and stored durably (P2; P4 for a
    /// stalled row): applied only when the row with this transfer id is the node's and the size and checksum are the
    /// expected ones. A mismatch deletes the row (P5) and says "discard"; a replay says <see cref="ReplicaCallOutcome.Replayed"/>;
    /// an unknown or deleted transfer changes nothing and says "discard".
    /// </summary>
    /// <param name="nodeId">The registering node.</param>
    /// <param name="transferId">The transfer the copy arrived by.</param>
    /// <param name="size">The bytes received.</param>
    /// <param name="checksum">The checksum the node computed over them.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<ReplicaCallResult> RegisterAsync(string nodeId, Guid transferId, long size, Checksum checksum, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        return RunAsync(async txn =>
        {
            var changes = new ReplicaChangeSet(txn.Now);
            ReplicaCallResult result = await RegisterInAsync(txn, changes, nodeId, transferId, size, checksum, await txn.GetReplicaAsync(transferId));
            await changes.FlushAsync(txn);
            return result;
        }, ct);
    }

    private static async ValueTask<ReplicaCallResult> RegisterInAsync(
        IReplicaTransaction txn, ReplicaChangeSet changes, string nodeId, Guid transferId, long size, Checksum checksum, ReplicaRecord? row)
    {
        if (row is null)
        {
            return new(ReplicaCallOutcome.UnknownTransfer, null, false, $"No replica has transfer id {transferId}: discard the data.");
        }

        if (row.NodeId != nodeId)
        {
            return new(ReplicaCallOutcome.Refused, row.State, false, $"Transfer {transferId} goes to node '{row.NodeId}', not '{nodeId}'.");
        }

        bool matches = size == row.Size && SameChecksum(checksum, row.Checksum);
        switch (row.State)
        {
            case ReplicaState.Creating or ReplicaState.Stalled:
                if (await txn.GetFileAsync(row.FileId) is { IsDeleted: true })
                {
                    changes.Move(row, "P5", ReplicaActor.Librarian, "the file was deleted");
                    return new(ReplicaCallOutcome.Cancelled, ReplicaState.Deleted, true, $"File {row.FileId} was deleted: discard the data.");
                }

                if (!matches)
                {
                    changes.Move(row, "P5", ReplicaActor.Librarian, $"registered {size} bytes {checksum}, expected {row.Size} bytes {row.Checksum}");
                    return new(ReplicaCallOutcome.Refused, ReplicaState.Deleted, true,
                        $"Expected {row.Size} bytes with {row.Checksum}, got {size} bytes with {checksum}: the transfer is deleted, discard the data.");
                }

                bool late = row.State == ReplicaState.Stalled;
                changes.Move(row, late ? "P4" : "P2", late ? ReplicaActor.Librarian : ReplicaActor.Shepherd,
                    late ? "late registration" : "registered", m => m with { LastCheckedAt = changes.Now });
                return new(late ? ReplicaCallOutcome.AppliedLate : ReplicaCallOutcome.Applied, ReplicaState.Alive, true,
                    late ? "Registered late: alive (P4)." : "Registered: alive (P2).");
            case ReplicaState.Alive or ReplicaState.ThirdWheel when matches:
                return new(ReplicaCallOutcome.Replayed, row.State, false, $"Already registered ({ReplicaStateNames.Of(row.State)}).");
            case ReplicaState.Deleted:
                return new(ReplicaCallOutcome.Cancelled, ReplicaState.Deleted, false, $"Transfer {transferId} was deleted: discard the data.");
            default:
                return new(ReplicaCallOutcome.Unchanged, row.State, false, $"The replica is {ReplicaStateNames.Of(row.State)}; a registration does not apply.");
        }
    }

    /// <summary>
    /// The source (or the tape host) starts sending a transfer: marks it started, so that it is no longer cancelled as
    /// unnecessary. A deleted transfer says <see cref="ReplicaCallOutcome.Cancelled"/> (do not send); a stalled one not
    /// started is deleted now (P5: a replacement is being planned) and cancelled the same way.
    /// </summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<ReplicaCallResult> StartTransferAsync(Guid transferId, CancellationToken ct = default) => RunAsync(async txn =>
    {
        var changes = new ReplicaChangeSet(txn.Now);
        ReplicaCallResult result = StartIn(changes, transferId, await txn.GetReplicaAsync(transferId), out _);
        await changes.FlushAsync(txn);
        return result;
    }, ct);

    /// <summary>
    /// <see cref="StartTransferAsync"/> for many transfers in one transaction (a source that takes its outgoing transfers
    /// a batch at a time): one read per transfer, one batch write of the rows that change. The results are aligned with
    /// <paramref name="transferIds"/>; an id given twice is answered once as started and then as a replay.
    /// </summary>
    /// <param name="transferIds">The transfers, at most <see cref="ReplicaOptions.MaxReportEntries"/>.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="ArgumentException">More transfers than <see cref="ReplicaOptions.MaxReportEntries"/>.</exception>
    public ValueTask<IReadOnlyList<ReplicaCallResult>> StartTransfersAsync(IReadOnlyList<Guid> transferIds, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(transferIds);
        if (transferIds.Count > Options.MaxReportEntries)
        {
            throw new ArgumentException($"At most {Options.MaxReportEntries} transfers start in one call, not {transferIds.Count}.", nameof(transferIds));
        }

        return RunAsync<IReadOnlyList<ReplicaCallResult>>(async txn =>
        {
            var changes = new ReplicaChangeSet(txn.Now);
            var seen = new Dictionary<Guid, ReplicaRecord?>();
            var results = new ReplicaCallResult[transferIds.Count];
            for (int i = 0; i < results.Length; i++)
            {
                Guid id = transferIds[i];
                ReplicaRecord? row = seen.TryGetValue(id, out ReplicaRecord? known) ? known : await txn.GetReplicaAsync(id);
                results[i] = StartIn(changes, id, row, out ReplicaRecord? after);
                seen[id] = after;
            }

            await changes.FlushAsync(txn);
            return results;
        }, ct);
    }

    private static ReplicaCallResult StartIn(ReplicaChangeSet changes, Guid transferId, ReplicaRecord? row, out ReplicaRecord? after)
    {
        after = row;
        switch (row?.State)
        {
            case null:
                return new ReplicaCallResult(ReplicaCallOutcome.UnknownTransfer, null, false, $"No replica has transfer id {transferId}.");
            case ReplicaState.Creating when row.StartedAt is null:
                after = changes.Touch(row, r => r with { StartedAt = changes.Now });
                return new(ReplicaCallOutcome.Applied, ReplicaState.Creating, true, "Started.");
            case ReplicaState.Creating:
                return new ReplicaCallResult(ReplicaCallOutcome.Replayed, ReplicaState.Creating, false, "Started before.");
            case ReplicaState.Stalled when row.StartedAt is not null:
                return new ReplicaCallResult(ReplicaCallOutcome.Replayed, ReplicaState.Stalled, false, "Started before.");
            case ReplicaState.Stalled:
                after = changes.Move(row, "P5", ReplicaActor.Librarian, "stalled before it started");
                return new(ReplicaCallOutcome.Cancelled, ReplicaState.Deleted, true, "The transfer stalled before it started and is deleted: do not send.");
            case ReplicaState.Deleted:
                return new ReplicaCallResult(ReplicaCallOutcome.Cancelled, ReplicaState.Deleted, false, "The transfer was cancelled: do not send.");
            default:
                return new ReplicaCallResult(ReplicaCallOutcome.Unchanged, row.State, false, $"The replica is {ReplicaStateNames.Of(row.State)}: nothing to send.");
        }
    }

    /// <summary>
    /// A transfer failed, as its source or target says (a broken connection, a short stream, a checksum mismatch, a
    /// transfer found not started after a restart): <see cref="ReplicaState.Creating"/> or <see cref="ReplicaState.Stalled"/>
    /// → <see cref="ReplicaState.Deleted"/> (P5), and the planner chooses again. An alive replica stays alive (the target
    /// registered after all: the source just clears its entry).
    /// </summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="reason">What went wrong, in words.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<ReplicaCallResult> ReportTransferFailedAsync(Guid transferId, string reason, CancellationToken ct = default) => RunAsync(async txn =>
    {
        ReplicaRecord? row = await txn.GetReplicaAsync(transferId);
        switch (row?.State)
        {
            case null:
                return new ReplicaCallResult(ReplicaCallOutcome.UnknownTransfer, null, false, $"No replica has transfer id {transferId}.");
            case ReplicaState.Creating or ReplicaState.Stalled:
                var changes = new ReplicaChangeSet(txn.Now);
                changes.Move(row, "P5", ReplicaActor.Librarian, $"transfer failed: {reason}");
                await changes.FlushAsync(txn);
                return new ReplicaCallResult(ReplicaCallOutcome.Applied, ReplicaState.Deleted, true, "Deleted (P5): the planner will choose again.");
            case ReplicaState.Deleted:
                return new ReplicaCallResult(ReplicaCallOutcome.Replayed, ReplicaState.Deleted, false, "Deleted before.");
            default:
                return new ReplicaCallResult(ReplicaCallOutcome.Unchanged, row.State, false, $"The replica is {ReplicaStateNames.Of(row.State)}: the transfer succeeded.");
        }
    }, ct);

    /// <summary>
    /// The source sent the last byte but the target did not register within <see cref="ReplicaOptions.RegistrationTimeout"/>
    /// (docs/hsm/replicas.md C.2): the row stalls now (P3) — it no longer counts and the planner replaces it — and the target may still
    /// register late (P4).
    /// </summary>
    /// <param name="transferId">The transfer.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<ReplicaCallResult> ReportUnconfirmedAsync(Guid transferId, CancellationToken ct = default) => RunAsync(async txn =>
    {
        ReplicaRecord? row = await txn.GetReplicaAsync(transferId);
        switch (row?.State)
        {
            case null:
                return new ReplicaCallResult(ReplicaCallOutcome.UnknownTransfer, null, false, $"No replica has transfer id {transferId}.");
            case ReplicaState.Creating:
                var changes = new ReplicaChangeSet(txn.Now);
                changes.Move(row, "P3", ReplicaActor.Librarian, "the source's registration timeout passed", m => m with { Deadline = changes.Now + Options.StalledGrace });
                await changes.FlushAsync(txn);
                return new ReplicaCallResult(ReplicaCallOutcome.Applied, ReplicaState.Stalled, true, "Stalled (P3): a late registration is still accepted.");
            case ReplicaState.Stalled:
                return new ReplicaCallResult(ReplicaCallOutcome.Replayed, ReplicaState.Stalled, false, "Stalled before.");
            case ReplicaState.Deleted:
                return new ReplicaCallResult(ReplicaCallOutcome.Cancelled, ReplicaState.Deleted, false, "The transfer was deleted.");
            default:
                return new ReplicaCallResult(ReplicaCallOutcome.Unchanged, row.State, false, $"The replica is {ReplicaStateNames.Of(row.State)}.");
        }
    }, ct);

    /// <summary>Deletes a file: the planner then removes every copy (D1, D2, P5). <see langword="false"/> for an unknown or already deleted file.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<bool> DeleteFileAsync(long fileId, CancellationToken ct = default) => RunAsync(async txn =>
    {
        if (await txn.GetFileAsync(fileId) is not { IsDeleted: false } file)
        {
            return false;
        }

        _ = await txn.UpdateFileAsync(file with { DeletedAt = txn.Now });
        return true;
    }, ct);

    /// <summary>Changes how many replicas a file needs; the planner follows. <see langword="false"/> for an unknown or deleted file.</summary>
    /// <param name="fileId">The file.</param>
    /// <param name="neededReplicas">The new number (at least 1).</param>
    /// <param name="ct">Cancels the call.</param>
    public ValueTask<bool> SetNeededReplicasAsync(long fileId, int neededReplicas, CancellationToken ct = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neededReplicas, 1);
        return RunAsync(async txn =>
        {
            if (await txn.GetFileAsync(fileId) is not { IsDeleted: false } file)
            {
                return false;
            }

            if (file.NeededReplicas != neededReplicas)
            {
                _ = await txn.UpdateFileAsync(file with { NeededReplicas = neededReplicas });
            }

            return true;
        }, ct);
    }

    private ReplicaRecord NewTransfer(ReplicaFileRecord file, string nodeId, ReplicaSourceKind kind, string? sourceNodeId, DateTimeOffset now)
    {
        Guid id = Guid.CreateVersion7(now);
        return new ReplicaRecord
        {
            FileId = file.FileId,
            NodeId = nodeId,
            ReferenceId = id.ToString("N"),
            State = ReplicaState.Creating,
            TransferId = id,
            Size = file.Size,
            Checksum = file.Checksum,
            SourceKind = kind,
            SourceNodeId = sourceNodeId,
            CreatedAt = now,
            UpdatedAt = now,
            Deadline = now + Options.CreatingTimeout,
        };
    }
}
