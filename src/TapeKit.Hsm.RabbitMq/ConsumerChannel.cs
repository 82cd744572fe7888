namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// The channel of one consumer id. Its receives run one at a time (<see cref="ReceiveGate"/>), so that a multiple
/// acknowledgement never covers a delivery still on its way to the caller.
/// </summary>
/// <param name="slot">The channel slot.</param>
internal sealed class ConsumerChannel(ChannelSlot slot)
{
    /// <summary>The channel slot.</summary>
    public ChannelSlot Slot { get; } = slot;

    /// <summary>Held by a receive, and by a multiple acknowledgement on this channel.</summary>
    public SemaphoreSlim ReceiveGate { get; } = new(1, 1);

    /// <summary>The channel whose prefetch was last set, and to what (read and written under <see cref="ReceiveGate"/>).</summary>
    public (RabbitMQ.Client.IChannel? Channel, ushort Prefetch) Prefetch { get; set; }
}
