using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Tests.Support;

/// <summary>The process dies at an acknowledgement: thrown where a batch's <c>AckManyAsync</c> would have run.</summary>
public sealed class SimulatedCrashException() : Exception("Simulated crash before the acknowledgement.");

/// <summary>
/// A bus that, while <see cref="Crash"/> is set, refuses every batch acknowledgement with a
/// <see cref="SimulatedCrashException"/> (nothing is acknowledged: the deliveries stay leased until their lease ends);
/// everything else goes to the inner bus.
/// </summary>
public sealed class AckCrashingBus(IMessageBus inner) : IMessageBus
{
    /// <summary>Whether acknowledgements are refused.</summary>
    public bool Crash { get; set; } = true;

    /// <summary>How many batch acknowledgements were refused.</summary>
    public int RefusedAcks { get; private set; }

    public ValueTask<int> AckManyAsync(IReadOnlyList<IDelivery> deliveries, CancellationToken ct = default)
    {
        if (Crash)
        {
            RefusedAcks++;
            throw new SimulatedCrashException();
        }

        return inner.AckManyAsync(deliveries, ct);
    }

    public ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default) => inner.DeclareAsync(topology, ct);

    public ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default) =>
        inner.PublishAsync(exchange, routingKey, message, notBefore, ct);

    public ValueTask PublishManyAsync(IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages, CancellationToken ct = default) =>
        inner.PublishManyAsync(messages, ct);

    public ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default) => inner.ReceiveAsync(queue, options, ct);

    public Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default) => inner.WaitAsync(queue, timeout, ct);

    public ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default) => inner.GetStatsAsync(queue, ct);

    public ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default) => inner.GetDeadLettersAsync(queue, ct);

    public ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default) => inner.ReplayDeadLetterAsync(queue, messageId, ct);

    public ValueTask<int> ReleaseLeasesAsync(Func<string, bool> isDeadConsumer, CancellationToken ct = default) => inner.ReleaseLeasesAsync(isDeadConsumer, ct);
}
