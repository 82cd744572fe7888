namespace TapeKit.Aggregation;

/// <summary>The limits of one aggregation (F7.1).</summary>
/// <param name="MaxBytes">The most member data (sum of member sizes; headers, padding and manifest not counted). Default 10 GiB.</param>
/// <param name="MaxMembers">The most members (the manifest not counted). Default 1000.</param>
public readonly record struct AggregationLimits(long MaxBytes, int MaxMembers)
{
    /// <summary>The F7.1 defaults: 10 737 418 240 bytes and 1000 members.</summary>
    public static AggregationLimits Default { get; } = new(10L * 1024 * 1024 * 1024, 1000);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless both limits are positive.</summary>
    public void Validate()
    {
        if (MaxBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxBytes), MaxBytes, "The byte limit of an aggregation must be positive.");
        }

        if (MaxMembers <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxMembers), MaxMembers, "The member limit of an aggregation must be positive.");
        }
    }
}
