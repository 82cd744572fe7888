using System.Globalization;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// Keeps the bench from exhausting a shared machine: the invariant checker and the purge survey read every file row into
/// memory today, so before running one the guard estimates its heap from the catalogue's size and skips it when that
/// would take more than half of the memory available now.
/// </summary>
internal static class MemoryGuard
{
    /// <summary>Heap per file row an operation holds when it reads them all (FileRecord, its decision, attributes, checksums, copies): the peak at 10^6 files was 2.1 GB.</summary>
    public const long BytesPerLoadedFile = 2048;

    /// <summary>Why an operation over <paramref name="files"/> rows should not run, or <see langword="null"/> when it may.</summary>
    public static string? ReasonToSkip(long files)
    {
        long needed = files * BytesPerLoadedFile;
        long available = AvailableBytes();
        return needed > available / 2
            ? string.Create(CultureInfo.InvariantCulture, $"skipped: reading {files:N0} rows needs ~{needed / (1L << 30)} GiB, more than half of the {available / (1L << 30)} GiB available")
            : null;
    }

    private static long AvailableBytes()
    {
        const string path = "/proc/meminfo";
        if (File.Exists(path))
        {
            foreach (string line in File.ReadLines(path))
            {
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    return long.Parse(line["MemAvailable:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }
}
