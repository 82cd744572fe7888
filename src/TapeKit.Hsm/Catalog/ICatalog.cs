namespace TapeKit.Hsm.Catalog;

/// <summary>
/// The catalogue (docs/hsm/overview.md#the-catalogue): the single source of truth (P1). Every change happens in a transaction that
/// also carries the messages it implies (P2, the transactional outbox). Transactions are serialisable: an
/// implementation either runs one writer at a time (SQLite <c>BEGIN IMMEDIATE</c>, the in-memory catalogue) or
/// re-validates every decision with a conditional update.
/// </summary>
public interface ICatalog
{
    /// <summary>The catalogue's clock: lease times and audit times come from here (docs/hsm/rules.md#rules-common-to-every-machine-r1r7 R6).</summary>
    TimeProvider Time { get; }

    /// <summary>Begins a transaction. Disposing it without <see cref="ICatalogTransaction.CommitAsync"/> rolls it back.</summary>
    /// <param name="ct">Cancels waiting for the writer lock.</param>
    ValueTask<ICatalogTransaction> BeginAsync(CancellationToken ct = default);

    /// <summary>
    /// Outbox rows not yet handed to the bus, oldest first. Empty when the catalogue and the queue share one
    /// store (the SQLite default): there the outbox row is the queued message. A catalogue shared by several processes
    /// (PostgreSQL) reserves the rows it returns to the caller for a lease, so that relays in several processes never
    /// publish one row at the same time; a row not marked sent within its lease is returned again.
    /// </summary>
    /// <param name="max">At most this many.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken ct = default);

    /// <summary>Marks outbox rows as sent once the bus confirmed them durable.</summary>
    /// <param name="sequences">The rows.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask MarkOutboxSentAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default);
}
