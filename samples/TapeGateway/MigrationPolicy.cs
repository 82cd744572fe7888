namespace TapeGateway;

/// <summary>One tape file a migration session writes: an aggregation of small files, or one file of its own.</summary>
/// <param name="Files">The files, in member order (one for a file of its own).</param>
/// <param name="Kind"><c>il</c> or <c>tar</c> (an aggregation), <c>aul</c> (a file of its own on a labelled tape), <c>nl</c> (on an unlabelled one).</param>
public sealed record MigrationJob(IReadOnlyList<NsFile> Files, string Kind);

/// <summary>
/// Turns one migration stream of a file class into tape files: with aggregation, the class's files below its threshold
/// are packed (in arrival order, bounded by member count and bytes) and the larger ones get an AUL file each; without,
/// every file gets its own; an unlabelled class always writes one NL file per file.
/// </summary>
public static class MigrationPolicy
{
    /// <summary>The tape files of a stream.</summary>
    /// <param name="stream">The stream's files, in arrival order.</param>
    /// <param name="fileClass">Their class.</param>
    /// <param name="aggregate">Whether the gateway aggregates.</param>
    /// <param name="options">The aggregation limits.</param>
    public static IReadOnlyList<MigrationJob> Plan(IReadOnlyList<NsFile> stream, FileClass fileClass, bool aggregate, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileClass);
        ArgumentNullException.ThrowIfNull(options);
        if (fileClass.Unlabelled || !aggregate)
        {
            string own = fileClass.Unlabelled ? "nl" : "aul";
            return [.. stream.Select(f => new MigrationJob([f], own))];
        }

        var jobs = new List<MigrationJob>();
        var members = new List<NsFile>();
        long bytes = 0;
        foreach (NsFile f in stream)
        {
            // A zero-length file cannot be a tape file of its own; it always goes into an aggregation.
            if (f.Size >= fileClass.AggregateBelow && f.Size > 0)
            {
                jobs.Add(new MigrationJob([f], "aul"));
                continue;
            }

            if (members.Count > 0 && (members.Count >= options.MaxAggregationFiles || bytes + f.Size > options.MaxAggregationBytes))
            {
                jobs.Add(new MigrationJob([.. members], fileClass.Format));
                members.Clear();
                bytes = 0;
            }

            members.Add(f);
            bytes += f.Size;
        }

        if (members.Count > 0)
        {
            jobs.Add(new MigrationJob([.. members], fileClass.Format));
        }

        return jobs;
    }
}
