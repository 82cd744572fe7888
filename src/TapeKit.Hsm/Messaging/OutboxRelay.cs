using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Messaging;

/// <summary>
/// Publishes committed outbox rows to the bus and marks them sent after the bus confirmed them (§3.0 R1). A crash
/// between publish and mark re-publishes on the next run; consumers de-duplicate by message id (F9). With the
/// SQLite store the outbox row is the queued message and there is nothing to relay.
/// </summary>
public sealed class OutboxRelay
{
    private readonly ICatalog _catalog;
    private readonly IMessageBus _bus;

    /// <summary>Creates a relay.</summary>
    /// <param name="catalog">The catalogue holding the outbox.</param>
    /// <param name="bus">The bus to publish to.</param>
    public OutboxRelay(ICatalog catalog, IMessageBus bus)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(bus);
        _catalog = catalog;
        _bus = bus;
    }

    /// <summary>Relays pending rows until none is left; returns how many were published.</summary>
    /// <param name="batchSize">Rows per round.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">A row's routing key has no binding (C3): the row stays pending.</exception>
    public async ValueTask<int> RelayAsync(int batchSize = 256, CancellationToken ct = default)
    {
        int total = 0;
        while (true)
        {
            IReadOnlyList<OutboxEntry> batch = await _catalog.ReadOutboxAsync(batchSize, ct);
            if (batch.Count == 0)
            {
                return total;
            }

            var sent = new List<long>(batch.Count);
            try
            {
                foreach (OutboxEntry entry in batch)
                {
                    await _bus.PublishAsync(entry.Message.Exchange, entry.Message.RoutingKey, entry.Message.Message, entry.Message.NotBefore, ct);
                    sent.Add(entry.Sequence);
                }
            }
            finally
            {
                if (sent.Count > 0)
                {
                    await _catalog.MarkOutboxSentAsync(sent, CancellationToken.None);
                }
            }

            total += sent.Count;
        }
    }
}
