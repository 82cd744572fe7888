using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// Many workers at once, as on a site with several hosts: claims of one list, advances of one tape's counters, and
/// consumers of the catalogue's bus whose effects go through the catalogue's inbox.
/// </summary>
public abstract partial class CatalogContractTests
{
    /// <summary>How many messages the inbox race publishes (each of them twice).</summary>
    private const int InboxMessages = 200;

    /// <summary>Workers racing to claim one active list: exactly one wins, and the row names it as the owner.</summary>
    [SkippableFact]
    public async Task Racing_claims_of_one_list_have_exactly_one_winner()
    {
        FileListRecord list = NewArchiveList() with { Kind = FileListKind.Stage, State = FileListState.Active, Attempt = 1 };
        await Catalog.RunAsync(txn => txn.InsertListAsync(list));
        string?[] winners = await Task.WhenAll(Enumerable.Range(0, Racers).Select(i => Task.Run(async () =>
            await Catalog.RunAsync(async txn =>
                await txn.TryClaimListAsync(list.ListId, FileListKind.Stage, 1, $"migrator-{i}", TimeSpan.FromMinutes(5)) is null ? null : $"migrator-{i}"))));
        IReadOnlyList<TransitionRecord> audit = await Catalog.ReadAsync(txn => txn.GetTransitionsAsync(CatalogTransitions.ListEntity, list.ListId.ToString("N")));
        Assert.Equal([$"L4 {Array.Find(winners, w => w is not null)}"], audit.Select(t => $"{t.Rule} {t.Reason?.Replace("claimed by ", "", StringComparison.Ordinal)}"));
        string winner = Assert.Single(winners, w => w is not null)!;
        FileListRecord claimed = (await Catalog.ReadAsync(txn => txn.GetListAsync(list.ListId)))!;
        Assert.Equal(winner, claimed.Owner);
        Assert.Equal(Time.GetUtcNow().AddMinutes(5), claimed.LeaseUntil);
    }

    /// <summary>Workers racing to advance one tape's counters: every added byte counts and the highest file sequence stays.</summary>
    [SkippableFact]
    public async Task Racing_tape_counter_advances_lose_no_bytes_and_keep_the_highest_file_sequence()
    {
        await Catalog.RunAsync(txn => txn.InsertTapeAsync(new TapeRecord { Vsn = "V00300", Pool = "p", CapacityEstimate = 1_000_000 }));
        await Task.WhenAll(Enumerable.Range(1, Racers).Select(fseq => Task.Run(async () =>
            await Catalog.RunAsync(async txn => _ = await txn.AdvanceTapeAsync("V00300", fseq, 10)))));
        TapeRecord tape = (await Catalog.ReadAsync(txn => txn.GetTapeAsync("V00300")))!;
        Assert.Equal((Racers, 10L * Racers), (tape.LastFseq, tape.BytesUsed));
    }

    /// <summary>
    /// Consumers racing on the catalogue's bus, each message delivered twice (the transport duplicated it), record
    /// each message in the catalogue's inbox in the same unit of work as its effect: every message has exactly one.
    /// </summary>
    [SkippableFact]
    public async Task Consumers_racing_through_the_catalogue_inbox_have_one_effect_per_message()
    {
        await Catalog.RunAsync(txn => txn.InsertTapeAsync(new TapeRecord { Vsn = "V00301", Pool = "p", CapacityEstimate = 1_000_000 }));
        Envelope[] sent = [.. Enumerable.Range(0, InboxMessages).Select(_ => new Envelope
        {
            MessageId = Guid.CreateVersion7(Time.GetUtcNow()), Type = "contract.effect", CreatedAt = Time.GetUtcNow(), Body = "{}",
        })];
        foreach (Envelope m in sent.Concat(sent))
        {
            await Bus.PublishAsync(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, m);
        }

        int[] effects = await Task.WhenAll(Enumerable.Range(0, 4).Select(c => Task.Run(() => ConsumeThroughInboxAsync($"worker-{c}"))));

        Assert.Equal(InboxMessages, effects.Sum());
        Assert.Equal(InboxMessages, (await Catalog.ReadAsync(txn => txn.GetTapeAsync("V00301")))!.BytesUsed);
        await using ICatalogTransaction check = await Catalog.BeginAsync();
        foreach (Envelope m in sent)
        {
            Assert.False(await check.TryMarkInboxAsync("contract-worker", m.MessageId), $"{m.MessageId} never reached the inbox");
        }
    }

    /// <summary>Takes deliveries until the queue is drained; the effect (one byte on a tape) and the inbox mark commit together.</summary>
    private async Task<int> ConsumeThroughInboxAsync(string consumer)
    {
        int effects = 0;
        while (true)
        {
            IReadOnlyList<IDelivery> batch = await Bus.ReceiveAsync(HsmTopology.DispatcherEventsQueue, new ReceiveOptions(consumer, 8));
            if (batch.Count == 0)
            {
                QueueStats stats = await Bus.GetStatsAsync(HsmTopology.DispatcherEventsQueue);
                if (stats.Ready + stats.Leased + stats.Delayed == 0)
                {
                    return effects;
                }

                await Task.Delay(5);
                continue;
            }

            foreach (IDelivery d in batch)
            {
                effects += await Catalog.RunAsync(async txn =>
                {
                    if (!await txn.TryMarkInboxAsync("contract-worker", d.Message.MessageId))
                    {
                        return 0;
                    }

                    _ = await txn.AdvanceTapeAsync("V00301", 0, 1);
                    return 1;
                });
                Assert.True(await d.AckAsync());
            }
        }
    }
}
