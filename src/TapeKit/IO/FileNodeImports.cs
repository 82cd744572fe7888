using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace TapeKit.IO;

/// <summary>
/// The Linux calls <see cref="FileNodes"/> and the other file helpers here need and .NET does not expose: <c>statx</c>
/// (one structure layout on every architecture, unlike <c>struct stat</c>), <c>open</c> with
/// <c>O_NOFOLLOW | O_NONBLOCK</c>, <c>pread64</c> and <c>posix_fadvise</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal static partial class FileNodeImports
{
    public const int AtFdCwd = -100;
    public const int AtSymlinkNoFollow = 0x100;
    public const int AtEmptyPath = 0x1000;
    public const uint StatxBasicStats = 0x7FF;
    public const int ORdOnly = 0;
    public const int ONonBlock = 0x800;       // 04000 on every Linux architecture
    public const int OCloExec = 0x80000;      // 02000000 on every Linux architecture
    public const int ENoEnt = 2;
    public const int ENxIo = 6;
    public const int ELoop = 40;
    public const int ENotDir = 20;
    public const int EIntr = 4;
    public const int EAcces = 13;
    public const int OPath = 0x200000;        // 010000000 on every Linux architecture

    public static int ODirectory => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x4000 : 0x10000;

    /// <summary><c>O_NOFOLLOW</c>: 0400000 on x86 and most others, 0100000 on ARM.</summary>
    public static int ONoFollow => RuntimeInformation.ProcessArchitecture is Architecture.Arm or Architecture.Arm64 ? 0x8000 : 0x20000;

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Statx(int dirfd, string path, int flags, uint mask, out StatxBuffer buffer);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    /// <summary><c>struct statx</c> (256 bytes, the same on every architecture).</summary>
    [LibraryImport("libc", EntryPoint = "openat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenAt(int dirfd, string path, int flags);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    /// <summary><c>pread64</c>: the 64-bit offset on every architecture.</summary>
    [LibraryImport("libc", EntryPoint = "pread64", SetLastError = true)]
    internal static unsafe partial nint PRead(int fd, byte* buffer, nuint count, long offset);

    /// <summary><c>posix_fadvise</c>: returns the error number itself and leaves errno alone.</summary>
    [LibraryImport("libc", EntryPoint = "posix_fadvise")]
    internal static partial int PosixFadvise(int fd, long offset, long length, int advice);

    public const int PosixFadvWillNeed = 3;
    public const int PosixFadvDontNeed = 4;

    /// <summary><c>posix_fadvise</c> on an open file's descriptor; true when the kernel took the advice.</summary>
    internal static bool Advise(Microsoft.Win32.SafeHandles.SafeFileHandle file, long offset, long count, int advice) =>
        FileDescriptor.Use(file, (offset, count, advice), static (fd, a) => PosixFadvise(fd, a.offset, a.count, a.advice) == 0);

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct StatxBuffer
    {
        public uint Mask;
        public uint BlockSize;
        public ulong Attributes;
        public uint LinkCount;
        public uint Uid;
        public uint Gid;
        public ushort Mode;
        public ushort Spare0;
        public ulong Inode;
        public ulong Size;
        public ulong Blocks;
        public ulong AttributesMask;
        public StatxTimestamp AccessTime;
        public StatxTimestamp BirthTime;
        public StatxTimestamp ChangeTime;
        public StatxTimestamp ModifyTime;
        public uint RdevMajor;
        public uint RdevMinor;
        public uint DevMajor;
        public uint DevMinor;
        public fixed ulong Spare[14];
    }

    /// <summary><c>struct statx_timestamp</c>.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StatxTimestamp
    {
        public long Seconds;
        public uint Nanoseconds;
        public int Reserved;
    }
}
