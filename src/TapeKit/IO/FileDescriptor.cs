using Microsoft.Win32.SafeHandles;

namespace TapeKit.IO;

/// <summary>Calls into libc with an open file's descriptor, which stays valid (not closed by another thread) for the call.</summary>
internal static class FileDescriptor
{
    /// <summary>Runs <paramref name="call"/> with the descriptor of <paramref name="file"/>.</summary>
    public static T Use<TState, T>(SafeFileHandle file, TState state, Func<int, TState, T> call)
    {
        bool added = false;
        try
        {
            file.DangerousAddRef(ref added);
            return call((int)file.DangerousGetHandle(), state);
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }
}
