using TapeKit.Hsm.Model;

namespace TapeKit.Hsm.Messaging;

/// <summary>
/// The envelope of every HSM message (docs/hsm/overview.md#messages). The body is JSON text of the schema named by
/// <see cref="Type"/> and <see cref="SchemaVersion"/>; transports carry it opaquely.
/// </summary>
public sealed record Envelope
{
    /// <summary>Unique per publish (UUIDv7); the de-duplication key of consumers' inboxes.</summary>
    public required Guid MessageId { get; init; }

    /// <summary>The message type, e.g. <c>hsm.evt.cacheWritten</c>, <c>hsm.cmd.archive</c>, <c>hsm.rep.archived</c>.</summary>
    public required string Type { get; init; }

    /// <summary>The version of the body schema.</summary>
    public int SchemaVersion { get; init; } = 1;

    /// <summary>Commands and replies: the file list id. Events: the originating request id, if any.</summary>
    public string? CorrelationId { get; init; }

    /// <summary>The list's attempt when the command was sent; the fencing token.</summary>
    public int Attempt { get; init; }

    /// <summary>The routing key of commands; the home disk library of events.</summary>
    public string? DiskLibrary { get; init; }

    /// <summary>Where replies go (commands only).</summary>
    public MessageAddress? ReplyTo { get; init; }

    /// <summary>The priority; transports honour at least two levels.</summary>
    public RequestPriority Priority { get; init; } = RequestPriority.Normal;

    /// <summary>When the message was created, from the injected clock.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>W3C Trace Context <c>traceparent</c>, if any.</summary>
    public string? TraceParent { get; init; }

    /// <summary>The JSON body.</summary>
    public string Body { get; init; } = "{}";
}

/// <summary>An exchange and routing key: where a message is published.</summary>
/// <param name="Exchange">The exchange.</param>
/// <param name="RoutingKey">The routing key.</param>
public sealed record MessageAddress(string Exchange, string RoutingKey);
