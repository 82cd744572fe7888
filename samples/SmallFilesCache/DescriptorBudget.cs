using System.Globalization;

namespace SmallFilesCache;

/// <summary>
/// How many inbox files an ingest batch may hold open under the process's descriptor limit (<c>RLIMIT_NOFILE</c>): what
/// the soft limit leaves over the descriptors open now, less the disk mover's cache copies in flight and a reserve for
/// the runtime itself (assemblies it loads late, the catalogue's journal, sockets, logs). Without it a batch could take
/// the last descriptors, and the runtime aborts the process when it cannot open a file it needs.
/// </summary>
public static class DescriptorBudget
{
    /// <summary>Descriptors never taken by a batch: the runtime's and the site's own files opened while a batch is held.</summary>
    public const int RuntimeReserve = 32;

    /// <summary>The most cache copies a batch has open at once in the disk mover (writers, the flush window, the flushers).</summary>
    public static int CopiesInFlight => DiskMover.Writers + DiskMover.FlushWindow + DiskMover.Flushers;

    /// <summary>
    /// The inbox files the next batch may hold: <paramref name="max"/> when the limit leaves room for it (or cannot be read:
    /// not Linux), otherwise what it leaves, at least one (a file at a time still gets in, and the walk's hand-back covers
    /// a table that fills anyway).
    /// </summary>
    /// <param name="max">The batch's own limit in files.</param>
    /// <param name="left">The descriptors left under the soft limit now, or <see langword="null"/> when not known.</param>
    /// <returns>The files per batch, from 1 to <paramref name="max"/>.</returns>
    public static int InboxFilesPerBatch(int max, out long? left)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        left = DescriptorsLeft();
        if (left is not { } l)
        {
            return max;
        }

        // A batch of n files holds n inbox files and up to min(n, CopiesInFlight) cache copies.
        long room = l - RuntimeReserve;
        long files = room >= 2L * CopiesInFlight ? room - CopiesInFlight : room / 2;
        return (int)Math.Clamp(files, 1, max);
    }

    /// <summary>The soft limit less the descriptors this process has open, or <see langword="null"/> when either cannot be read.</summary>
    public static long? DescriptorsLeft()
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            long? soft = SoftOpenFilesLimit(File.ReadAllText("/proc/self/limits"));
            if (soft is null)
            {
                return null;
            }

            // The enumeration's own directory descriptor is counted too: one more than the caller holds, on the safe side.
            long open = Directory.EnumerateFileSystemEntries("/proc/self/fd").LongCount();
            return Math.Max(0, soft.Value - open);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Out of descriptors already, or no /proc: the walk's hand-back deals with an exhausted table.
            return null;
        }
    }

    /// <summary>
    /// The soft limit of the "Max open files" row of a <c>/proc/PID/limits</c> text; <see cref="long.MaxValue"/> for
    /// "unlimited", <see langword="null"/> when the row is missing or unreadable.
    /// </summary>
    /// <param name="limits">The file's text.</param>
    /// <returns>The soft limit.</returns>
    public static long? SoftOpenFilesLimit(string limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        const string Row = "Max open files";
        foreach (string line in limits.Split('\n'))
        {
            if (!line.StartsWith(Row, StringComparison.Ordinal))
            {
                continue;
            }

            string[] fields = line[Row.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 0)
            {
                return null;
            }

            return fields[0] == "unlimited" ? long.MaxValue
                : long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out long soft) ? soft : null;
        }

        return null;
    }
}
