namespace TapeKit.Hsm.Messaging;

/// <summary>
/// Fault injection of the in-process bus (docs/hsm/overview.md#messaging): duplicated publishes, delayed visibility and reordered
/// receives, drawn from a seeded random source so failures replay. A crash before ack needs no switch: the consumer
/// simply never settles its delivery and the lease expires.
/// </summary>
public sealed class InProcessBusFaults
{
    /// <summary>Creates a fault plan.</summary>
    /// <param name="random">The random source; seed it to replay.</param>
    public InProcessBusFaults(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        Random = random;
    }

    /// <summary>The random source.</summary>
    public Random Random { get; }

    /// <summary>The probability that a publish is stored twice (two deliveries of one message id).</summary>
    public double DuplicateProbability { get; set; }

    /// <summary>The probability that a publish becomes visible only after <see cref="MaxDelay"/> × a uniform draw.</summary>
    public double DelayProbability { get; set; }

    /// <summary>The longest injected delay.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The probability that a receive takes a random visible message instead of the first in priority order.</summary>
    public double ReorderProbability { get; set; }
}
