using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Replicas;

/// <summary>What a node says about one of its copies in a report (docs/hsm/replicas.md#reporting-without-overload rule 2: changes only).</summary>
public enum ReportedReplicaState
{
    /// <summary>A copy arrived whole and verified under <see cref="ReplicaReportEntry.TransferId"/>: a registration (P2, P4) in a batch.</summary>
    Registered,

    /// <summary>The node holds a good copy (a digest reconciliation): the Librarian answers "discard" when it knows no live copy there.</summary>
    Good,

    /// <summary>The node's checksum scan or a read found the copy damaged (P6).</summary>
    Corrupted,

    /// <summary>The copy is gone from the node without having been asked (a lost disk, a reconciliation).</summary>
    Missing,

    /// <summary>The node deleted the copy as asked (P11).</summary>
    Removed,
}

/// <summary>One entry of a report.</summary>
/// <param name="FileId">The file.</param>
/// <param name="State">What the node says.</param>
/// <param name="TransferId">For <see cref="ReportedReplicaState.Registered"/>: the transfer the copy arrived by.</param>
/// <param name="Size">For <see cref="ReportedReplicaState.Registered"/>: the bytes received.</param>
/// <param name="Checksum">For <see cref="ReportedReplicaState.Registered"/>: the checksum the node computed.</param>
public sealed record ReplicaReportEntry(long FileId, ReportedReplicaState State, Guid? TransferId = null, long? Size = null, Checksum? Checksum = null);

/// <summary>A node's report: the changes since its last acknowledged report, numbered (docs/hsm/replicas.md#reporting-without-overload rules 2 and 3).</summary>
/// <param name="NodeId">The node.</param>
/// <param name="Sequence">The acknowledged sequence plus one.</param>
/// <param name="Entries">At most <see cref="ReplicaOptions.MaxReportEntries"/> entries, one per file.</param>
/// <param name="MorePending">The node has more to send: the Librarian books it a slot of the budget.</param>
public sealed record NodeReport(string NodeId, long Sequence, IReadOnlyList<ReplicaReportEntry> Entries, bool MorePending = false);

/// <summary>How a report was taken.</summary>
public enum ReportOutcome
{
    /// <summary>Applied in one transaction and acknowledged.</summary>
    Applied,

    /// <summary>Its sequence was applied before (a replay): acknowledged again, nothing written.</summary>
    Duplicate,

    /// <summary>Its sequence skips ahead of the last acknowledged one: nothing applied; resend from <see cref="ReportAck.AcknowledgedSequence"/> plus one, and send a digest.</summary>
    OutOfSequence,

    /// <summary>Sent before the node's <see cref="ReportAck.NextReportAfter"/> or over the budget: nothing read or written.</summary>
    TooEarly,

    /// <summary>More entries than <see cref="ReplicaOptions.MaxReportEntries"/>, or an entry repeated: nothing written.</summary>
    Invalid,

    /// <summary>The node is not registered: nothing written.</summary>
    UnknownNode,
}

/// <summary>The Librarian's acknowledgement of a report.</summary>
/// <param name="Outcome">How the report was taken.</param>
/// <param name="AcknowledgedSequence">The last sequence applied for the node.</param>
/// <param name="NextHeartbeatDue">The node's heartbeat deadline.</param>
/// <param name="NextReportAfter">The earliest time of the node's next report (the budget's pacing).</param>
/// <param name="DigestWanted">The node must send a digest.</param>
/// <param name="Results">Per entry, aligned with the report's entries (empty unless applied).</param>
public sealed record ReportAck(
    ReportOutcome Outcome, long AcknowledgedSequence, DateTimeOffset NextHeartbeatDue, DateTimeOffset NextReportAfter, bool DigestWanted,
    IReadOnlyList<ReplicaCallResult> Results);

/// <summary>The Librarian's comparison of a node's digest with its own view (docs/hsm/replicas.md#reporting-without-overload rule 4).</summary>
/// <param name="Known">False for a node that is not registered.</param>
/// <param name="DifferingBuckets">The buckets whose count or hash differ, ascending.</param>
/// <param name="LibrarianView">
/// The Librarian's entries of those buckets, by file id: the node compares them with its own and reports only the
/// differences (<see cref="ReplicaDigest.Reconcile"/>), so the reports that follow a gap number ⌈differences / MaxReportEntries⌉.
/// </param>
/// <param name="AcknowledgedSequence">The last sequence applied for the node.</param>
/// <param name="NextReportAfter">The earliest time of the node's next report.</param>
public sealed record DigestComparison(
    bool Known, IReadOnlyList<int> DifferingBuckets, IReadOnlyList<ReplicaDigestEntry> LibrarianView, long AcknowledgedSequence, DateTimeOffset NextReportAfter);

/// <summary>Helpers for a node's side of the protocol.</summary>
public static class ReplicaReporting
{
    /// <summary>
    /// Cuts a node's pending changes into reports of at most <paramref name="maxEntries"/>, numbered from
    /// <paramref name="acknowledgedSequence"/> plus one. Later changes of a file replace earlier ones (a report carries
    /// each file once); every report but the last says <see cref="NodeReport.MorePending"/>.
    /// </summary>
    /// <param name="nodeId">The node.</param>
    /// <param name="acknowledgedSequence">The last acknowledged sequence.</param>
    /// <param name="changes">The changes, oldest first.</param>
    /// <param name="maxEntries">The most entries per report.</param>
    public static IReadOnlyList<NodeReport> Batch(string nodeId, long acknowledgedSequence, IEnumerable<ReplicaReportEntry> changes, int maxEntries)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEntries, 1);
        var last = new Dictionary<long, ReplicaReportEntry>();
        var order = new List<long>();
        foreach (ReplicaReportEntry e in changes)
        {
            if (!last.ContainsKey(e.FileId))
            {
                order.Add(e.FileId);
            }

            last[e.FileId] = e;
        }

        var reports = new List<NodeReport>();
        for (int i = 0; i < order.Count; i += maxEntries)
        {
            reports.Add(new NodeReport(nodeId, acknowledgedSequence + reports.Count + 1,
                [.. order.Skip(i).Take(maxEntries).Select(id => last[id])], MorePending: i + maxEntries < order.Count));
        }

        return reports;
    }
}
