namespace TapeKit.Hsm.Messaging;

/// <summary>Creates UUIDv7 ids from an injected clock, so ids are time-ordered under a virtual clock too.</summary>
internal static class MessageIds
{
    /// <summary>A new UUIDv7 for the clock's current time.</summary>
    /// <param name="time">The clock.</param>
    public static Guid New(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        return Guid.CreateVersion7(time.GetUtcNow());
    }
}
