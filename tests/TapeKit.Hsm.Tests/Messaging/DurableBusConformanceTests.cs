using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Tests.Messaging;

/// <summary>The conformance tests of durable buses: everything of <see cref="BusConformanceTests"/> plus survival of a restart.</summary>
public abstract class DurableBusConformanceTests : BusConformanceTests
{
    [SkippableFact]
    public async Task Messages_survive_a_restart_of_the_bus_when_it_is_durable()
    {
        Envelope kept = Message("{\"kept\":true}");
        Envelope leased = Message();
        await Bus.PublishAsync(Exchange, Key, kept);
        await Bus.PublishAsync(Exchange, Key, leased);
        IDelivery inFlight = Assert.Single(await Receive());
        Assert.Equal(kept.MessageId, inFlight.Message.MessageId);
        await RestartAsync();
        IDelivery next = Assert.Single(await Receive());
        Assert.Equal(leased.MessageId, next.Message.MessageId);
        Time.Advance(Options.DefaultLease);
        IDelivery redelivered = Assert.Single(await Receive());
        Assert.Equal(kept, redelivered.Message);
        Assert.Equal(2, redelivered.DeliveryCount);
    }
}
