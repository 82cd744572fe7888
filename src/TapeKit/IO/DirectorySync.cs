using System.Runtime.InteropServices;

namespace TapeKit.IO;

/// <summary>
/// Makes a directory's entries durable (Linux <c>open(O_DIRECTORY)</c> and <c>fsync</c>): a new name or a rename in it
/// survives a crash only once its directory is synced, which a file's own <c>fsync</c> does not promise. Elsewhere than
/// Linux it does nothing.
/// </summary>
public static partial class DirectorySync
{
    /// <summary>Syncs the entries of <paramref name="directory"/> to disk.</summary>
    /// <param name="directory">The directory.</param>
    /// <exception cref="IOException">It cannot be opened or synced; the message names it and the error.</exception>
    public static void Flush(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = FileNodeImports.Open(directory, FileNodeImports.ORdOnly | FileNodeImports.ODirectory | FileNodeImports.OCloExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the directory {directory} to sync it: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Cannot sync the directory {directory}: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}.");
            }
        }
        finally
        {
            _ = FileNodeImports.Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);
}
