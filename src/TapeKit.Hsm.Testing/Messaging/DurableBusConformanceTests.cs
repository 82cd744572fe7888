using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Testing;

/// <summary>
/// The conformance tests of durable buses: everything of <see cref="BusConformanceTests"/> plus survival of a restart
/// of the bus instance and, where the provider can restart its server, of the server.
/// </summary>
public abstract class DurableBusConformanceTests : BusConformanceTests
{
    /// <summary>
    /// Whether a message leased by an instance that goes away stays leased until its lease ends (a lease kept in the
    /// store), rather than coming back at once (a lease that is the transport's unacknowledged delivery, RabbitMQ).
    /// </summary>
    protected virtual bool LeasesOutliveTheirInstance => true;

    /// <summary>Whether the provider overrides <see cref="RestartServerAsync"/>.</summary>
    protected virtual bool CanRestartServer => false;

    /// <summary>
    /// Restarts the provider's server (database, broker) and returns once it accepts connections again; the bus
    /// instances stay open and must reconnect on their own. Called only when <see cref="CanRestartServer"/> and the
    /// environment allows it (<c>CI=true</c> or <c>TAPEKIT_ALLOW_SERVER_RESTART=1</c>). A restart cuts off every
    /// other client of the server, so a class that overrides it must not run beside other tests of that server: put it
    /// in an xUnit collection defined with <c>DisableParallelization = true</c>.
    /// </summary>
    protected virtual ValueTask RestartServerAsync() =>
        throw new NotSupportedException($"{GetType().Name} does not restart its server; override {nameof(CanRestartServer)} and {nameof(RestartServerAsync)}.");

    /// <summary>
    /// Messages outlive their bus instance: what was ready is there for the next instance, and what the dead instance
    /// held comes back — after its lease where leases are stored, at once where they were the transport's — with its
    /// delivery count one higher.
    /// </summary>
    [SkippableFact]
    public async Task Messages_survive_a_restart_of_the_bus_when_it_is_durable()
    {
        Envelope kept = Message("{\"kept\":true}");
        Envelope leased = Message();
        await Bus.PublishAsync(Exchange, Key, kept);
        await Bus.PublishAsync(Exchange, Key, leased);
        IDelivery inFlight = Assert.Single(await Receive());
        Assert.Equal(kept.MessageId, inFlight.Message.MessageId);
        await RestartBusAsync();

        if (LeasesOutliveTheirInstance)
        {
            IDelivery next = Assert.Single(await Receive());
            Assert.Equal(leased.MessageId, next.Message.MessageId);
            Assert.True(await next.AckAsync());
            Time.Advance(Options.DefaultLease);
        }

        IReadOnlyList<IDelivery> rest = await Receive(max: 10);
        IDelivery redelivered = Assert.Single(rest, d => d.Message.MessageId == kept.MessageId);
        Assert.Equal(kept, redelivered.Message);
        Assert.Equal(2, redelivered.DeliveryCount);
        Assert.Equal(LeasesOutliveTheirInstance ? 1 : 2, rest.Count);
    }

    /// <summary>
    /// Messages published before a restart of the server are all received after it, each once and as a first
    /// delivery; the open bus instance reconnects by itself and publishes again.
    /// </summary>
    [SkippableFact]
    public async Task Messages_published_before_a_server_restart_are_all_received_after_it()
    {
        Skip.IfNot(CanRestartServer, $"{GetType().Name}: the provider has no server to restart (its instance restart is the durability test)");
        Skip.IfNot(ServerRestarts.Allowed, ServerRestarts.NotAllowed);
        Envelope[] before = [.. Enumerable.Range(0, 200).Select(_ => Message())];
        await PublishManyAsync(before);

        await RestartServerAsync();
        Envelope after = Message();
        await ServerRestarts.UntilReconnectedAsync(() => Bus.PublishAsync(Exchange, Key, after));
        var got = new List<IDelivery>();
        while (got.Count < before.Length + 1)
        {
            IReadOnlyList<IDelivery> batch = await ServerRestarts.UntilReconnectedAsync(() => Receive("after-restart", 100));
            Assert.NotEmpty(batch);
            got.AddRange(batch);
        }

        Assert.Equal(before.Append(after).Select(m => m.MessageId).Order(), got.Select(d => d.Message.MessageId).Order());
        Assert.All(got, d => Assert.Equal(1, d.DeliveryCount));
        Assert.Equal(got.Count, await Bus.AckManyAsync(got));
        Assert.Empty(await Receive());
    }
}
