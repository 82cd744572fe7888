using System.Runtime.InteropServices;
using System.Text;

namespace TapeKit.IO;

/// <summary>
/// Lists a directory tree the way an archiver needs it: every node below the directory with its type, in ordinal order
/// of the paths (a directory's path counting as if it ended in <c>/</c>, so that it comes just before what it holds),
/// symbolic links listed and never followed.
/// </summary>
/// <remarks>
/// On Linux the types come from the directory entries themselves (<c>getdents64</c>'s <c>d_type</c>), so listing a tree
/// costs a few system calls per directory, not one <c>lstat</c> per file; an entry whose file system does not record
/// its type is looked at with <see cref="FileNodes.Inspect"/>. Elsewhere .NET's enumeration and
/// <see cref="FileNodes.Inspect"/> stand in.
/// </remarks>
public static partial class DirectoryTree
{
    private const int BufferSize = 64 * 1024;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Every node below <paramref name="directory"/> (directories too), in ordinal order of <see cref="FileNodeEntry.Path"/>,
    /// a directory's path counting as if it ended in <c>/</c>: the files come in the ordinal order of their paths.
    /// </summary>
    /// <param name="directory">The directory; its own path prefixes every entry's.</param>
    /// <returns>The nodes.</returns>
    /// <exception cref="DirectoryNotFoundException">The directory, or one below it, vanished while it was listed.</exception>
    /// <exception cref="UnauthorizedAccessException">A directory cannot be read.</exception>
    /// <exception cref="IOException">A directory cannot be listed, or holds a name that is not valid UTF-8.</exception>
    public static IReadOnlyList<FileNodeEntry> List(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return [.. Enumerate(directory)];
    }

