using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TapeKit.IO;

/// <summary>
/// Looks at and opens files that come from outside (an inbox, a recall list, a path on a command line) without ever
/// following a symbolic link, opening a FIFO or a device, or reading through a hard link unasked.
/// </summary>
/// <remarks>
/// On Linux the checks use <c>statx</c> without following the last component and <c>open</c> with <c>O_NOFOLLOW</c>
/// and <c>O_NONBLOCK</c>, then compare the opened file's identity with what was inspected, so a node swapped between
/// the look and the open is refused rather than read. Elsewhere .NET's own file information stands in: symbolic links
/// are still refused, but FIFOs and devices cannot be told from empty regular files there.
/// </remarks>
public static class FileNodes
{
    /// <summary>The status of the node <paramref name="path"/> names, the last component not followed (<c>lstat</c>).</summary>
    /// <param name="path">The path.</param>
    /// <returns>Its status.</returns>
    /// <exception cref="FileNotFoundException">Nothing has that name.</exception>
    /// <exception cref="IOException">The system refused to say.</exception>
    public static FileNodeStatus Inspect(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (OperatingSystem.IsLinux())
        {
            if (FileNodeImports.Statx(FileNodeImports.AtFdCwd, path, FileNodeImports.AtSymlinkNoFollow, FileNodeImports.StatxBasicStats, out var buffer) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path, "inspect");
            }

            return From(buffer);
        }

        FileSystemInfo info = new FileInfo(path);
        if (!info.Exists)
        {
            info = new DirectoryInfo(path);
            if (!info.Exists && info.LinkTarget is null)
            {
                throw new FileNotFoundException($"{path} does not exist.", path);
            }
        }

