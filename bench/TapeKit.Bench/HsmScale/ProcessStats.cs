using System.Globalization;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// Linux process counters: bytes this process passed to <c>write</c>/<c>pwrite</c> (<c>wchar</c> of /proc/self/io — while the
/// bench measures a file's life, SQLite's writes to the .db and -wal files are the only writes it makes; the -shm file is
/// memory-mapped and not counted), and the peak resident set (<c>VmHWM</c>), which /proc/self/clear_refs resets per size.
/// </summary>
internal static class ProcessStats
{
    public static long BytesWritten() => ReadField("/proc/self/io", "wchar:") ?? 0;

    /// <summary>The peak resident set since the last <see cref="ResetPeakMemory"/>, in bytes.</summary>
    public static long PeakMemoryBytes() =>
        ReadField("/proc/self/status", "VmHWM:") is { } kib ? kib * 1024 : Environment.WorkingSet;

    /// <summary>Starts a new peak-memory window (collects garbage first, so the previous size's heap does not count).</summary>
    public static void ResetPeakMemory()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (IOException)
        {
            // Not Linux, or not allowed: the peak then covers the whole process.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static long? ReadField(string path, string name)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                string value = line[name.Length..].Trim().Split(' ')[0];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return null;
    }
}
