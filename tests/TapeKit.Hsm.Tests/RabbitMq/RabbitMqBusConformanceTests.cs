using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Testing;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.RabbitMq;

/// <summary>
/// The durable bus conformance kit on a real RabbitMQ broker, each test under names of its own. The lease of a
/// delivery lives in its channel, so what a dead instance held comes back at once; the server restart test restarts the
/// broker's application.
/// </summary>
[Collection(ServerRestarts.Name)]
public sealed class RabbitMqBusConformanceTests : DurableBusConformanceTests
{
    private readonly string _prefix = RabbitMqBroker.NewPrefix();

    protected override bool LeasesOutliveTheirInstance => false;

    protected override bool CanRestartServer => true;

    protected override async ValueTask<IMessageBus> CreateBusAsync(TimeProvider time) =>
        await RabbitMqMessageBus.ConnectAsync(RabbitMqBroker.Options(_prefix, Options), time);

    protected override ValueTask RestartServerAsync() => new(RabbitMqBroker.RestartAsync());

    /// <summary>Publishes in waves of concurrent confirmed publishes on the bus's one confirm channel.</summary>
    protected override async ValueTask PublishManyAsync(IReadOnlyList<Envelope> messages)
    {
        foreach (Envelope[] wave in messages.Chunk(500))
        {
            await Task.WhenAll(wave.Select(m => Bus.PublishAsync(Exchange, Key, m).AsTask()));
        }
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await RabbitMqBroker.DeleteAsync(_prefix, [Queue], [Exchange]);
    }
}
