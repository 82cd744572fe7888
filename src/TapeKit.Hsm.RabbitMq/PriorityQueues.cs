using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// The priority equivalent: quorum queues of RabbitMQ 3.10 have no message priority (it came with 4.0), so every queue
/// of the topology is one quorum queue per <see cref="RequestPriority"/> level, bound with the routing key plus the
/// level's suffix, and a receive empties the levels from <see cref="RequestPriority.Urgent"/> down to
/// <see cref="RequestPriority.Low"/>. <see cref="RequestPriority.Normal"/> keeps the plain names, so the queue of a disk
/// library is still <c>tapekit.hsm.dl.NAME</c> with routing key <c>NAME</c>.
/// </summary>
internal static class PriorityQueues
{
    /// <summary>The levels in the order a receive takes them.</summary>
    public static readonly RequestPriority[] ReceiveOrder = [RequestPriority.Urgent, RequestPriority.High, RequestPriority.Normal, RequestPriority.Low];

    /// <summary>The suffix of a level's queue name and routing key; empty for <see cref="RequestPriority.Normal"/>.</summary>
    /// <param name="priority">The level; a value outside the enumeration counts as the nearest level.</param>
    public static string Suffix(RequestPriority priority) => priority switch
    {
        >= RequestPriority.Urgent => ".urgent",
        RequestPriority.High => ".high",
        <= RequestPriority.Low => ".low",
        _ => "",
    };
}
