using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Testing;

namespace TapeKit.Hsm.Tests.Messaging;

/// <summary>The bus conformance kit on the in-process bus; each instance is a queue set of its own, as in one process.</summary>
public sealed class InProcessBusConformanceTests : BusConformanceTests
{
    protected override bool InstancesShareQueues => false;

    protected override ValueTask<IMessageBus> CreateBusAsync(TimeProvider time) => ValueTask.FromResult<IMessageBus>(new InProcessMessageBus(time, Options));
}
