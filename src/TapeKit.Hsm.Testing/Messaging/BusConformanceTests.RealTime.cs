using System.Diagnostics;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// Leases on the wall clock: instances on the system clock with short leases, a lease that runs out while its holder
/// sleeps, and a consumer instance that dies holding messages.
/// </summary>
public abstract partial class BusConformanceTests
{
    /// <summary>The short lease of the real-time tests.</summary>
    protected static readonly TimeSpan ShortLease = TimeSpan.FromSeconds(2);

    /// <summary>How long past <see cref="ShortLease"/> a real-time test waits for a redelivery before it fails (a busy 2-core CI machine).</summary>
    protected static readonly TimeSpan RedeliveryPatience = TimeSpan.FromSeconds(20);

    /// <summary>
    /// On the system clock, a delivery whose short lease runs out unsettled goes to another consumer with its delivery
    /// count one higher, not before the lease ended; the late holder can no longer acknowledge it.
    /// </summary>
    [SkippableFact]
    public async Task A_short_lease_runs_out_on_the_wall_clock_and_another_consumer_gets_the_message()
    {
        IMessageBus live = await OpenInstanceAsync(TimeProvider.System);
        Envelope sent = Message();
        await live.PublishAsync(Exchange, Key, sent);
        IDelivery first = Assert.Single(await live.ReceiveAsync(Queue, new ReceiveOptions("sleeper", 1, ShortLease)));
        var sinceReceive = Stopwatch.StartNew();
        Assert.Empty(await live.ReceiveAsync(Queue, new ReceiveOptions("other", 1, ShortLease)));

        IDelivery second = Assert.Single(await ReceiveWithinAsync(live, "other", 1, ShortLease + RedeliveryPatience));
        // A little slack for clocks read at different points of the receive.
        Assert.True(sinceReceive.Elapsed >= ShortLease - TimeSpan.FromMilliseconds(200), $"redelivered after {sinceReceive.Elapsed}, before the {ShortLease} lease ended");
        Assert.Equal(sent.MessageId, second.Message.MessageId);
        Assert.Equal(2, second.DeliveryCount);
        Assert.False(await first.AckAsync());
        Assert.True(await second.AckAsync());
    }

    /// <summary>
    /// A consumer instance that dies holding messages (no ack, no nack) loses them to a surviving instance: at once
    /// where the transport notices the dead connection, at the latest when their short leases run out; each comes back
    /// once, with its delivery count one higher.
    /// </summary>
    [SkippableFact]
    public async Task A_crashed_consumer_instance_s_messages_come_back_to_a_surviving_instance()
    {
        Skip.IfNot(InstancesShareQueues, $"{GetType().Name}: instances of this bus do not share queues, so no other instance can take over (a crash takes the queue with it)");
        IMessageBus survivor = await OpenInstanceAsync(TimeProvider.System);
        IMessageBus doomed = await OpenInstanceAsync(TimeProvider.System);
        Envelope[] sent = [Message(), Message(), Message()];
        foreach (Envelope m in sent)
        {
            await survivor.PublishAsync(Exchange, Key, m);
        }

        Assert.Equal(3, (await ReceiveWithinAsync(doomed, "doomed", 3, RedeliveryPatience)).Count);
        Assert.Empty(await survivor.ReceiveAsync(Queue, new ReceiveOptions("survivor", 3, ShortLease)));
        await CloseInstanceAsync(doomed, crash: true);

        IReadOnlyList<IDelivery> back = await ReceiveWithinAsync(survivor, "survivor", 3, ShortLease + RedeliveryPatience);
        Assert.Equal(sent.Select(m => m.MessageId).Order(), back.Select(d => d.Message.MessageId).Order());
        Assert.All(back, d => Assert.Equal(2, d.DeliveryCount));
        Assert.Equal(3, await survivor.AckManyAsync(back));
        Assert.Empty(await survivor.ReceiveAsync(Queue, new ReceiveOptions("survivor", 3, ShortLease)));
    }

    /// <summary>Receives from the test queue on <paramref name="bus"/> until <paramref name="count"/> deliveries came, or fails after <paramref name="within"/>.</summary>
    /// <param name="bus">The instance.</param>
    /// <param name="consumer">The consumer id.</param>
    /// <param name="count">How many deliveries to wait for.</param>
    /// <param name="within">The longest wait.</param>
    protected static async Task<IReadOnlyList<IDelivery>> ReceiveWithinAsync(IMessageBus bus, string consumer, int count, TimeSpan within)
    {
        ArgumentNullException.ThrowIfNull(bus);
        var got = new List<IDelivery>(count);
        var waited = Stopwatch.StartNew();
        while (got.Count < count)
        {
            got.AddRange(await bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, count - got.Count, ShortLease)));
            if (got.Count < count)
            {
                Assert.True(waited.Elapsed < within, $"{got.Count} of {count} deliveries within {within}");
                await Task.Delay(50);
            }
        }

        return got;
    }
}
