using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using TapeKit.Devices.St;

namespace TapeKit.Devices.Linux;

/// <summary>
/// TapeKit's "libc" imports: exactly <c>open</c>, <c>close</c>, <c>read</c>, <c>write</c> and
/// <c>ioctl</c> (docs/devices/st-driver.md#device-nodes-and-opening), source-generated, errno captured. <c>ioctl</c>
/// is variadic; declaring fixed prototypes is ABI-correct on the SysV x86_64 and AAPCS64 Linux ABIs
/// only, which is why every type here is Linux-only.
/// </summary>
[SupportedOSPlatform("linux")]
internal static unsafe partial class LibcImports
{
    public const string Library = "libc";

    [LibraryImport(Library, EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Open(string path, int flags);

    [LibraryImport(Library, EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);

    [LibraryImport(Library, EntryPoint = "read", SetLastError = true)]
    internal static partial nint Read(StDeviceHandle fd, byte* buf, nuint count);

    [LibraryImport(Library, EntryPoint = "write", SetLastError = true)]
    internal static partial nint Write(StDeviceHandle fd, byte* buf, nuint count);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int IoctlOp(StDeviceHandle fd, nuint request, ref MtOp arg);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int IoctlGet(StDeviceHandle fd, nuint request, out MtGet arg);

    [LibraryImport(Library, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int IoctlPos(StDeviceHandle fd, nuint request, out MtPos arg);
}
