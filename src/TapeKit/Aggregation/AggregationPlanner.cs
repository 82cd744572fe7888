namespace TapeKit.Aggregation;

/// <summary>A candidate file for the planner: what it is called and how big it is.</summary>
/// <typeparam name="T">The caller's handle for the file (a path, a catalogue row, …).</typeparam>
/// <param name="Item">The caller's handle.</param>
/// <param name="Size">The file size in bytes.</param>
public readonly record struct PlanCandidate<T>(T Item, long Size);

/// <summary>One planned aggregation: the files to pack together, in order.</summary>
/// <typeparam name="T">The caller's handle for a file.</typeparam>
/// <param name="Members">The files, in the order given.</param>
/// <param name="TotalBytes">The sum of their sizes.</param>
public sealed record AggregationPlan<T>(IReadOnlyList<T> Members, long TotalBytes);

/// <summary>Cuts a sequence of files into aggregations by the limits of F7.</summary>
public static class AggregationPlanner
{
    /// <summary>
    /// Plans aggregations (F7.2, F7.3): files are taken in the order given; before adding one, the
    /// open aggregation is closed if it already has the maximum number of members or if its bytes
    /// plus the file would exceed the byte limit. A file larger than the byte limit forms an
    /// aggregation of its own. Zero-length files count toward the member limit only. Lazy: plans
    /// are yielded as they close, so the input may be unbounded.
    /// </summary>
    /// <typeparam name="T">The caller's handle for a file.</typeparam>
    /// <param name="candidates">The files in order.</param>
    /// <param name="limits">The limits; <see cref="AggregationLimits.Default"/> when <see langword="null"/>.</param>
    /// <returns>The aggregations, in order; none for no files.</returns>
    public static IEnumerable<AggregationPlan<T>> Plan<T>(IEnumerable<PlanCandidate<T>> candidates, AggregationLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var l = limits ?? AggregationLimits.Default;
        l.Validate();
        return PlanCore(candidates, l);
    }

    private static IEnumerable<AggregationPlan<T>> PlanCore<T>(IEnumerable<PlanCandidate<T>> candidates, AggregationLimits limits)
    {
        var open = new List<T>();
        long bytes = 0;
        foreach (var candidate in candidates)
        {
            if (candidate.Size < 0)
            {
                throw new ArgumentException($"A file size cannot be negative ({candidate.Size}).", nameof(candidates));
            }

            bool full = open.Count >= limits.MaxMembers || candidate.Size > limits.MaxBytes - bytes;
            if (full && open.Count > 0)
            {
                yield return new AggregationPlan<T>(open, bytes);
                open = [];
                bytes = 0;
            }

            open.Add(candidate.Item);
            bytes += candidate.Size;
            if (candidate.Size > limits.MaxBytes)
            {
                // F7.3: alone in its aggregation.
                yield return new AggregationPlan<T>(open, bytes);
                open = [];
                bytes = 0;
            }
        }

        if (open.Count > 0)
        {
            yield return new AggregationPlan<T>(open, bytes);
        }
    }
}
