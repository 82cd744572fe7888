using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using TapeKit.Devices.St;

namespace TapeKit.IO;

/// <summary>
/// Writes to a file through the page cache without keeping what it wrote there: Linux's uncached buffered writes
/// (<c>pwritev2</c> with <c>RWF_DONTCACHE</c>, kernel 6.14 and later on the file systems that have them) start writing the
/// pages back at once and drop them from the cache once they are on disk. For data streamed out and read back rarely —
/// a virtual cartridge's — so that it neither pushes out the files that are read again nor grows the cache into memory
/// a virtual machine's host must first fault in. Where the kernel or file system refuses, an ordinary write.
/// </summary>
internal static unsafe partial class UncachedWrite
{
    private const int RwfDontCache = 0x80;

    /// <summary>Writes all of <paramref name="data"/> at <paramref name="offset"/>; true when it was written uncached.</summary>
    /// <param name="file">The file, open for writing.</param>
    /// <param name="path">The file's path, for errors.</param>
    /// <param name="data">The bytes.</param>
    /// <param name="offset">Where they go.</param>
    /// <exception cref="IOException">The write failed (the file system is full, say); the error names the file.</exception>
    public static bool WriteAll(SafeFileHandle file, string path, ReadOnlySpan<byte> data, long offset)
    {
        // A kernel or file system that refuses the flag costs one failed call per write: no state to share between files.
        if (OperatingSystem.IsLinux() && !data.IsEmpty && TryWrite(file, path, data, offset))
        {
            return true;
        }

        RandomAccess.Write(file, data, offset);
        return false;
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static bool TryWrite(SafeFileHandle file, string path, ReadOnlySpan<byte> data, long offset)
    {
        fixed (byte* start = data)
        {
            return FileDescriptor.Use(file, ((nint)start, data.Length, offset, path), static (fd, w) => TryWrite(fd, (byte*)w.Item1, w.Length, w.offset, w.path));
        }
    }

    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private static bool TryWrite(int fd, byte* start, int length, long offset, string path)
    {
        int done = 0;
        while (done < length)
        {
            var vector = new IoVector { Base = start + done, Length = (nuint)(length - done) };
            nint written = PWriteV2(fd, &vector, 1, offset + done, RwfDontCache);
            if (written >= 0)
            {
                done += (int)written;
                continue;
            }

            int errno = Marshal.GetLastPInvokeError();
            if (errno == Errno.EINTR)
            {
                continue;
            }

            if (done == 0 && errno is Errno.EOPNOTSUPP or Errno.EINVAL or Errno.ENOSYS)
            {
                return false;
            }

            throw FileNodes.Error(errno, path, $"write {length - done} bytes at offset {offset + done} of");
        }

        return true;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct IoVector
    {
        public byte* Base;
        public nuint Length;
    }

    [LibraryImport("libc", EntryPoint = "pwritev2", SetLastError = true)]
    private static partial nint PWriteV2(int fd, IoVector* vector, int count, long offset, int flags);
}
