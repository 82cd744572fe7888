using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TapeKit.IO;

/// <summary>
/// Starts the kernel writing a range of a file's dirty pages to disk without waiting (Linux <c>sync_file_range</c> with
/// <c>SYNC_FILE_RANGE_WRITE</c>). A writer that does this as it goes keeps the disk busy while it produces the rest, so
/// its final <c>fsync</c> waits for the tail only instead of for everything: on a machine with much memory, the kernel's
/// own background write-back would start only after gigabytes. Nothing is promised durable by it; elsewhere, and on a
/// file system that refuses, it does nothing.
/// </summary>
public static partial class FileWriteback
{
    private const uint SyncFileRangeWrite = 2;

    /// <summary>Starts write-back of <paramref name="count"/> bytes at <paramref name="offset"/>; false when it could not.</summary>
    /// <param name="file">The file, open for writing.</param>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="count">The range's length in bytes.</param>
    /// <returns>Whether the kernel took the request (false elsewhere than Linux, or when the file system refuses).</returns>
    public static bool Start(SafeFileHandle file, long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || file.IsInvalid || count <= 0)
        {
            return false;
        }

        return FileDescriptor.Use(file, (offset, count), static (fd, range) => SyncFileRange(fd, range.offset, range.count, SyncFileRangeWrite) == 0);
    }

    /// <summary>
    /// Asks the kernel to drop the cached pages of a range that is written (<c>POSIX_FADV_DONTNEED</c>): pages already on
    /// disk leave the page cache, pages still dirty or being written stay. For data that will not be read again soon, so
    /// that it does not push out what will be (and the cache's memory is reused instead of grown); false when it could not.
    /// </summary>
    /// <param name="file">The file.</param>
    /// <param name="offset">The first byte of the range.</param>
    /// <param name="count">The range's length in bytes.</param>
    /// <returns>Whether the kernel took the advice.</returns>
    public static bool Drop(SafeFileHandle file, long offset, long count)
    {
        if (!OperatingSystem.IsLinux() || file.IsInvalid || count <= 0)
        {
            return false;
        }

        return FileNodeImports.Advise(file, offset, count, FileNodeImports.PosixFadvDontNeed);
    }

    [LibraryImport("libc", EntryPoint = "sync_file_range", SetLastError = true)]
    private static partial int SyncFileRange(int fd, long offset, long count, uint flags);
}
