using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TapeKit.IO;

/// <summary>
/// A file opened to read its bytes at given offsets, at the cost of the open, the reads and the close only. On Linux it
/// is opened with <c>O_NOFOLLOW | O_NONBLOCK</c> (a symbolic link is refused, a FIFO never blocks) and no <c>fstat</c>
/// follows, as .NET's own open does: the callers know the size they expect and check what the reads return. Elsewhere
/// .NET's file handle stands in.
/// </summary>
internal readonly struct FileContentReader : IDisposable
{
    private readonly int _fd;
    private readonly SafeFileHandle? _handle;
    private readonly string _path;

    private FileContentReader(int fd, SafeFileHandle? handle, string path)
    {
        _fd = fd;
        _handle = handle;
        _path = path;
    }

    /// <summary>Opens <paramref name="path"/> for reading.</summary>
    /// <exception cref="FileNotFoundException">Nothing has that name.</exception>
    /// <exception cref="IOException">It cannot be opened (<see cref="UnsafeOperationException"/> for a symbolic link).</exception>
    public static FileContentReader Open(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return new FileContentReader(-1, File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.None), path);
        }

        return new FileContentReader(FileNodes.OpenReadOnly(path), null, path);
    }

    /// <summary>Reads into <paramref name="buffer"/> from <paramref name="offset"/>: the bytes read, 0 at the end.</summary>
    public unsafe int ReadAt(Span<byte> buffer, long offset)
    {
        if (!OperatingSystem.IsLinux())
        {
            return RandomAccess.Read(_handle!, buffer, offset);
        }

        fixed (byte* start = buffer)
        {
            while (true)
            {
                nint n = FileNodeImports.PRead(_fd, start, (nuint)buffer.Length, offset);
                if (n >= 0)
                {
                    return (int)n;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno != FileNodeImports.EIntr)
                {
                    throw FileNodes.Error(errno, _path, "read");
                }
            }
        }
    }

    /// <summary>The open file's status (<c>statx</c> of the descriptor; elsewhere <see cref="FileNodes.Inspect"/> of the path).</summary>
    public FileNodeStatus Status() =>
        OperatingSystem.IsLinux() ? FileNodes.StatusOf(_fd, _path) : FileNodes.Inspect(_path);

    /// <summary>Asks the kernel to bring the whole file into the page cache now (<see cref="FileReadahead"/>); false when it could not.</summary>
    public bool StartKernelReadahead() => FileReadahead.Start(_fd);

    /// <summary>Closes the file (a read-only file: a failing close loses nothing).</summary>
    public void Dispose()
    {
        if (!OperatingSystem.IsLinux())
        {
            _handle?.Dispose();
        }
        else if (_path is not null && _fd >= 0) // not a default instance, whose descriptor 0 is not its to close
        {
            _ = FileNodeImports.Close(_fd);
        }
    }
}
