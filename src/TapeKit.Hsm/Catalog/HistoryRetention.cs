namespace TapeKit.Hsm.Catalog;

/// <summary>
/// How long the catalogue keeps its history: finished lists (<c>DONE</c>, <c>SUPERSEDED</c>, <c>DEAD</c>) with their
/// member rows, audit rows, and the inbox of processed message ids. Pruning keeps the cost of every operation and the
/// size of the store independent of the catalogue's age. What the invariants need is never history: files,
/// aggregations, members, tapes and live lists are kept whatever their age.
/// </summary>
public sealed record HistoryRetention
{
    /// <summary>Finished lists older than this (by creation) are removed with their member rows. Default 30 days.</summary>
    public TimeSpan FinishedLists { get; init; } = TimeSpan.FromDays(30);

    /// <summary>Audit rows (transitions) older than this are removed. Default 90 days.</summary>
    public TimeSpan Transitions { get; init; } = TimeSpan.FromDays(90);

    /// <summary>
    /// Processed message ids older than this are forgotten. It must exceed the longest time a message can be
    /// redelivered after it was processed (its lease and the broker's redelivery); default 7 days.
    /// </summary>
    public TimeSpan Inbox { get; init; } = TimeSpan.FromDays(7);

    /// <summary>Rows removed per transaction, so that pruning never holds the writer for long. Default 2 000.</summary>
    public int BatchSize { get; init; } = 2000;

    /// <summary>How often a dispatcher prunes. Default one hour.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The cut-off instants as of <paramref name="now"/>.</summary>
    /// <param name="now">The catalogue's time.</param>
    public HistoryCutoffs CutoffsAt(DateTimeOffset now) => new(now - FinishedLists, now - Transitions, now - Inbox);
}

/// <summary>History older than these instants may go.</summary>
/// <param name="FinishedListsBefore">Finished lists created before this.</param>
/// <param name="TransitionsBefore">Audit rows written before this.</param>
/// <param name="InboxBefore">Message ids processed before this.</param>
public sealed record HistoryCutoffs(DateTimeOffset FinishedListsBefore, DateTimeOffset TransitionsBefore, DateTimeOffset InboxBefore);

/// <summary>What one pruning pass removed.</summary>
/// <param name="Lists">Finished lists.</param>
/// <param name="Transitions">Audit rows.</param>
/// <param name="InboxIds">Processed message ids.</param>
public sealed record HistoryPruned(long Lists, long Transitions, long InboxIds)
{
    /// <summary>True when the pass stopped at its batch limit: older history may be left for the next pass.</summary>
    public bool MayHaveMore { get; init; }

    /// <summary>Nothing removed.</summary>
    public static HistoryPruned None { get; } = new(0, 0, 0);

    /// <summary>The rows removed in all.</summary>
    public long Total => Lists + Transitions + InboxIds;

    /// <summary>The sum of two passes.</summary>
    /// <param name="a">One.</param>
    /// <param name="b">The other.</param>
    public static HistoryPruned operator +(HistoryPruned a, HistoryPruned b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return new(a.Lists + b.Lists, a.Transitions + b.Transitions, a.InboxIds + b.InboxIds);
    }

    /// <summary>The sum of two passes.</summary>
    /// <param name="other">The other.</param>
    public HistoryPruned Add(HistoryPruned other) => this + other;
}
