using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// The broker's names of the bus's logical exchanges and queues: <see cref="RabbitMqBusOptions.NamePrefix"/>, then the
/// name, then the suffix of a priority level (<see cref="PriorityQueues"/>), of the holding queue of delayed messages
/// (<c>.delayed</c>) or of the dead-letter queue (<c>.dead</c>, docs/hsm/overview.md#messaging).
/// </summary>
/// <param name="prefix">The name prefix.</param>
internal sealed class RabbitMqNames(string prefix)
{
    /// <summary>The suffix of the holding queue of delayed messages and of its routing key.</summary>
    public const string DelayedSuffix = ".delayed";

    /// <summary>The dead-letter exchange of docs/hsm/overview.md#messaging, before the prefix.</summary>
    public const string DeadLetterExchangeName = "tapekit.hsm.dead";

    /// <summary>The name prefix.</summary>
    public string Prefix { get; } = prefix;

    /// <summary>The dead-letter exchange (direct; routing key = the source queue's broker name).</summary>
    public string DeadLetterExchange => Prefix + DeadLetterExchangeName;

    /// <summary>An exchange.</summary>
    /// <param name="exchange">The logical exchange.</param>
    public string Exchange(string exchange) => Prefix + exchange;

    /// <summary>The quorum queue of one priority level of a logical queue.</summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="priority">The level.</param>
    public string LevelQueue(string queue, RequestPriority priority) => Prefix + queue + PriorityQueues.Suffix(priority);

    /// <summary>The holding queue of a logical queue's delayed messages.</summary>
    /// <param name="queue">The logical queue.</param>
    public string DelayedQueue(string queue) => Prefix + queue + DelayedSuffix;

    /// <summary>The dead-letter queue of a logical queue (<c>&lt;queue&gt;.dead</c>).</summary>
    /// <param name="queue">The logical queue.</param>
    public string DeadQueue(string queue) => Prefix + BusTopology.DeadLetterQueue(queue);

    /// <summary>The routing key of a logical queue's dead letters on <see cref="DeadLetterExchange"/>.</summary>
    /// <param name="queue">The logical queue.</param>
    public string DeadLetterKey(string queue) => Prefix + queue;

    /// <summary>Every broker queue of a logical queue: the levels, the holding queue and the dead-letter queue.</summary>
    /// <param name="queue">The logical queue.</param>
    public IEnumerable<string> AllQueues(string queue) =>
        PriorityQueues.ReceiveOrder.Select(p => LevelQueue(queue, p)).Append(DelayedQueue(queue)).Append(DeadQueue(queue));

    /// <summary>The routing key of one priority level.</summary>
    /// <param name="routingKey">The logical routing key.</param>
    /// <param name="priority">The level.</param>
    public static string LevelKey(string routingKey, RequestPriority priority) => routingKey + PriorityQueues.Suffix(priority);

    /// <summary>The routing key of delayed messages.</summary>
    /// <param name="routingKey">The logical routing key.</param>
    public static string DelayedKey(string routingKey) => routingKey + DelayedSuffix;
}
