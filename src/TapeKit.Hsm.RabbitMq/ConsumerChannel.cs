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
}
