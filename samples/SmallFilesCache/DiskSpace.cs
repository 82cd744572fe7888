namespace SmallFilesCache;

/// <summary>
/// Tells an exhausted resource — a full disk or quota, no file descriptor left — from other I/O errors: an exhausted
/// resource is waited out (it comes back), not a reason to refuse a client's file.
/// </summary>
public static class DiskSpace
{
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int ErrorHandleDiskFull = 39;
    private const int ErrorDiskFull = 112;
    private const int Enfile = 23;
    private const int Emfile = 24;

    /// <summary>Whether <paramref name="e"/> says the disk (or the quota) is full: ENOSPC or EDQUOT, or their Windows codes.</summary>
    /// <param name="e">The error.</param>
    public static bool IsFull(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is IOException && ((e.HResult & 0xFFFF) is Enospc or Edquot or ErrorHandleDiskFull or ErrorDiskFull
            || e.Message.Contains("No space left on device", StringComparison.Ordinal) || e.Message.Contains("Disk quota exceeded", StringComparison.Ordinal));
    }

    /// <summary>Whether <paramref name="e"/> says no file descriptor is left (EMFILE for the process, ENFILE for the system).</summary>
    /// <param name="e">The error.</param>
    public static bool IsOutOfDescriptors(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is IOException && ((e.HResult & 0xFFFF) is Emfile or Enfile || e.Message.Contains("Too many open files", StringComparison.Ordinal));
    }

    /// <summary>What is exhausted, as the start of a log sentence, or <see langword="null"/> when <paramref name="e"/> is another error.</summary>
    /// <param name="e">The error.</param>
    public static string? Exhausted(Exception e) =>
        IsFull(e) ? "the cache area is full" : IsOutOfDescriptors(e) ? "the daemon has no file descriptor left" : null;
}
