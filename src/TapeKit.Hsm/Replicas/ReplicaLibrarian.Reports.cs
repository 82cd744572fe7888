namespace TapeKit.Hsm.Replicas;

public sealed partial class ReplicaLibrarian
{
    /// <summary>
    /// Takes a node's report (docs/hsm/replicas.md#reporting-without-overload rules 2 and 3): paced by the budget (too early → nothing read or written), bounded by
    /// <see cref="ReplicaOptions.MaxReportEntries"/>, numbered (a replay is acknowledged without a write; a gap is refused
    /// and asks for a digest), and applied set-wise in one transaction: one read of the node's rows of the reported
    /// files, one batch write of the changed rows with their audit rows, and one write of the node's sequence. The
    /// answer acknowledges the sequence, repeats the heartbeat deadline and says when the next report may come.
    /// </summary>
    /// <param name="report">The report.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<ReportAck> ReportAsync(NodeReport report, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentException.ThrowIfNullOrEmpty(report.NodeId);
        ArgumentNullException.ThrowIfNull(report.Entries);
        DateTimeOffset now = Now;
        if (report.Entries.Count > Options.MaxReportEntries || report.Entries.Select(e => e.FileId).Distinct().Count() != report.Entries.Count)
        {
            return new ReportAck(ReportOutcome.Invalid, 0, now, now, false, []);
        }

        if (!Budget.TryAdmit(report.NodeId, out DateTimeOffset retryAt))
        {
            return new ReportAck(ReportOutcome.TooEarly, 0, now, retryAt, false, []);
        }

        (ReportOutcome outcome, NodeRecord? node, IReadOnlyList<ReplicaCallResult> results) = await RunAsync(txn => ApplyReportAsync(txn, report), ct);
        if (node is null)
        {
            return new ReportAck(ReportOutcome.UnknownNode, 0, now, now + Options.IdleReportInterval, false, []);
        }

