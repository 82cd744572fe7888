namespace TapeKit.Hsm.Messaging;

/// <summary>
/// The in-process bus (docs/hsm/overview.md#messaging): for tests and single-process hosts. Deterministic under an injected
/// <see cref="TimeProvider"/>; optional fault injection. Not durable: its queues live as long as the instance.
/// Thread-safe.
/// </summary>
public sealed class InProcessMessageBus : IMessageBus
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly MessageBusOptions _options;
    private readonly InProcessBusFaults? _faults;
    private readonly Dictionary<(string Exchange, string Key), List<string>> _bindings = [];
    private readonly Dictionary<string, QueueState> _queues = new(StringComparer.Ordinal);
    private long _sequence;

    /// <summary>Creates a bus.</summary>
    /// <param name="time">The clock of leases and delays.</param>
    /// <param name="options">Bus settings; <see langword="null"/> = defaults.</param>
    /// <param name="faults">Fault injection; <see langword="null"/> = none.</param>
    public InProcessMessageBus(TimeProvider time, MessageBusOptions? options = null, InProcessBusFaults? faults = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _options = options ?? new MessageBusOptions();
        _faults = faults;
    }

    /// <inheritdoc />
    public ValueTask DeclareAsync(BusTopology topology, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(topology);
        lock (_gate)
        {
            foreach (QueueBinding b in topology.Bindings)
            {
                if (!_bindings.TryGetValue((b.Exchange, b.RoutingKey), out List<string>? queues))
                {
                    _bindings[(b.Exchange, b.RoutingKey)] = queues = [];
                }

                if (!queues.Contains(b.Queue))
                {
                    queues.Add(b.Queue);
                }

                Queue(b.Queue);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Publishes several messages, all or none: an unroutable one is found before any is published.</summary>
    /// <param name="messages">Exchange, routing key, message and optional delay of each.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <exception cref="UnroutableMessageException">No queue is bound to a message's routing key: nothing is published.</exception>
    public async ValueTask PublishManyAsync(IReadOnlyList<(string Exchange, string RoutingKey, Envelope Message, DateTimeOffset? NotBefore)> messages, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        lock (_gate)
        {
            foreach ((string exchange, string routingKey, Envelope message, _) in messages)
            {
                ArgumentNullException.ThrowIfNull(message);
                if (!_bindings.TryGetValue((exchange, routingKey), out List<string>? queues) || queues.Count == 0)
                {
                    throw new UnroutableMessageException(exchange, routingKey, message.Type);
                }
            }
        }

        foreach ((string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore) in messages)
        {
            await PublishAsync(exchange, routingKey, message, notBefore, ct);
        }
    }

    /// <inheritdoc />
    public ValueTask PublishAsync(string exchange, string routingKey, Envelope message, DateTimeOffset? notBefore = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var woken = new List<QueueState>();
        lock (_gate)
        {
            if (!_bindings.TryGetValue((exchange, routingKey), out List<string>? queues) || queues.Count == 0)
            {
                throw new UnroutableMessageException(exchange, routingKey, message.Type);
            }

            DateTimeOffset now = _time.GetUtcNow();
            foreach (string name in queues)
            {
                QueueState q = Queue(name);
                int copies = _faults is { } f && f.Random.NextDouble() < f.DuplicateProbability ? 2 : 1;
                for (int i = 0; i < copies; i++)
                {
                    DateTimeOffset visible = notBefore is { } nb && nb > now ? nb : now;
                    if (_faults is { } g && g.Random.NextDouble() < g.DelayProbability)
                    {
                        visible += TimeSpan.FromTicks((long)(g.MaxDelay.Ticks * g.Random.NextDouble()));
                    }

                    Stored stored = new(message, ++_sequence, now, visible);
                    q.Messages.Add(stored.Sequence, stored);
                }

                woken.Add(q);
            }
        }

        foreach (QueueState q in woken)
        {
            q.Wake();
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<IDelivery>> ReceiveAsync(string queue, ReceiveOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxMessages);
        TimeSpan lease = options.Lease ?? _options.DefaultLease;
        var result = new List<IDelivery>();
        lock (_gate)
        {
            QueueState q = Known(queue);
            DateTimeOffset now = _time.GetUtcNow();
            List<Stored> visible = [.. q.Messages.Values.Where(m => IsReady(m, now))];
            if (_faults is { } f && visible.Count > 1 && f.Random.NextDouble() < f.ReorderProbability)
            {
                f.Random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(visible));
            }
            else
            {
                visible.Sort(static (a, b) => a.Message.Priority != b.Message.Priority
                    ? b.Message.Priority.CompareTo(a.Message.Priority)
                    : a.Sequence.CompareTo(b.Sequence));
            }

            foreach (Stored pick in visible)
            {
                if (result.Count >= options.MaxMessages)
                {
                    break;
                }

                if (pick.DeliveryCount >= _options.MaxDeliveries)
                {
                    q.Messages.Remove(pick.Sequence);
                    q.Dead.Add(new DeadLetter(pick.Message, $"delivered {pick.DeliveryCount} times (MaxDeliveries {_options.MaxDeliveries})", pick.DeliveryCount));
                    continue;
                }

                pick.DeliveryCount++;
                pick.LeaseToken = Guid.NewGuid();
                pick.LeaseOwner = options.ConsumerId;
                pick.LeaseUntil = now + lease;
                result.Add(new Delivery(this, q, pick, pick.LeaseToken.Value));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<IDelivery>>(result);
    }

    /// <inheritdoc />
    public async ValueTask<int> AckManyAsync(IReadOnlyList<IDelivery> deliveries, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        int acked = 0;
        foreach (IDelivery d in deliveries)
        {
            if (d is not Delivery mine || !ReferenceEquals(mine.Bus, this))
            {
                throw new ArgumentException("A delivery of another bus cannot be acknowledged here.", nameof(deliveries));
            }

            acked += await d.AckAsync(ct) ? 1 : 0;
        }

        return acked;
    }

    /// <inheritdoc />
    public async Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default)
    {
        Task signal;
        lock (_gate)
        {
            QueueState q = Known(queue);
            DateTimeOffset now = _time.GetUtcNow();
            if (q.Messages.Values.Any(m => IsReady(m, now)))
            {
                return;
            }

            signal = q.Signal.Task;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        Task delay = Task.Delay(timeout, _time, cts.Token);
        _ = await Task.WhenAny(signal, delay);
        await cts.CancelAsync();
        ct.ThrowIfCancellationRequested();
    }

    /// <inheritdoc />
    public ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        lock (_gate)
        {
            QueueState q = Known(queue);
            DateTimeOffset now = _time.GetUtcNow();
            List<Stored> ready = [.. q.Messages.Values.Where(m => IsReady(m, now))];
            int leased = q.Messages.Values.Count(m => m.LeaseToken is not null && m.LeaseUntil > now);
            int delayed = q.Messages.Values.Count(m => m.VisibleAt > now && (m.LeaseToken is null || m.LeaseUntil <= now));
            TimeSpan oldest = ready.Count == 0 ? TimeSpan.Zero : now - ready.Min(m => m.EnqueuedAt);
            return ValueTask.FromResult(new QueueStats(ready.Count, leased, delayed, q.Dead.Count, oldest));
        }
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<DeadLetter>> GetDeadLettersAsync(string queue, CancellationToken ct = default)
    {
        lock (_gate)
        {
            return ValueTask.FromResult<IReadOnlyList<DeadLetter>>([.. Known(queue).Dead]);
        }
    }

    /// <inheritdoc />
    public ValueTask<bool> ReplayDeadLetterAsync(string queue, Guid messageId, CancellationToken ct = default)
    {
        QueueState q;
        lock (_gate)
        {
            q = Known(queue);
            int index = q.Dead.FindIndex(d => d.Message.MessageId == messageId);
            if (index < 0)
            {
                return ValueTask.FromResult(false);
            }

            DeadLetter dead = q.Dead[index];
            q.Dead.RemoveAt(index);
            DateTimeOffset now = _time.GetUtcNow();
            Stored again = new(dead.Message, ++_sequence, now, now);
            q.Messages.Add(again.Sequence, again);
        }

        q.Wake();
        return ValueTask.FromResult(true);
    }

    private static bool IsReady(Stored m, DateTimeOffset now) => m.VisibleAt <= now && (m.LeaseToken is null || m.LeaseUntil <= now);

    private QueueState Queue(string name)
    {
        if (!_queues.TryGetValue(name, out QueueState? q))
        {
            _queues[name] = q = new QueueState(name);
        }

        return q;
    }

    private QueueState Known(string name) =>
        _queues.TryGetValue(name, out QueueState? q) ? q : throw new InvalidOperationException($"Queue '{name}' was not declared.");

    private bool Settle(QueueState q, Stored stored, Guid token, Func<DateTimeOffset, bool> action)
    {
        bool woke;
        lock (_gate)
        {
            if (stored.LeaseToken != token || !q.Messages.ContainsKey(stored.Sequence))
            {
                return false;
            }

            woke = action(_time.GetUtcNow());
        }

        if (woke)
        {
            q.Wake();
        }

        return true;
    }

    private sealed class QueueState(string name)
    {
        public string Name { get; } = name;

        public Dictionary<long, Stored> Messages { get; } = [];

        public List<DeadLetter> Dead { get; } = [];

        public TaskCompletionSource Signal { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Wake()
        {
            TaskCompletionSource old = Signal;
            Signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            old.TrySetResult();
        }
    }

    private sealed class Stored(Envelope message, long sequence, DateTimeOffset enqueuedAt, DateTimeOffset visibleAt)
    {
        public Envelope Message { get; } = message;

        public long Sequence { get; } = sequence;

        public DateTimeOffset EnqueuedAt { get; } = enqueuedAt;

        public DateTimeOffset VisibleAt { get; set; } = visibleAt;

        public int DeliveryCount { get; set; }

        public Guid? LeaseToken { get; set; }

        public string? LeaseOwner { get; set; }

        public DateTimeOffset LeaseUntil { get; set; }
    }

    private sealed class Delivery(InProcessMessageBus bus, QueueState queue, Stored stored, Guid token) : IDelivery
    {
        public InProcessMessageBus Bus => bus;

        public Envelope Message => stored.Message;

        public string Queue => queue.Name;

        public int DeliveryCount { get; } = stored.DeliveryCount;

        public DateTimeOffset LeaseUntil { get; private set; } = stored.LeaseUntil;

        public ValueTask<bool> AckAsync(CancellationToken ct = default) =>
            ValueTask.FromResult(bus.Settle(queue, stored, token, _ => queue.Messages.Remove(stored.Sequence) && false));

        public ValueTask<bool> NackAsync(bool requeue, TimeSpan? delay = null, string? reason = null, CancellationToken ct = default) =>
            ValueTask.FromResult(bus.Settle(queue, stored, token, now =>
            {
                if (!requeue)
                {
                    queue.Messages.Remove(stored.Sequence);
                    queue.Dead.Add(new DeadLetter(stored.Message, reason ?? "rejected", stored.DeliveryCount));
                    return false;
                }

                stored.LeaseToken = null;
                stored.LeaseOwner = null;
                stored.VisibleAt = now + (delay ?? TimeSpan.Zero);
                return true;
            }));

        public ValueTask<bool> ExtendLeaseAsync(TimeSpan by, CancellationToken ct = default) =>
            ValueTask.FromResult(bus.Settle(queue, stored, token, now =>
            {
                stored.LeaseUntil = now + by;
                LeaseUntil = stored.LeaseUntil;
                return false;
            }));

        public ValueTask<bool> DeadLetterAsync(string reason, CancellationToken ct = default) =>
            NackAsync(requeue: false, reason: reason, ct: ct);
    }
}
