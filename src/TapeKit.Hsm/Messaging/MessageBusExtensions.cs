using System.Runtime.CompilerServices;

namespace TapeKit.Hsm.Messaging;

/// <summary>Consumption helpers over <see cref="IMessageBus"/>.</summary>
public static class MessageBusExtensions
{
    /// <summary>
    /// Yields deliveries as they become visible, waiting between polls with the bus's wake-ups; every wait is bounded
    /// by <paramref name="pollInterval"/> on the bus's clock (P8: no fixed sleeps).
    /// </summary>
    /// <param name="bus">The bus.</param>
    /// <param name="queue">The queue.</param>
    /// <param name="options">Consumer id, batch size and lease.</param>
    /// <param name="pollInterval">The longest wait between polls.</param>
    /// <param name="ct">Ends the enumeration.</param>
    public static async IAsyncEnumerable<IDelivery> ConsumeAsync(
        this IMessageBus bus, string queue, ReceiveOptions options, TimeSpan pollInterval, [EnumeratorCancellation] CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(bus);
        while (!ct.IsCancellationRequested)
        {
            IReadOnlyList<IDelivery> batch = await bus.ReceiveAsync(queue, options, ct);
            foreach (IDelivery delivery in batch)
            {
                yield return delivery;
            }

            if (batch.Count == 0)
            {
                await bus.WaitAsync(queue, pollInterval, ct);
            }
        }
    }
}
