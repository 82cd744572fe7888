using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.RabbitMq;

public sealed partial class RabbitMqMessageBus
{
    /// <inheritdoc />
    /// <remarks>
    /// Returns at once when a level queue has ready messages, a lease held here has run out, or a delayed message is
    /// known to be due. Otherwise it wakes on a publish, nack or promotion of this process, on the end of a lease
    /// held here, on the next due delayed message it knows of, and every <see cref="RabbitMqBusOptions.PollInterval"/>
    /// to ask the broker whether other processes published (AMQP tells a waiting client nothing without taking the
    /// message) — all on the bus's clock.
    /// </remarks>
    public async Task WaitAsync(string queue, TimeSpan timeout, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        DateTimeOffset deadline = Time.GetUtcNow() + timeout;
        while (true)
        {
            Task signal = WakeUps.Signal(queue);
            if (await HasVisibleAsync(queue, ct))
            {
                return;
            }

            DateTimeOffset now = Time.GetUtcNow();
            if (now >= deadline)
            {
                return;
            }

            DateTimeOffset next = Min(deadline, now + _options.PollInterval);
            next = Min(next, Held.EarliestLeaseEnd(queue, now));
            next = Min(next, Delays.NextLook(queue) is { } look && look > now ? look : null);
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
            Task delay = Task.Delay(next - now, Time, cts.Token);
            Task first = await Task.WhenAny(signal, delay);
            await cts.CancelAsync();
            ct.ThrowIfCancellationRequested();
            if (first == signal)
            {
                return;
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// <see cref="QueueStats.Ready"/> adds the level queues' ready messages (as the broker counts them) and this process's
    /// deliveries past their lease; <see cref="QueueStats.Leased"/> counts this process's deliveries only (AMQP does not
    /// tell a client other consumers' unacknowledged messages: <c>rabbitmqctl list_queues messages_unacknowledged</c>
    /// does); <see cref="QueueStats.Delayed"/> is the holding queue's count; <see cref="QueueStats.OldestReadyAge"/> is
    /// always zero, since reading a message's age would cost it a delivery attempt. A queue the broker does not have
    /// counts nothing.
    /// </remarks>
    public async ValueTask<QueueStats> GetStatsAsync(string queue, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(queue);
        if (!await QueueExistsAsync(queue, ct))
        {
            return new QueueStats(0, 0, 0, 0, TimeSpan.Zero);
        }

        long ready = 0;
        foreach (RequestPriority level in PriorityQueues.ReceiveOrder)
        {
            ready += await CountAsync(Names.LevelQueue(queue, level), ct) ?? 0;
        }

        uint delayed = await CountAsync(Names.DelayedQueue(queue), ct) ?? 0;
        uint dead = await CountAsync(Names.DeadQueue(queue), ct) ?? 0;
        (int leased, int expired) = Held.Count(queue, Time.GetUtcNow());
        return new QueueStats(checked((int)ready + expired), leased, checked((int)delayed), checked((int)dead), TimeSpan.Zero);
    }

    private async ValueTask<bool> HasVisibleAsync(string queue, CancellationToken ct)
    {
        DateTimeOffset now = Time.GetUtcNow();
        if (Held.Count(queue, now).Expired > 0 || (Delays.NextLook(queue) is { } look && look <= now && await CountAsync(Names.DelayedQueue(queue), ct) > 0))
        {
            return true;
        }

        if (!await QueueExistsAsync(queue, ct))
        {
            return false;
        }

        foreach (RequestPriority level in PriorityQueues.ReceiveOrder)
        {
            if (await CountAsync(Names.LevelQueue(queue, level), ct) > 0)
            {
                return true;
            }
        }

        return false;
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset? b) => b is { } x && x < a ? x : a;
}
