namespace TapeKit.Hsm.Messaging;

/// <summary>A binding of a direct exchange: messages published with <see cref="RoutingKey"/> go to <see cref="Queue"/>.</summary>
/// <param name="Exchange">The exchange.</param>
/// <param name="RoutingKey">The routing key.</param>
/// <param name="Queue">The durable queue.</param>
public sealed record QueueBinding(string Exchange, string RoutingKey, string Queue);

/// <summary>Exchanges, queues and bindings to declare; declaring is idempotent (docs/hsm/overview.md#messaging).</summary>
/// <param name="Bindings">The bindings; their exchanges and queues are declared with them.</param>
public sealed record BusTopology(IReadOnlyList<QueueBinding> Bindings)
{
    /// <summary>The dead-letter queue of <paramref name="queue"/>: <c>&lt;queue&gt;.dead</c>.</summary>
    /// <param name="queue">The source queue.</param>
    public static string DeadLetterQueue(string queue) => queue + ".dead";
}
