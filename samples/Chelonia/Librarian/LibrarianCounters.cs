using Chelonia.Wire;
using TapeKit.Hsm.Replicas;

namespace Chelonia.Librarian;

/// <summary>What the Librarian process counts for <c>GET /stats</c> (soft state, since it started).</summary>
public sealed class LibrarianCounters
{
    private long _applied;
    private long _entries;
    private long _refused;
    private long _digests;
    private long _plans;
    private long _checks;

    /// <summary>Counts a report's answer.</summary>
    /// <param name="ack">The answer.</param>
    /// <param name="entries">The report's entries.</param>
    public void Report(ReportAck ack, int entries)
    {
        ArgumentNullException.ThrowIfNull(ack);
        if (ack.Outcome == ReportOutcome.Applied)
        {
            _ = Interlocked.Increment(ref _applied);
            _ = Interlocked.Add(ref _entries, entries);
        }
        else if (ack.Outcome != ReportOutcome.Duplicate)
        {
            _ = Interlocked.Increment(ref _refused);
        }
    }

    /// <summary>Counts a digest comparison.</summary>
    public void Digest() => Interlocked.Increment(ref _digests);

    /// <summary>Counts a planner pass.</summary>
    public void Plan() => Interlocked.Increment(ref _plans);

    /// <summary>Counts a checker run.</summary>
    public void Check() => Interlocked.Increment(ref _checks);

    /// <summary>The counts now.</summary>
    public LibrarianStats Snapshot() => new(
        Interlocked.Read(ref _applied), Interlocked.Read(ref _entries), Interlocked.Read(ref _refused),
        Interlocked.Read(ref _digests), Interlocked.Read(ref _plans), Interlocked.Read(ref _checks));
}
