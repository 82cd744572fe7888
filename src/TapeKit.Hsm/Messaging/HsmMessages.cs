using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace TapeKit.Hsm.Messaging;

/// <summary>Builds envelopes around typed bodies and reads them back (schema version 1).</summary>
public static class HsmMessages
{
    /// <summary>The body schema version this library writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Wraps a body.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="type">The message type.</param>
    /// <param name="body">The body.</param>
    /// <param name="time">The clock (id and <c>createdAt</c>).</param>
    /// <param name="template">Envelope fields to copy (correlation, attempt, disk library, priority, reply address).</param>
    public static Envelope Create<T>(string type, T body, TimeProvider time, Envelope? template = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        string json = JsonSerializer.Serialize(body, Info<T>());
        Envelope baseline = template ?? new Envelope { MessageId = Guid.Empty, Type = type };
        return baseline with { MessageId = MessageIds.New(time), Type = type, SchemaVersion = SchemaVersion, CreatedAt = time.GetUtcNow(), Body = json };
    }

    /// <summary>Reads a body.</summary>
    /// <typeparam name="T">The body type.</typeparam>
    /// <param name="envelope">The envelope.</param>
    /// <exception cref="PoisonMessageException">Unknown schema version, or the body does not deserialise.</exception>
    public static T Read<T>(Envelope envelope)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        if (envelope.SchemaVersion != SchemaVersion)
        {
            throw new PoisonMessageException($"Message {envelope.MessageId} of type {envelope.Type} has schema version {envelope.SchemaVersion}; this build reads version {SchemaVersion}.");
        }

        try
        {
            return JsonSerializer.Deserialize(envelope.Body, Info<T>())
                ?? throw new PoisonMessageException($"Message {envelope.MessageId} of type {envelope.Type} has a null body.");
        }
        catch (JsonException e)
        {
            throw new PoisonMessageException($"Message {envelope.MessageId} of type {envelope.Type} does not deserialise: {e.Message}", e);
        }
    }

    /// <summary>Serialises a whole envelope (for stores that keep it as text).</summary>
    /// <param name="envelope">The envelope.</param>
    public static string SerializeEnvelope(Envelope envelope) => JsonSerializer.Serialize(envelope, HsmJsonContext.Default.Envelope);

    /// <summary>Deserialises a whole envelope.</summary>
    /// <param name="json">The text.</param>
    /// <exception cref="PoisonMessageException">The text is not an envelope.</exception>
    public static Envelope DeserializeEnvelope(string json)
    {
        try
        {
            return JsonSerializer.Deserialize(json, HsmJsonContext.Default.Envelope) ?? throw new PoisonMessageException("The stored envelope is null.");
        }
        catch (JsonException e)
        {
            throw new PoisonMessageException($"A stored envelope does not deserialise: {e.Message}", e);
        }
    }

    /// <summary>
    /// A stored envelope as a dead-letter listing shows it: the envelope, or, when the text is not one, a stand-in of
    /// type <c>unreadable</c> with an empty message id that carries the text as its body (so an operator sees what was
    /// stored instead of an error that hides the other dead letters).
    /// </summary>
    /// <param name="json">The stored text.</param>
    public static Envelope DeserializeEnvelopeOrUnreadable(string json)
    {
        try
        {
            return DeserializeEnvelope(json);
        }
        catch (PoisonMessageException)
        {
            return new Envelope { MessageId = Guid.Empty, Type = "unreadable", Body = json };
        }
    }

    private static JsonTypeInfo<T> Info<T>() =>
        (JsonTypeInfo<T>?)HsmJsonContext.Default.GetTypeInfo(typeof(T))
        ?? throw new NotSupportedException($"{typeof(T).Name} is not an HSM message body.");
}