    /// <summary>
    /// <see cref="List"/> as it goes: each directory is read when the walk comes to it, so the first nodes come before
    /// the last directories are read, in the same order (each directory's entries are sorted by name).
    /// </summary>
    /// <param name="directory">The directory; its own path prefixes every entry's.</param>
    /// <returns>The nodes, lazily; the exceptions of <see cref="List"/> come from the enumeration.</returns>
    public static IEnumerable<FileNodeEntry> Enumerate(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return OperatingSystem.IsLinux() ? EnumerateLinux(directory) : ListPortable(directory);
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static IEnumerable<FileNodeEntry> EnumerateLinux(string root)
    {
        byte[] buffer = new byte[BufferSize];
        var pending = new Stack<(FileNodeEntry[] Entries, int Next)>();
        pending.Push((ReadDirectory(root, buffer, below: false), 0));
        while (pending.TryPop(out var level))
        {
            if (level.Next == level.Entries.Length)
            {
                continue;
            }

            FileNodeEntry entry = level.Entries[level.Next];
            pending.Push((level.Entries, level.Next + 1));
            yield return entry;
            if (entry.Type == FileNodeType.Directory)
            {
                pending.Push((ReadDirectory(entry.Path, buffer, below: true), 0));
            }
        }
    }

    /// <summary>
    /// One directory's entries, sorted so that a walk gives the ordinal order of the whole paths. A directory below the
    /// root is opened without following a symbolic link: one put in its place since its parent was read is refused.
    /// </summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static unsafe FileNodeEntry[] ReadDirectory(string directory, byte[] buffer, bool below)
    {
        var found = new List<FileNodeEntry>();
        string prefix = directory.EndsWith('/') ? directory : directory + "/";
        int flags = FileNodeImports.ORdOnly | FileNodeImports.ODirectory | FileNodeImports.OCloExec | (below ? FileNodeImports.ONoFollow : 0);
        int fd = FileNodeImports.Open(directory, flags);
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw below && errno is FileNodeImports.ENotDir or FileNodeImports.ELoop
                ? new UnsafeOperationException($"Refusing to list {directory}: it is no longer a directory (a symbolic link put in its place?).", directory, UnsafeOperationKind.LinkOrDevice)
                : ListError(errno, directory);
        }

        try
        {
            fixed (byte* start = buffer)
            {
                while (true)
                {
                    nint n = GetDents64(fd, start, (nuint)buffer.Length);
                    if (n < 0)
                    {
                        int errno = Marshal.GetLastPInvokeError();
                        if (errno == FileNodeImports.EIntr)
                        {
                            continue;
                        }

                        throw ListError(errno, directory);
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    ReadEntries(buffer.AsSpan(0, (int)n), prefix, directory, found);
                }
            }
        }
        finally
        {
            _ = FileNodeImports.Close(fd);
        }

        FileNodeEntry[] sorted = [.. found];
        int skip = prefix.Length;
        Array.Sort(sorted, (a, b) => CompareNames(a, b, skip));
        return sorted;
    }

    /// <summary>
    /// Orders two entries of one directory by name, a directory's name as if it ended in <c>/</c>: "a.txt" (file) comes
    /// before "a" (directory) because "a.txt" sorts before "a/…", as the whole paths do.
    /// </summary>
    private static int CompareNames(FileNodeEntry a, FileNodeEntry b, int skip)
    {
        ReadOnlySpan<char> x = a.Path.AsSpan(skip);
        ReadOnlySpan<char> y = b.Path.AsSpan(skip);
        int common = Math.Min(x.Length, y.Length);
        int order = x[..common].SequenceCompareTo(y[..common]);
        if (order != 0 || x.Length == y.Length)
        {
            return order;
        }

        // One is a prefix of the other: the shorter one's key goes on with '/' if it is a directory, else it ends first.
        return x.Length < y.Length ? ShorterFirst(a.Type, y[common]) : -ShorterFirst(b.Type, x[common]);

        static int ShorterFirst(FileNodeType shorter, char longerNext) =>
            shorter == FileNodeType.Directory && longerNext < '/' ? 1 : -1;
    }

    /// <summary>Reads the <c>struct linux_dirent64</c> records of one <c>getdents64</c> call.</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static void ReadEntries(ReadOnlySpan<byte> records, string prefix, string directory, List<FileNodeEntry> found)
    {
        // d_ino (8), d_off (8), d_reclen (2), d_type (1), d_name (NUL-terminated).
        const int NameOffset = 19;
        int offset = 0;
        while (offset < records.Length)
        {
            ushort length = MemoryMarshal.Read<ushort>(records.Slice(offset + 16, 2));
            if (length < NameOffset + 1 || offset + length > records.Length)
            {
                throw new IOException($"Cannot list {directory}: the kernel returned a malformed directory entry at byte {offset}.");
            }

            byte kind = records[offset + 18];
            ReadOnlySpan<byte> name = records.Slice(offset + NameOffset, length - NameOffset);
            int end = name.IndexOf((byte)0);
            if (end >= 0)
            {
                name = name[..end];
            }

            offset += length;
            if (name is [(byte)'.'] or [(byte)'.', (byte)'.'])
            {
                continue;
            }

            string path;
            try
            {
                path = string.Concat(prefix, StrictUtf8.GetString(name));
            }
            catch (DecoderFallbackException)
            {
                throw new IOException($"Cannot list {directory}: it holds a name that is not valid UTF-8 ({Convert.ToHexString(name)}).");
            }

            FileNodeType type = kind switch
            {
                8 => FileNodeType.Regular,
                4 => FileNodeType.Directory,
                10 => FileNodeType.SymbolicLink,
                1 => FileNodeType.Fifo,
                2 => FileNodeType.CharacterDevice,
                6 => FileNodeType.BlockDevice,
                12 => FileNodeType.Socket,
                _ => FileNodes.Inspect(path).Type, // DT_UNKNOWN: the file system does not say
            };
            found.Add(new FileNodeEntry(path, type));
        }
    }

    private static FileNodeEntry[] ListPortable(string root)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false, ReturnSpecialDirectories = false };
        var paths = new System.IO.Enumeration.FileSystemEnumerable<string>(root, (ref System.IO.Enumeration.FileSystemEntry entry) => entry.ToFullPath(), options)
        {
            ShouldRecursePredicate = (ref System.IO.Enumeration.FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        FileNodeEntry[] found = [.. paths.Select(path => new FileNodeEntry(path, FileNodes.Inspect(path).Type))];
        Array.Sort(found, static (a, b) => CompareNames(a, b, 0));
        return found;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static Exception ListError(int errno, string directory) => errno switch
    {
        FileNodeImports.ENoEnt => new DirectoryNotFoundException($"Cannot list {directory}: it no longer exists."),
        FileNodeImports.EAcces => new UnauthorizedAccessException($"Cannot list {directory}: permission denied."),
        _ => FileNodes.Error(errno, directory, "list"),
    };

    // glibc 2.30 and later.
    [LibraryImport("libc", EntryPoint = "getdents64", SetLastError = true)]
    private static unsafe partial nint GetDents64(int fd, byte* buffer, nuint count);
}
