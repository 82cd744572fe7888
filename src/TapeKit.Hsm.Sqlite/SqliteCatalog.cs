using Microsoft.Data.Sqlite;
using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Sqlite;

/// <summary>
/// The SQLite catalogue: every transaction is <c>BEGIN IMMEDIATE</c> (deferred on a read-only store) on its own connection, committed with
/// <c>synchronous = FULL</c>. Outbox rows are written straight into <c>queue_messages</c> of the same file (the
/// outbox row is the queued message), so <see cref="ReadOutboxAsync"/> is always empty; an outbox message whose
/// routing key has no binding fails the whole transaction (C3).
/// </summary>
public sealed class SqliteCatalog : ICatalog
{
    internal SqliteCatalog(SqliteHsmStore store) => Store = store;

    internal SqliteHsmStore Store { get; }

    /// <inheritdoc />
    public TimeProvider Time => Store.Time;

    /// <inheritdoc />
    public async ValueTask<ICatalogTransaction> BeginAsync(CancellationToken ct = default) =>
        await SqliteStoreTransaction.BeginAsync(Store, (session, txn, writer, now) => new SqliteCatalogTransaction(this, session, txn, writer, now), ct);

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<OutboxEntry>> ReadOutboxAsync(int max, CancellationToken ct = default) =>
        ValueTask.FromResult<IReadOnlyList<OutboxEntry>>([]);

    /// <inheritdoc />
    public ValueTask MarkOutboxSentAsync(IReadOnlyCollection<long> sequences, CancellationToken ct = default) => ValueTask.CompletedTask;

    internal void Woke(IEnumerable<string> queues)
    {
        foreach (string q in queues)
        {
            Store.Wake(q);
        }
    }

    internal static long? Ms(DateTimeOffset? t) => t?.ToUnixTimeMilliseconds();

    internal static DateTimeOffset? At(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    internal static string? Text(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
