using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Migration;

/// <summary>
/// A tape reserved for one write session, with how far the catalogue accounts for what follows its last committed
/// file: tape files <c>LastFseq + 1 … LastFailedFseq</c> each have only <c>FAILED</c> aggregation rows (a sync that
/// never came, or an earlier holder that crashed), so they may be overwritten. Anything after them is a tape file the
/// catalogue does not know as failed — it may be committed data the catalogue lost — and the append must refuse it.
/// </summary>
/// <param name="Tape">The tape row, reserved (<c>MountedBy</c> is this migrator).</param>
/// <param name="LastFailedFseq">The last tape file that may be overwritten; <c>Tape.LastFseq</c> when none may.</param>
internal sealed record TapeReservation(TapeRecord Tape, int LastFailedFseq)
{
    /// <summary>
    /// The last fseq after <paramref name="lastFseq"/> up to which every tape file has aggregation rows and all of them
    /// are failed (<paramref name="failed"/> tells which rows count as failed).
    /// </summary>
    /// <param name="lastFseq">The tape's last committed fseq.</param>
    /// <param name="rowsOnTape">The aggregation rows recorded on the tape.</param>
    /// <param name="failed">Whether a row counts as failed.</param>
    public static int LastFailedAfter(int lastFseq, IEnumerable<AggregationRecord> rowsOnTape, Func<AggregationRecord, bool> failed)
    {
        var byFseq = rowsOnTape.Where(a => a.TapeFile is { } tf && tf.Fseq > lastFseq).ToLookup(a => a.TapeFile!.Value.Fseq);
        int last = lastFseq;
        while (byFseq[last + 1].ToList() is { Count: > 0 } rows && rows.All(failed))
        {
            last++;
        }

        return last;
    }
}
