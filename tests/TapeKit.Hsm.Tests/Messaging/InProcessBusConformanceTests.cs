using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.Tests.Messaging;

public sealed class InProcessBusConformanceTests : BusConformanceTests
{
    protected override ValueTask<IMessageBus> CreateAsync() => ValueTask.FromResult<IMessageBus>(new InProcessMessageBus(Time, Options));
}
