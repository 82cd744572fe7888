using System.Collections.Concurrent;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// What the bus knows of the broker's topology: the exchanges and logical queues it declared or found there, and the
/// bindings it declared (so that a publish can wake this process's waiters on the queues it reaches).
/// </summary>
internal sealed class TopologyBook
{
    private readonly ConcurrentDictionary<string, bool> _exchanges = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Exchange, string RoutingKey), HashSet<string>> _bindings = new();

    /// <summary>Records a declared topology.</summary>
    /// <param name="topology">The topology.</param>
    public void Record(BusTopology topology)
    {
        foreach (QueueBinding b in topology.Bindings)
        {
            _exchanges[b.Exchange] = true;
            _queues[b.Queue] = true;
            HashSet<string> queues = _bindings.GetOrAdd((b.Exchange, b.RoutingKey), _ => new HashSet<string>(StringComparer.Ordinal));
            lock (queues)
            {
                queues.Add(b.Queue);
            }
        }
    }

    /// <summary>Forgets a deleted topology: its exchanges, its logical queues and their bindings.</summary>
    /// <param name="topology">The topology.</param>
    public void Forget(BusTopology topology)
    {
        foreach (QueueBinding b in topology.Bindings)
        {
            _exchanges.TryRemove(b.Exchange, out _);
            _queues.TryRemove(b.Queue, out _);
            _bindings.TryRemove((b.Exchange, b.RoutingKey), out _);
        }
    }

    /// <summary>Whether the exchange is known to exist.</summary>
    /// <param name="exchange">The logical exchange.</param>
    public bool KnowsExchange(string exchange) => _exchanges.ContainsKey(exchange);

    /// <summary>Notes an exchange found on the broker.</summary>
    /// <param name="exchange">The logical exchange.</param>
    public void AddExchange(string exchange) => _exchanges[exchange] = true;

    /// <summary>Whether the logical queue is known to exist.</summary>
    /// <param name="queue">The logical queue.</param>
    public bool KnowsQueue(string queue) => _queues.ContainsKey(queue);

    /// <summary>Notes a logical queue found on the broker.</summary>
    /// <param name="queue">The logical queue.</param>
    public void AddQueue(string queue) => _queues[queue] = true;

    /// <summary>The logical queues this bus bound to the exchange and routing key.</summary>
    /// <param name="exchange">The logical exchange.</param>
    /// <param name="routingKey">The logical routing key.</param>
    public IReadOnlyList<string> QueuesBoundTo(string exchange, string routingKey)
    {
        if (!_bindings.TryGetValue((exchange, routingKey), out HashSet<string>? queues))
        {
            return [];
        }

        lock (queues)
        {
            return [.. queues];
        }
    }
}
