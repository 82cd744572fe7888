using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.RabbitMq;
using TapeKit.Hsm.Tests.Messaging;
using TapeKit.Hsm.Tests.Support;

namespace TapeKit.Hsm.Tests.RabbitMq;

/// <summary>
/// The bus conformance kit on a real RabbitMQ broker, each test under names of its own. The durable kit's restart test
/// is not inherited: with RabbitMQ the lease lives in the channel, so a restarted bus sees the message it held at
/// once, not after the lease (<see cref="RabbitMqBusTests"/> checks that instead).
/// </summary>
public sealed class RabbitMqBusConformanceTests : BusConformanceTests
{
    private readonly string _prefix = RabbitMqBroker.NewPrefix();

    protected override async ValueTask<IMessageBus> CreateAsync() =>
        await RabbitMqMessageBus.ConnectAsync(RabbitMqBroker.Options(_prefix, Options), Time);

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
