using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Testing;

/// <summary>Volume (docs/hsm/conformance-kit.md): 100 000 messages through competing consumers, none lost, none with two effects.</summary>
public abstract partial class BusConformanceTests
{
    /// <summary>How many messages the volume test passes.</summary>
    protected const int VolumeMessages = 100_000;

    /// <summary>How many consumers compete in the volume test (each on its own task, all on <see cref="Bus"/>).</summary>
    protected virtual int VolumeConsumers => 4;

    /// <summary>How many messages a consumer of the volume test takes per receive.</summary>
    protected virtual int VolumeBatch => 500;

    /// <summary>
    /// 100 000 messages published, then consumed by competing consumers that apply each message's effect through an
    /// inbox before acknowledging in batches: every message has exactly one effect, and since no lease expires on the
    /// virtual clock, no message is delivered twice and the queue ends empty.
    /// </summary>
    [SkippableFact]
    public async Task A_hundred_thousand_messages_pass_without_loss_or_duplicate_effect()
    {
        Envelope[] sent = [.. Enumerable.Range(0, VolumeMessages).Select(_ => Message())];
        await PublishManyAsync(sent);

        var inbox = new EffectLedger();
        int[] deliveries = await Task.WhenAll(Enumerable.Range(0, VolumeConsumers).Select(c => Task.Run(() => ConsumeUntilDrainedAsync($"volume-{c}", inbox))));

        Assert.Equal(VolumeMessages, inbox.Effects);
        Assert.Equal(VolumeMessages, deliveries.Sum());
        Assert.True(inbox.Ids.ToHashSet().SetEquals(sent.Select(m => m.MessageId)), "the ids that had an effect are not the ids sent");
        Assert.Equal(new QueueStats(0, 0, 0, 0, TimeSpan.Zero), await Bus.GetStatsAsync(Queue));
    }

    /// <summary>Receives, applies and acknowledges until the queue holds nothing ready, leased or delayed; returns the deliveries.</summary>
    private async Task<int> ConsumeUntilDrainedAsync(string consumer, EffectLedger inbox)
    {
        int deliveries = 0;
        while (true)
        {
            IReadOnlyList<IDelivery> batch = await Bus.ReceiveAsync(Queue, new ReceiveOptions(consumer, VolumeBatch));
            if (batch.Count == 0)
            {
                // Another consumer may still hold a batch it has not acknowledged; the queue is drained once nothing is left at all.
                QueueStats stats = await Bus.GetStatsAsync(Queue);
                if (stats.Ready + stats.Leased + stats.Delayed == 0)
                {
                    return deliveries;
                }

                await Task.Delay(5);
                continue;
            }

            deliveries += batch.Count;
            foreach (IDelivery d in batch)
            {
                _ = inbox.Apply(d.Message.MessageId);
            }

            Assert.Equal(batch.Count, await Bus.AckManyAsync(batch));
        }
    }
}
