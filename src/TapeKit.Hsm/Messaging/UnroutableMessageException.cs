namespace TapeKit.Hsm.Messaging;

/// <summary>A publish whose routing key matches no binding (docs/hsm/overview.md#roles, C3): it fails loudly, never drops.</summary>
public sealed class UnroutableMessageException : HsmException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="exchange">The exchange.</param>
    /// <param name="routingKey">The routing key that matched no binding.</param>
    /// <param name="messageType">The message type.</param>
    public UnroutableMessageException(string exchange, string routingKey, string messageType)
        : base($"No queue is bound to exchange '{exchange}' with routing key '{routingKey}'; the {messageType} message was not published.")
    {
        Exchange = exchange;
        RoutingKey = routingKey;
    }

    /// <summary>The exchange.</summary>
    public string Exchange { get; }

    /// <summary>The routing key.</summary>
    public string RoutingKey { get; }
}
