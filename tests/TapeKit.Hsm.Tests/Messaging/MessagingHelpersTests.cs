using Microsoft.Extensions.Time.Testing;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Tests.Messaging;

public sealed class MessagingHelpersTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 5, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task ConsumeAsync_yields_messages_as_they_are_published_and_stops_on_cancellation()
    {
        var bus = new InProcessMessageBus(_time);
        await bus.DeclareAsync(new BusTopology([new QueueBinding("x", "k", "q")]));
        using var cts = new CancellationTokenSource();
        var seen = new List<string>();
        Task consumer = Task.Run(async () =>
        {
            await foreach (IDelivery d in bus.ConsumeAsync("q", new ReceiveOptions("c"), TimeSpan.FromHours(1), cts.Token))
            {
                seen.Add(d.Message.Body);
                await d.AckAsync();
                if (seen.Count == 2)
                {
                    await cts.CancelAsync();
                }
            }
        });
        await bus.PublishAsync("x", "k", new Envelope { MessageId = Guid.CreateVersion7(), Type = "t", Body = "1" });
        await bus.PublishAsync("x", "k", new Envelope { MessageId = Guid.CreateVersion7(), Type = "t", Body = "2" });
        await consumer.WaitAsync(TimeSpan.FromSeconds(10)); // ends quietly once cancelled
        Assert.Equal(["1", "2"], seen);
    }

    [Fact]
    public async Task The_relay_publishes_committed_rows_once_and_keeps_an_unroutable_row_pending()
    {
        using var catalog = new InMemoryCatalog(_time);
        var bus = new InProcessMessageBus(_time);
        await bus.DeclareAsync(new BusTopology([new QueueBinding("x", "k", "q")]));
        await using (ICatalogTransaction txn = await catalog.BeginAsync())
        {
            await txn.AddOutboxAsync(new OutboundMessage("x", "k", new Envelope { MessageId = Guid.CreateVersion7(), Type = "t" }));
            await txn.AddOutboxAsync(new OutboundMessage("x", "nobody", new Envelope { MessageId = Guid.CreateVersion7(), Type = "t" }));
            await txn.CommitAsync();
        }

        var relay = new OutboxRelay(catalog, bus);
        await Assert.ThrowsAsync<UnroutableMessageException>(async () => await relay.RelayAsync());
        Assert.Equal(1, (await bus.GetStatsAsync("q")).Ready);
        OutboxEntry pending = Assert.Single(await catalog.ReadOutboxAsync(10));
        Assert.Equal("nobody", pending.Message.RoutingKey);
    }

    [Fact]
    public void Bodies_round_trip_as_camel_case_json_with_enums_as_strings()
    {
        var reply = new FailedReply(Guid.CreateVersion7(), 3, Model.FailureReason.EndOfMedium, true, "eom", [1, 2]);
        Envelope e = HsmMessages.Create(HsmMessageTypes.Failed, reply, _time);
        Assert.Contains("\"reason\":\"EndOfMedium\"", e.Body, StringComparison.Ordinal);
        Assert.Contains("\"affectedFileIds\":[1,2]", e.Body, StringComparison.Ordinal);
        FailedReply back = HsmMessages.Read<FailedReply>(e with { Body = e.Body.Replace("{", "{\"unknownField\":1,", StringComparison.Ordinal) });
        Assert.Equal(reply with { AffectedFileIds = back.AffectedFileIds }, back);
        Assert.Equal([1L, 2L], back.AffectedFileIds);
        Assert.Equal(e, HsmMessages.DeserializeEnvelope(HsmMessages.SerializeEnvelope(e)));
        Assert.Equal(7, e.MessageId.Version);
    }
}
