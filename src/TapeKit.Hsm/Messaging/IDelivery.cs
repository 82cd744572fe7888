namespace TapeKit.Hsm.Messaging;

/// <summary>
/// A message received under a lease (visibility timeout). Until it is acknowledged, negatively acknowledged or its
/// lease expires, no other consumer sees it. Every operation is conditional on this delivery still holding the
/// lease: after a redelivery to another consumer it returns <see langword="false"/> and changes nothing.
/// </summary>
public interface IDelivery
{
    /// <summary>The message.</summary>
    Envelope Message { get; }

    /// <summary>The queue it was received from.</summary>
    string Queue { get; }

    /// <summary>How many times the message was delivered, this delivery included (1 on the first).</summary>
    int DeliveryCount { get; }

    /// <summary>When the lease ends unless extended.</summary>
    DateTimeOffset LeaseUntil { get; }

    /// <summary>Removes the message. <see langword="false"/> when the lease was lost.</summary>
    ValueTask<bool> AckAsync(CancellationToken ct = default);

    /// <summary>Returns the message (after <paramref name="delay"/>) or, without <paramref name="requeue"/>, dead-letters it.</summary>
    /// <param name="requeue">Make it visible again; otherwise it is dead-lettered with <paramref name="reason"/>.</param>
    /// <param name="delay">Invisible for this long before redelivery.</param>
    /// <param name="reason">Why (kept with a dead letter).</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<bool> NackAsync(bool requeue, TimeSpan? delay = null, string? reason = null, CancellationToken ct = default);

    /// <summary>Extends the lease by <paramref name="by"/> from now.</summary>
    /// <param name="by">The extension.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<bool> ExtendLeaseAsync(TimeSpan by, CancellationToken ct = default);

    /// <summary>Moves the message to <c>&lt;queue&gt;.dead</c> with the reason (poison messages, F17).</summary>
    /// <param name="reason">Why.</param>
    /// <param name="ct">Cancels the call.</param>
    ValueTask<bool> DeadLetterAsync(string reason, CancellationToken ct = default);
}
