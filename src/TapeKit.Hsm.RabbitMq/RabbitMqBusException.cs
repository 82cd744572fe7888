namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// The RabbitMQ bus could not do what was asked: the broker is unreachable or the connection was lost mid-call
/// (<see cref="IsTransient"/>: the client reconnects and a retry may succeed), the broker refused a publish or did not
/// confirm it in time, or the broker's queues contradict this bus's settings. The RabbitMQ client's own exception is the
/// inner exception; hosts catch this one (or <see cref="HsmException"/>).
/// </summary>
public sealed class RabbitMqBusException : HsmException
{
    private readonly bool _transient;

    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence an operator understands.</param>
    /// <param name="transient">Whether a retry may succeed.</param>
    /// <param name="inner">The RabbitMQ client's exception, if any.</param>
    public RabbitMqBusException(string message, bool transient, Exception? inner = null) : base(message, inner) => _transient = transient;

    /// <inheritdoc />
    public override bool IsTransient => _transient;
}