        DateTimeOffset next = report.MorePending || outcome == ReportOutcome.OutOfSequence ? Budget.Book(report.NodeId) : Now + Options.IdleReportInterval;
        return new ReportAck(outcome, node.ReportSeq, node.NextHeartbeatDue, next, node.DigestWanted, results);
    }

    private static async ValueTask<(ReportOutcome, NodeRecord?, IReadOnlyList<ReplicaCallResult>)> ApplyReportAsync(IReplicaTransaction txn, NodeReport report)
    {
        NodeRecord? node = await txn.GetNodeAsync(report.NodeId);
        if (node is null)
        {
            return (ReportOutcome.UnknownNode, null, []);
        }

        if (report.Sequence <= node.ReportSeq)
        {
            return (ReportOutcome.Duplicate, node, []);
        }

        if (report.Sequence > node.ReportSeq + 1)
        {
            return (ReportOutcome.OutOfSequence, node.DigestWanted ? node : await txn.UpdateNodeAsync(node with { DigestWanted = true }), []);
        }

        Dictionary<long, ReplicaRecord> rows = (await txn.GetReplicasOnNodeAsync(report.NodeId, [.. report.Entries.Select(e => e.FileId)]))
            .ToDictionary(r => r.FileId);
        var changes = new ReplicaChangeSet(txn.Now);
        var results = new ReplicaCallResult[report.Entries.Count];
        for (int i = 0; i < results.Length; i++)
        {
            ReplicaReportEntry e = report.Entries[i];
            ReplicaRecord? row = rows.GetValueOrDefault(e.FileId);
            results[i] = e.State switch
            {
                ReportedReplicaState.Registered => await RegisteredEntryAsync(txn, changes, report.NodeId, e, row),
                ReportedReplicaState.Good => GoodEntry(row),
                ReportedReplicaState.Corrupted => CorruptedEntry(changes, row),
                ReportedReplicaState.Missing => MissingEntry(changes, row, "missing on the node"),
                ReportedReplicaState.Removed => RemovedEntry(changes, row),
                _ => throw new ArgumentOutOfRangeException(nameof(report), e.State, "Unknown reported state."),
            };
        }

        await changes.FlushAsync(txn);
        node = await txn.UpdateNodeAsync(node with { ReportSeq = report.Sequence });
        return (ReportOutcome.Applied, node, results);
    }

    private static async ValueTask<ReplicaCallResult> RegisteredEntryAsync(IReplicaTransaction txn, ReplicaChangeSet changes, string nodeId, ReplicaReportEntry e, ReplicaRecord? row)
    {
        if (e.TransferId is not { } transferId || e.Size is not { } size || e.Checksum is not { } checksum)
        {
            return new(ReplicaCallOutcome.Refused, row?.State, false, "A registration names its transfer id, size and checksum.");
        }

        return await RegisterInAsync(txn, changes, nodeId, transferId, size, checksum,
            row?.TransferId == transferId ? row : await txn.GetReplicaAsync(transferId));
    }

    private static ReplicaCallResult GoodEntry(ReplicaRecord? row) => row?.State switch
    {
        null => new(ReplicaCallOutcome.Cancelled, null, false, "No live replica of the file on this node: discard the copy."),
        ReplicaState.Alive or ReplicaState.ThirdWheel => new(ReplicaCallOutcome.Replayed, row.State, false, "Known."),
        ReplicaState.Invalid => new(ReplicaCallOutcome.Unchanged, row.State, false, "Known as INVALID: a repair will replace it."),
        _ => new(ReplicaCallOutcome.Unchanged, row.State, false, "A transfer is in progress: register it by its transfer id."),
    };

    private static ReplicaCallResult CorruptedEntry(ReplicaChangeSet changes, ReplicaRecord? row)
    {
        switch (row?.State)
        {
            case null:
                return new(ReplicaCallOutcome.Cancelled, null, false, "No live replica of the file on this node: discard the copy.");
            case ReplicaState.Alive:
                changes.Move(row, "P6", ReplicaActor.Shepherd, "checksum mismatch");
                return new(ReplicaCallOutcome.Applied, ReplicaState.Invalid, true, "INVALID (P6).");
            case ReplicaState.Invalid:
                return new(ReplicaCallOutcome.Replayed, row.State, false, "INVALID before.");
            default:
                return new(ReplicaCallOutcome.Unchanged, row.State, false, $"The replica is {ReplicaStateNames.Of(row.State)}.");
        }
    }

    private static ReplicaCallResult MissingEntry(ReplicaChangeSet changes, ReplicaRecord? row, string reason)
    {
        switch (row?.State)
        {
            case null:
                return new(ReplicaCallOutcome.Replayed, null, false, "No live replica of the file on this node.");
            case ReplicaState.Alive:
                changes.Move(row, "P6", ReplicaActor.Shepherd, reason);
                return new(ReplicaCallOutcome.Applied, ReplicaState.Invalid, true, "INVALID (P6): the planner repairs or drops it.");
            case ReplicaState.ThirdWheel:
                changes.Move(row, "P11", ReplicaActor.Shepherd, reason);
                return new(ReplicaCallOutcome.Applied, ReplicaState.Deleted, true, "DELETED (P11).");
            case ReplicaState.Invalid:
                return new(ReplicaCallOutcome.Replayed, row.State, false, "INVALID before.");
            default:
                return new(ReplicaCallOutcome.Unchanged, row.State, false, "A transfer is in progress; its own path decides.");
        }
    }

    private static ReplicaCallResult RemovedEntry(ReplicaChangeSet changes, ReplicaRecord? row) => row?.State switch
    {
        ReplicaState.Alive => MissingEntry(changes, row, "removed without being asked"),
        ReplicaState.ThirdWheel => MissingEntry(changes, row, "the node deleted the surplus copy"),
        _ => MissingEntry(changes, row, "removed"),
    };

    /// <summary>
    /// Compares a node's digest with the Librarian's view of the node (docs/hsm/replicas.md#reporting-without-overload rule 4) — a read of the node's rows, no
    /// replica write — and answers with the differing buckets and the Librarian's entries of them, so that the node
    /// reports only the differences. Clears the node's <see cref="NodeRecord.DigestWanted"/> (one node-row write when it
    /// was set).
    /// </summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="digest">The node's digest of the copies it registered.</param>
    /// <param name="ct">Cancels the call.</param>
    public async ValueTask<DigestComparison> CompareDigestAsync(string nodeId, ReplicaDigest digest, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(nodeId);
        ArgumentNullException.ThrowIfNull(digest);
        DigestComparison result = await RunAsync(async txn =>
        {
            NodeRecord? node = await txn.GetNodeAsync(nodeId);
            if (node is null)
            {
                return new DigestComparison(false, [], [], 0, txn.Now);
            }

            var entries = new List<ReplicaDigestEntry>();
            long after = long.MinValue;
            while (true)
            {
                IReadOnlyList<(long FileId, ReplicaState State)> page = await txn.GetReplicaStatesOfNodeAsync(nodeId, after, DigestPage);
                foreach ((long fileId, ReplicaState state) in page)
                {
                    if (state is ReplicaState.Alive or ReplicaState.ThirdWheel or ReplicaState.Invalid)
                    {
                        entries.Add(new ReplicaDigestEntry(fileId, state == ReplicaState.Invalid));
                    }
                }

                if (page.Count < DigestPage)
                {
                    break;
                }

                after = page[^1].FileId;
            }

            IReadOnlyList<int> differing = ReplicaDigest.Of(entries).DifferingBuckets(digest);
            var wanted = differing.ToHashSet();
            if (node.DigestWanted)
            {
                node = await txn.UpdateNodeAsync(node with { DigestWanted = false });
            }

            return new DigestComparison(true, differing, [.. entries.Where(e => wanted.Contains(ReplicaDigest.BucketOf(e.FileId)))], node.ReportSeq, txn.Now);
        }, ct);
        return result.Known && result.DifferingBuckets.Count > 0 ? result with { NextReportAfter = Budget.Book(nodeId) } : result;
    }
}
