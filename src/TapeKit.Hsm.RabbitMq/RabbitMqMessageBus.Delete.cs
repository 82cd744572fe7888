using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <summary>
    /// Deletes from the broker what <see cref="DeclareAsync"/> declared for <paramref name="topology"/> under this bus's
    /// <see cref="RabbitMqBusOptions.NamePrefix"/>: every broker queue of each logical queue (its priority levels, its
    /// holding queue and its dead-letter queue) with the messages in them, the topology's exchanges, and the prefix's
    /// dead-letter exchange. For a run or a disk library that is gone for good: every quorum queue keeps broker resources
    /// (file handles among them) for as long as it exists. What is already gone is skipped.
    /// </summary>
    /// <param name="topology">The topology to delete.</param>
    /// <param name="ct">Cancels the deletion between two broker calls.</param>
    /// <exception cref="RabbitMqBusException">The broker could not be reached or refused a deletion.</exception>
    public async ValueTask DeleteTopologyAsync(BusTopology topology, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        _topology.Forget(topology);
        foreach (string queue in topology.Bindings.Select(b => b.Queue).Distinct(StringComparer.Ordinal))
        {
            foreach (string brokerQueue in Names.AllQueues(queue))
            {
                await DeleteAsync(channel => channel.QueueDeleteAsync(brokerQueue, ifUnused: false, ifEmpty: false, cancellationToken: ct), $"deleting queue {brokerQueue}", ct);
            }
        }

        foreach (string exchange in topology.Bindings.Select(b => Names.Exchange(b.Exchange)).Append(Names.DeadLetterExchange).Distinct(StringComparer.Ordinal))
        {
            await DeleteAsync(channel => channel.ExchangeDeleteAsync(exchange, ifUnused: false, cancellationToken: ct), $"deleting exchange {exchange}", ct);
        }
    }

    /// <summary>One deletion on the administrative channel; a 404 (already gone) is an answer, not an error.</summary>
    private async Task DeleteAsync(Func<IChannel, Task> delete, string doing, CancellationToken ct)
    {
        try
        {
            _ = await AdminAsync(async channel =>
            {
                await delete(channel);
                return true;
            }, doing, ct, notFoundIsAnAnswer: true);
        }
        catch (Exception e) when (RabbitMqErrors.IsNotFound(e))
        {
            // Gone already; the administrative channel is opened again for the next call.
        }
    }
}
