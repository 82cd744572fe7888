namespace TapeKit.IO;

/// <summary>
/// Asks the kernel to read a file into the page cache now, without waiting (Linux <c>posix_fadvise</c> with
/// <c>POSIX_FADV_WILLNEED</c>). A reader that is about to read a large file after the one it is reading gets it from
/// memory instead of from the disk: the kernel's own read-ahead works within one file, not across the next ones.
/// Only a hint: elsewhere, and when the kernel refuses, it does nothing.
/// </summary>
internal static class FileReadahead
{

    /// <summary>Starts reading all of the open file <paramref name="fd"/> into the page cache; false when it could not.</summary>
    /// <param name="fd">An open file's descriptor.</param>
    public static bool Start(int fd) =>
        OperatingSystem.IsLinux() && fd >= 0 && FileNodeImports.PosixFadvise(fd, 0, 0, FileNodeImports.PosixFadvWillNeed) == 0; // length 0: to the end of the file

    /// <summary>Starts reading <paramref name="count"/> bytes at <paramref name="offset"/> of <paramref name="file"/> into the page cache; false when it could not.</summary>
    /// <param name="file">An open file.</param>
    /// <param name="offset">Where the range starts.</param>
    /// <param name="count">Its length.</param>
    public static bool Start(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count) =>
        OperatingSystem.IsLinux() && !file.IsInvalid && count > 0 &&
        FileNodeImports.Advise(file, offset, count, FileNodeImports.PosixFadvWillNeed);
}
