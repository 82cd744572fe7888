namespace SmallFilesCache;

/// <summary>Tells a full disk (or an exhausted quota) from other I/O errors: a full area is waited out, not a reason to refuse a file.</summary>
public static class DiskSpace
{
    private const int Enospc = 28;
    private const int Edquot = 122;
    private const int ErrorHandleDiskFull = 39;
    private const int ErrorDiskFull = 112;

    /// <summary>Whether <paramref name="e"/> says the disk (or the quota) is full: ENOSPC or EDQUOT, or their Windows codes.</summary>
    /// <param name="e">The error.</param>
    public static bool IsFull(Exception e)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e is IOException && ((e.HResult & 0xFFFF) is Enospc or Edquot or ErrorHandleDiskFull or ErrorDiskFull
            || e.Message.Contains("No space left on device", StringComparison.Ordinal) || e.Message.Contains("Disk quota exceeded", StringComparison.Ordinal));
    }
}
