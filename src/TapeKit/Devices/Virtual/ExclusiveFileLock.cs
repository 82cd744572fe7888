using System.Diagnostics;

namespace TapeKit.Devices.Virtual;

/// <summary>
/// An exclusive lock on a file shared by processes of one host. On Linux and macOS .NET takes
/// <c>flock(LOCK_EX | LOCK_NB)</c> when a file is opened with <see cref="FileShare.None"/>: the lock
/// belongs to the open file description, so it conflicts between two opens in one process as well as
/// between processes, and the kernel drops it when the process dies (SIGKILL included) — a crashed
/// holder never leaves a stale lock behind. (Setting <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> turns
/// this off and with it every guarantee of a shared library.)
/// </summary>
internal static class ExclusiveFileLock
{
    /// <summary>Takes the lock on <paramref name="path"/> (created when missing), or <see langword="null"/> when someone else holds it.</summary>
    public static FileStream? TryTake(string path)
    {
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>
    /// Takes the lock, retrying with a growing pause (1 ms … 50 ms) until <paramref name="timeout"/> has
    /// passed in real time; <see langword="null"/> when it never came free. .NET offers no blocking
    /// <c>flock</c> with a timeout, and a bounded wait is what a caller needs anyway.
    /// </summary>
    public static FileStream? Take(string path, TimeSpan timeout)
    {
        var waited = Stopwatch.StartNew();
        int pause = 1;
        while (true)
        {
            if (TryTake(path) is { } taken)
            {
                return taken;
            }

            if (waited.Elapsed >= timeout)
            {
                return null;
            }

            Thread.Sleep(pause);
            pause = Math.Min(pause * 2, 50);
        }
    }
}
