using TapeKit.Hsm.Replicas;

namespace Chelonia.Shepherd;

/// <summary>
/// A Shepherd's changes not yet acknowledged (docs/hsm/replicas.md#reporting-without-overload, rule 2), in order, and the one report in flight: a report is cut
/// from the front of the queue (at most the Librarian's entry limit, each file once, <see cref="ReplicaReporting.Batch"/>)
/// and sent again unchanged until it is acknowledged. The queue lives in memory: after a restart the Shepherd says it
/// lost its log and reconciles by digest instead.
/// </summary>
/// <param name="nodeId">The node.</param>
/// <param name="maxEntries">The most entries per report.</param>
public sealed class ReportBacklog(string nodeId, int maxEntries)
{
    private readonly Lock _gate = new();
    private readonly LinkedList<ReplicaReportEntry> _pending = new();

    /// <summary>The report in flight, if any.</summary>
    public NodeReport? InFlight { get; private set; }

    /// <summary>The last acknowledged sequence.</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Changes waiting.</summary>
    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Queues a change.</summary>
    /// <param name="entry">The change.</param>
    public void Add(ReplicaReportEntry entry)
    {
        lock (_gate)
        {
            _ = _pending.AddLast(entry);
        }
    }

    /// <summary>Queues changes ahead of the others (a reconciliation's differences).</summary>
    /// <param name="entries">The changes.</param>
    public void AddFirst(IEnumerable<ReplicaReportEntry> entries)
    {
        lock (_gate)
        {
            foreach (ReplicaReportEntry e in entries.Reverse())
            {
                _ = _pending.AddFirst(e);
            }
        }
    }

    /// <summary>Sets the acknowledged sequence (from the Librarian's answer when no report is in flight).</summary>
    /// <param name="sequence">The sequence.</param>
    public void Resume(long sequence)
    {
        lock (_gate)
        {
            if (InFlight is null)
            {
                Acknowledged = sequence;
            }
        }
    }

    /// <summary>The report to send: the one in flight, or a new one cut from the queue; <see langword="null"/> when nothing waits.</summary>
    public NodeReport? Next()
    {
        lock (_gate)
        {
            if (InFlight is not null || _pending.Count == 0)
            {
                return InFlight;
            }

            var taken = new List<ReplicaReportEntry>();
            var files = new HashSet<long>();
            while (_pending.First is { } node && (files.Count < maxEntries || files.Contains(node.Value.FileId)))
            {
                _ = files.Add(node.Value.FileId);
                taken.Add(node.Value);
                _pending.RemoveFirst();
            }

            InFlight = ReplicaReporting.Batch(nodeId, Acknowledged, taken, maxEntries)[0] with { MorePending = _pending.Count > 0 };
            return InFlight;
        }
    }

    /// <summary>The report in flight was applied (or was a duplicate of an applied one): it leaves.</summary>
    /// <param name="acknowledged">The acknowledged sequence.</param>
    public void Acknowledge(long acknowledged)
    {
        lock (_gate)
        {
            InFlight = null;
            Acknowledged = acknowledged;
        }
    }

    /// <summary>The report in flight was out of sequence: its entries go back to the front, numbered again later.</summary>
    /// <param name="acknowledged">The Librarian's acknowledged sequence.</param>
    public void Renumber(long acknowledged)
    {
        lock (_gate)
        {
            if (InFlight is { } r)
            {
                foreach (ReplicaReportEntry e in r.Entries.Reverse())
                {
                    _ = _pending.AddFirst(e);
                }
            }

            InFlight = null;
            Acknowledged = acknowledged;
        }
    }
}
