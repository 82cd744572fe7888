using TapeKit.Hsm.Catalog;

namespace TapeKit.Hsm.Messaging;

/// <summary>
/// Publishes committed outbox rows to the bus and marks them sent after the bus confirmed them (docs/hsm/rules.md#rules-common-to-every-machine-r1r7 R1). A crash
/// between publish and mark re-publishes on the next run; consumers de-duplicate by message id (F9). Each round's rows
/// go to the bus as one batch (<see cref="IMessageBus.PublishManyAsync"/>). With the
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

            if (await TryPublishBatchAsync(batch, ct))
            {
                await _catalog.MarkOutboxSentAsync([.. batch.Select(e => e.Sequence)], CancellationToken.None);
                total += batch.Count;
                continue;
            }

            // A row is unroutable: one by one, so that the rows before it are marked sent and it stays pending with the error.
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

    /// <summary>
    /// Publishes the rows as one batch (one transaction or pipelined confirmations, as the bus does it); <see langword="false"/>
    /// when a row is unroutable, after which the caller publishes them one by one (a bus whose batch is not atomic may
    /// have published some of them: they are published again, and consumers de-duplicate by message id).
    /// </summary>
    private async ValueTask<bool> TryPublishBatchAsync(IReadOnlyList<OutboxEntry> batch, CancellationToken ct)
    {
        try
        {
            await _bus.PublishManyAsync([.. batch.Select(e => (e.Message.Exchange, e.Message.RoutingKey, e.Message.Message, e.Message.NotBefore))], ct);
            return true;
        }
        catch (UnroutableMessageException)
        {
            return false;
        }
    }
}
