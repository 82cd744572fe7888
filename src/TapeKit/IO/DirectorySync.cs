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

    /// <summary>
    /// Makes the names of <paramref name="files"/> durable: syncs each directory from a file's own up to
    /// <paramref name="root"/> (inclusive: directories made on the way are named in their parents), each once, several at
    /// a time so that the syncs share the file system's journal commits. A directory with nothing new syncs at the cost of
    /// a disk cache flush.
    /// </summary>
    /// <param name="root">The area the files are in; nothing above it is synced.</param>
    /// <param name="files">Full paths of files below <paramref name="root"/>.</param>
    /// <exception cref="IOException">A directory cannot be opened or synced (the first error; the others are still tried).</exception>
    public static void FlushAncestors(string root, IEnumerable<string> files)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(files);
        string top = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var directories = new HashSet<string>(StringComparer.Ordinal);
        foreach (string file in files)
        {
            // Up from the file's directory to the root; a directory met before had its ancestors added with it.
            string? d = Path.GetDirectoryName(file);
            while (d is not null && d.Length >= top.Length && directories.Add(d))
            {
                d = Path.GetDirectoryName(d);
            }
        }

        try
        {
            Parallel.ForEach(directories, new ParallelOptions { MaxDegreeOfParallelism = SyncsInFlight }, Flush);
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is IOException) is IOException first)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(first);
        }
    }

    /// <summary>Directories synced at once by <see cref="FlushAncestors"/>.</summary>
    private const int SyncsInFlight = 8;

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);
}