        FileNodeType type = info.LinkTarget is not null ? FileNodeType.SymbolicLink : info is DirectoryInfo ? FileNodeType.Directory : FileNodeType.Regular;
        return new FileNodeStatus(type, info is FileInfo f && type == FileNodeType.Regular ? f.Length : 0, 1,
            OperatingSystem.IsWindows() ? UnixFileMode.None : info.UnixFileMode, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero), 0, 0);
    }

    /// <summary>
    /// Opens a regular file for reading, refusing anything else: a symbolic link (even to a regular file), a FIFO, a
    /// device, a socket, a directory, and — unless <paramref name="allowHardLinks"/> — a file with more than one name.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="allowHardLinks">Whether a file that other directory entries also name may be read.</param>
    /// <param name="status">The opened file's status (taken from the open handle).</param>
    /// <returns>An unbuffered read-only stream.</returns>
    /// <exception cref="UnsafeOperationException">The node is not a plain regular file (<see cref="UnsafeOperationKind.LinkOrDevice"/>,
    /// <see cref="UnsafeOperationKind.MultipleLinks"/>), or it changed between the look and the open.</exception>
    /// <exception cref="FileNotFoundException">Nothing has that name.</exception>
    /// <exception cref="IOException">The system refused to open it.</exception>
    public static FileStream OpenRegular(string path, bool allowHardLinks, out FileNodeStatus status)
    {
        FileNodeStatus seen = Inspect(path);
        Refuse(path, seen, allowHardLinks);
        if (!OperatingSystem.IsLinux())
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
            status = seen;
            return stream;
        }

        return Checked(OpenReadOnly(path), path, seen, allowHardLinks, out status);
    }

    /// <summary>
    /// <see cref="OpenRegular"/> for a file below a trusted directory, resolving <paramref name="relative"/> without
    /// following a link anywhere in it: on Linux each directory is opened from the one before it (<c>openat</c> with
    /// <c>O_NOFOLLOW</c>), so a directory swapped for a symbolic link between a walk and the open is refused, never
    /// followed out of <paramref name="root"/>.
    /// </summary>
    /// <param name="root">The trusted directory (an inbox); it is opened as it is named.</param>
    /// <param name="relative">The file below it, <c>/</c>-separated, without empty, <c>.</c> or <c>..</c> components.</param>
    /// <param name="allowHardLinks">Whether a file that other directory entries also name may be read.</param>
    /// <param name="status">The opened file's status (taken from the open handle).</param>
    /// <returns>An unbuffered read-only stream.</returns>
    /// <exception cref="ArgumentException"><paramref name="relative"/> is absolute or has an empty, <c>.</c> or <c>..</c> component.</exception>
    /// <exception cref="UnsafeOperationException">A directory on the way or the file itself is not what it should be
    /// (<see cref="UnsafeOperationKind.LinkOrDevice"/>, <see cref="UnsafeOperationKind.MultipleLinks"/>), or the file changed between the look and the open.</exception>
    /// <exception cref="FileNotFoundException">Nothing has that name.</exception>
    /// <exception cref="IOException">The system refused to open it.</exception>
    public static FileStream OpenRegularBeneath(string root, string relative, bool allowHardLinks, out FileNodeStatus status)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentException.ThrowIfNullOrEmpty(relative);
        string[] parts = relative.Split('/');
        if (parts.Any(p => p is "" or "." or ".."))
        {
            throw new ArgumentException($"'{relative}' is not a relative path of plain components.", nameof(relative));
        }

        string path = Path.Combine(root, relative);
        if (!OperatingSystem.IsLinux())
        {
            return OpenRegular(path, allowHardLinks, out status);
        }

        FileNodeStatus seen = Inspect(path);
        Refuse(path, seen, allowHardLinks);
        int directory = FileNodeImports.Open(root, FileNodeImports.OPath | FileNodeImports.ODirectory | FileNodeImports.OCloExec);
        if (directory < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), root, "open");
        }

        int fd;
        try
        {
            for (int i = 0; i < parts.Length - 1; i++)
            {
                int next = FileNodeImports.OpenAt(directory, parts[i], FileNodeImports.OPath | FileNodeImports.ODirectory | FileNodeImports.ONoFollow | FileNodeImports.OCloExec);
                if (next < 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    string where = Path.Combine(root, string.Join('/', parts[..(i + 1)]));
                    throw errno is FileNodeImports.ENotDir or FileNodeImports.ELoop
                        ? new UnsafeOperationException($"Refusing to read {path}: {where} is no longer a directory (a symbolic link put in its place?).", path, UnsafeOperationKind.LinkOrDevice)
                        : Error(errno, where, "open");
                }

                _ = FileNodeImports.Close(directory);
                directory = next;
            }

            fd = FileNodeImports.OpenAt(directory, parts[^1], FileNodeImports.ORdOnly | FileNodeImports.ONoFollow | FileNodeImports.ONonBlock | FileNodeImports.OCloExec);
            if (fd < 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path, "open");
            }
        }
        finally
        {
            _ = FileNodeImports.Close(directory);
        }

        return Checked(fd, path, seen, allowHardLinks, out status);
    }

    /// <summary>Wraps an opened descriptor, checking that it is the plain regular file <paramref name="seen"/> described.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static FileStream Checked(int fd, string path, FileNodeStatus seen, bool allowHardLinks, out FileNodeStatus status)
    {
        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (FileNodeImports.Statx(fd, string.Empty, FileNodeImports.AtEmptyPath, FileNodeImports.StatxBasicStats, out var buffer) != 0)
            {
                throw Error(Marshal.GetLastPInvokeError(), path, "inspect");
            }

            FileNodeStatus opened = From(buffer);
            Refuse(path, opened, allowHardLinks);
            if (opened.Device != seen.Device || opened.Inode != seen.Inode)
            {
                throw new UnsafeOperationException($"Refusing to read {path}: it was replaced between being inspected and being opened.", path, UnsafeOperationKind.FileChanging);
            }

            status = opened;
            return new FileStream(handle, FileAccess.Read, 0);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>The status of an open file (<c>fstat</c>); on platforms other than Linux, its length and the time now.</summary>
    /// <param name="file">The open file.</param>
    /// <returns>Its status.</returns>
    public static FileNodeStatus StatusOf(FileStream file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return StatusOf(file.SafeFileHandle, file.Name);
    }

    /// <summary>
    /// Opens <paramref name="path"/> read-only without following a final symbolic link (<see cref="UnsafeOperationException"/>)
    /// or blocking on a FIFO (<c>O_NOFOLLOW | O_NONBLOCK</c>, which changes nothing for a regular file): its descriptor.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static int OpenReadOnly(string path)
    {
        int fd = FileNodeImports.Open(path, FileNodeImports.ORdOnly | FileNodeImports.ONoFollow | FileNodeImports.ONonBlock | FileNodeImports.OCloExec);
        return fd >= 0 ? fd : throw Error(Marshal.GetLastPInvokeError(), path, "open");
    }

    /// <summary>The status of a file opened by <paramref name="path"/> (<c>statx</c> of the descriptor; elsewhere <see cref="Inspect"/>).</summary>
    internal static FileNodeStatus StatusOf(SafeFileHandle file, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return Inspect(path);
        }

        return FileDescriptor.Use(file, path, static (fd, path) => StatusOf(fd, path));
    }

    /// <summary>The status of the open descriptor <paramref name="fd"/> (Linux <c>statx</c> with <c>AT_EMPTY_PATH</c>).</summary>
    internal static FileNodeStatus StatusOf(int fd, string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("A file descriptor's status is read on Linux only.");
        }

        return FileNodeImports.Statx(fd, string.Empty, FileNodeImports.AtEmptyPath, FileNodeImports.StatxBasicStats, out var buffer) == 0
            ? From(buffer)
            : throw Error(Marshal.GetLastPInvokeError(), path, "inspect");
    }

    private static void Refuse(string path, FileNodeStatus status, bool allowHardLinks)
    {
        if (status.Type != FileNodeType.Regular)
        {
            throw new UnsafeOperationException($"Refusing to read {path}: it is {Describe(status.Type)}, and only regular files are read.", path, UnsafeOperationKind.LinkOrDevice);
        }

        if (!allowHardLinks && status.LinkCount > 1)
        {
            throw new UnsafeOperationException(
                $"Refusing to read {path}: it has {status.LinkCount} hard links, so it is also reachable under names outside this directory.", path, UnsafeOperationKind.MultipleLinks);
        }
    }

    /// <summary>A phrase naming a node type, for messages ("a symbolic link").</summary>
    /// <param name="type">The type.</param>
    /// <returns>The phrase.</returns>
    public static string Describe(FileNodeType type) => type switch
    {
        FileNodeType.Regular => "a regular file",
        FileNodeType.Directory => "a directory",
        FileNodeType.SymbolicLink => "a symbolic link",
        FileNodeType.Fifo => "a FIFO",
        FileNodeType.CharacterDevice => "a character device",
        FileNodeType.BlockDevice => "a block device",
        FileNodeType.Socket => "a socket",
        _ => "a special file of unknown type",
    };

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static FileNodeStatus From(in FileNodeImports.StatxBuffer b)
    {
        FileNodeType type = (b.Mode & 0xF000) switch
        {
            0x8000 => FileNodeType.Regular,
            0x4000 => FileNodeType.Directory,
            0xA000 => FileNodeType.SymbolicLink,
            0x1000 => FileNodeType.Fifo,
            0x2000 => FileNodeType.CharacterDevice,
            0x6000 => FileNodeType.BlockDevice,
            0xC000 => FileNodeType.Socket,
            _ => FileNodeType.Unknown,
        };
        DateTimeOffset modified = DateTimeOffset.FromUnixTimeSeconds(b.ModifyTime.Seconds).AddTicks(b.ModifyTime.Nanoseconds / 100);
        ulong device = ((ulong)b.DevMajor << 32) | b.DevMinor;
        return new FileNodeStatus(type, (long)b.Size, b.LinkCount, (UnixFileMode)(b.Mode & 0xFFF), modified, device, b.Inode);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    internal static IOException Error(int errno, string path, string what) => errno switch
    {
        FileNodeImports.ENoEnt => new FileNotFoundException($"{path} does not exist.", path),
        FileNodeImports.ELoop => new UnsafeOperationException($"Refusing to read {path}: it is a symbolic link, and only regular files are read.", path, UnsafeOperationKind.LinkOrDevice),
        FileNodeImports.ENxIo => new UnsafeOperationException($"Refusing to read {path}: it is a socket or a device without a reader.", path, UnsafeOperationKind.LinkOrDevice),
        _ => new IOException($"Cannot {what} {path}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})."),
    };
}
