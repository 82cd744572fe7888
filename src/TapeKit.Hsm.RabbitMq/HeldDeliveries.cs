namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// The deliveries this bus handed out and has not settled: the leases it keeps on the broker's behalf (RabbitMQ has
/// none). Deliveries whose channel shut down are dropped as they are met: the broker returned them to their queues.
/// </summary>
internal sealed class HeldDeliveries
{
    private readonly object _gate = new();
    private readonly HashSet<RabbitMqDelivery> _deliveries = [];

    /// <summary>Registers a delivery just received.</summary>
    /// <param name="delivery">The delivery.</param>
    public void Add(RabbitMqDelivery delivery)
    {
        lock (_gate)
        {
            _deliveries.Add(delivery);
        }
    }

    /// <summary>Forgets a settled delivery.</summary>
    /// <param name="delivery">The delivery.</param>
    public void Remove(RabbitMqDelivery delivery)
    {
        lock (_gate)
        {
            _deliveries.Remove(delivery);
        }
    }

    /// <summary>Up to <paramref name="max"/> held deliveries of <paramref name="queue"/> whose lease has ended, oldest lease first.</summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="now">The bus's time.</param>
    /// <param name="max">The most to return.</param>
    public IReadOnlyList<RabbitMqDelivery> Expired(string queue, DateTimeOffset now, int max)
    {
        lock (_gate)
        {
            DropLost();
            return [.. _deliveries.Where(d => d.IsHeld && d.Queue == queue && d.LeaseUntil <= now)
                .OrderBy(d => d.LeaseUntil).ThenBy(d => d.Sequence).Take(max)];
        }
    }

    /// <summary>How many deliveries of <paramref name="queue"/> are held under a running lease, and how many past theirs.</summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="now">The bus's time.</param>
    public (int Leased, int Expired) Count(string queue, DateTimeOffset now)
    {
        lock (_gate)
        {
            DropLost();
            int leased = 0, expired = 0;
            foreach (RabbitMqDelivery d in _deliveries)
            {
                if (d.IsHeld && d.Queue == queue)
                {
                    if (d.LeaseUntil > now)
                    {
                        leased++;
                    }
                    else
                    {
                        expired++;
                    }
                }
            }

            return (leased, expired);
        }
    }

    /// <summary>The end of the earliest running lease of <paramref name="queue"/>, if any.</summary>
    /// <param name="queue">The logical queue.</param>
    /// <param name="now">The bus's time.</param>
    public DateTimeOffset? EarliestLeaseEnd(string queue, DateTimeOffset now)
    {
        lock (_gate)
        {
            DateTimeOffset? earliest = null;
            foreach (RabbitMqDelivery d in _deliveries)
            {
                if (d.IsHeld && d.Queue == queue && d.LeaseUntil > now && (earliest is null || d.LeaseUntil < earliest))
                {
                    earliest = d.LeaseUntil;
                }
            }

            return earliest;
        }
    }

    /// <summary>
    /// Whether another delivery of the same channel incarnation, not in <paramref name="acking"/>, has a tag below
    /// <paramref name="tag"/> and is not settled yet: then a multiple acknowledgement up to <paramref name="tag"/> would
    /// settle it too.
    /// </summary>
    /// <param name="slot">The channel.</param>
    /// <param name="generation">The channel's generation.</param>
    /// <param name="tag">The highest tag to acknowledge.</param>
    /// <param name="acking">The deliveries being acknowledged.</param>
    public bool AnyOtherBelow(ChannelSlot slot, long generation, ulong tag, IReadOnlySet<RabbitMqDelivery> acking)
    {
        lock (_gate)
        {
            return _deliveries.Any(d => d.Slot == slot && d.Generation == generation && d.DeliveryTag < tag && !acking.Contains(d));
        }
    }

    private void DropLost() => _deliveries.RemoveWhere(d => d.IsLost);
}
