using System.Net.Sockets;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// Sorts the RabbitMQ client's exceptions at the adapter's edge: a lost or unreachable connection becomes a transient
/// <see cref="RabbitMqBusException"/>; an AMQP error that closed a channel is told by its reply code
/// (https://www.rabbitmq.com/amqp-0-9-1-reference#constants).
/// </summary>
internal static class RabbitMqErrors
{
    /// <summary>Whether <paramref name="e"/> says the connection is gone (or was never made): a retry after reconnecting may succeed.</summary>
    /// <param name="e">The exception.</param>
    public static bool IsConnectionFailure(Exception e) => e switch
    {
        AlreadyClosedException => true,
        BrokerUnreachableException or ConnectFailureException => true,
        OperationInterruptedException { ShutdownReason: { } reason } => reason.Initiator != ShutdownInitiator.Peer
            || reason.ReplyCode is Constants.ConnectionForced or Constants.InternalError or Constants.ResourceError,
        IOException or SocketException or ObjectDisposedException => true,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>Whether the broker closed the channel because a queue or exchange does not exist (404).</summary>
    /// <param name="e">The exception.</param>
    public static bool IsNotFound(Exception e) => ReplyCode(e) == Constants.NotFound;

    /// <summary>Whether the broker refused a declaration that contradicts an existing queue or exchange (406).</summary>
    /// <param name="e">The exception.</param>
    public static bool IsPreconditionFailed(Exception e) => ReplyCode(e) == Constants.PreconditionFailed;

    /// <summary>The AMQP reply code that closed the channel or connection, or 0.</summary>
    /// <param name="e">The exception.</param>
    public static int ReplyCode(Exception e) => e is OperationInterruptedException { ShutdownReason: { } r } ? r.ReplyCode : 0;

    /// <summary>The transient exception for a lost connection.</summary>
    /// <param name="e">The client's exception.</param>
    /// <param name="doing">What the bus was doing, e.g. "receiving from queue 'q'".</param>
    public static RabbitMqBusException Lost(Exception e, string doing) =>
        new($"The connection to RabbitMQ was lost or is not up while {doing}; the client reconnects on its own and a retry may succeed ({e.Message}).", transient: true, e);

    /// <summary>Translates a failure of an AMQP call: a lost connection into the transient exception, an AMQP error into a permanent one.</summary>
    /// <param name="e">The client's exception.</param>
    /// <param name="doing">What the bus was doing.</param>
    public static RabbitMqBusException Translate(Exception e, string doing) => IsConnectionFailure(e)
        ? Lost(e, doing)
        : new RabbitMqBusException($"RabbitMQ refused while {doing}: {(e is OperationInterruptedException { ShutdownReason: { } r } ? $"{r.ReplyCode} {r.ReplyText}" : e.Message)}.", transient: false, e);

    /// <summary>Whether an exception comes from the RabbitMQ client or the network below it (and should be translated).</summary>
    /// <param name="e">The exception.</param>
    public static bool IsClientFailure(Exception e) => e is RabbitMQClientException or OperationInterruptedException or IOException or SocketException or TimeoutException
        || e is ObjectDisposedException;
}
