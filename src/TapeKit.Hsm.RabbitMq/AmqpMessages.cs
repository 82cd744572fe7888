using System.Text;
using RabbitMQ.Client;
using TapeKit.Hsm.Messaging;

namespace TapeKit.Hsm.RabbitMq;

/// <summary>
/// An <see cref="Envelope"/> as an AMQP message: the body is the envelope's JSON (the same text the SQLite queue
/// stores), persistent, with the message id, type, correlation id and creation time copied into the AMQP properties
/// for operators' tools. The bus's own bookkeeping travels in <c>x-tapekit-*</c> headers.
/// </summary>
internal static class AmqpMessages
{
    /// <summary>Deliveries a message had before the bus published it again (a delayed nack, a dead letter): they count.</summary>
    public const string PriorDeliveriesHeader = "x-tapekit-prior-deliveries";

    /// <summary>When a delayed message becomes visible, in Unix milliseconds of the bus's clock.</summary>
    public const string NotBeforeHeader = "x-tapekit-not-before";

    /// <summary>Why a message was dead-lettered by the bus.</summary>
    public const string DeadReasonHeader = "x-tapekit-dead-reason";

    /// <summary>How often a quorum queue returned the message before this delivery (set by the broker).</summary>
    public const string BrokerDeliveryCountHeader = "x-delivery-count";

    /// <summary>The broker's dead-lettering history (set by the broker).</summary>
    public const string DeathHeader = "x-death";

    /// <summary>The body of an envelope.</summary>
    /// <param name="message">The envelope.</param>
    public static byte[] Body(Envelope message) => Encoding.UTF8.GetBytes(HsmMessages.SerializeEnvelope(message));

    /// <summary>Fresh properties of an envelope: persistent, no headers yet.</summary>
    /// <param name="message">The envelope.</param>
    public static BasicProperties Properties(Envelope message) => new()
    {
        Persistent = true,
        ContentType = "application/json",
        MessageId = message.MessageId.ToString(),
        Type = message.Type,
        CorrelationId = message.CorrelationId,
        Timestamp = new AmqpTimestamp(message.CreatedAt.ToUnixTimeSeconds()),
        AppId = "tapekit",
        Headers = new Dictionary<string, object?>(StringComparer.Ordinal),
    };

    /// <summary>
    /// Properties for publishing a received message again (to the holding queue, the dead-letter queue or back from
    /// there): the received properties without the broker's and the bus's headers, so that the copy starts a fresh
    /// delivery count; the caller adds its own headers.
    /// </summary>
    /// <param name="received">The received properties.</param>
    public static BasicProperties Republished(IReadOnlyBasicProperties received) => new(received)
    {
        Persistent = true,
        Headers = new Dictionary<string, object?>(StringComparer.Ordinal),
    };

    /// <summary>Reads the envelope of a body.</summary>
    /// <param name="body">The body.</param>
    /// <exception cref="PoisonMessageException">The body is not an envelope.</exception>
    public static Envelope Read(ReadOnlyMemory<byte> body)
    {
        string json;
        try
        {
            json = new UTF8Encoding(false, true).GetString(body.Span);
        }
        catch (DecoderFallbackException e)
        {
            throw new PoisonMessageException("A message body is not UTF-8 text, so it cannot be an envelope.", e);
        }

        return HsmMessages.DeserializeEnvelope(json);
    }

    /// <summary>What stands for an unreadable body in a dead letter: its text, the AMQP message id and type when readable.</summary>
    /// <param name="properties">The message's properties.</param>
    /// <param name="body">The body.</param>
    public static Envelope Unreadable(IReadOnlyBasicProperties properties, ReadOnlyMemory<byte> body) => new()
    {
        MessageId = Guid.TryParse(properties.MessageId, out Guid id) ? id : Guid.Empty,
        Type = "unreadable",
        Body = Encoding.UTF8.GetString(body.Span),
    };

    /// <summary>How many times a received message was delivered, this delivery included.</summary>
    /// <param name="properties">The received properties.</param>
    public static int DeliveryCount(IReadOnlyBasicProperties properties) =>
        checked((int)(Long(properties.Headers, PriorDeliveriesHeader) ?? 0) + (int)(Long(properties.Headers, BrokerDeliveryCountHeader) ?? 0) + 1);

    /// <summary>A header as a whole number, or <see langword="null"/> when it is missing or not a number.</summary>
    /// <param name="headers">The headers.</param>
    /// <param name="name">The header.</param>
    public static long? Long(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out object? value) ? value switch
        {
            long l => l,
            int i => i,
            short s => s,
            byte b => b,
            sbyte sb => sb,
            uint ui => ui,
            ushort us => us,
            byte[] text when long.TryParse(Encoding.UTF8.GetString(text), System.Globalization.CultureInfo.InvariantCulture, out long parsed) => parsed,
            _ => null,
        } : null;

    /// <summary>A header as text (AMQP long strings arrive as bytes), or <see langword="null"/>.</summary>
    /// <param name="headers">The headers.</param>
    /// <param name="name">The header.</param>
    public static string? Text(IDictionary<string, object?>? headers, string name) =>
        headers is not null && headers.TryGetValue(name, out object? value) ? value switch
        {
            byte[] bytes => Encoding.UTF8.GetString(bytes),
            string s => s,
            _ => null,
        } : null;

    /// <summary>The reason of the broker's most recent dead-lettering (<c>x-death</c>), e.g. <c>delivery_limit</c>.</summary>
    /// <param name="headers">The headers.</param>
    public static string? BrokerDeathReason(IDictionary<string, object?>? headers) =>
        headers is not null && headers.TryGetValue(DeathHeader, out object? value) && value is IList<object> deaths
            && deaths.Count > 0 && deaths[0] is IDictionary<string, object?> latest
            ? Text(latest, "reason")
            : null;
}
