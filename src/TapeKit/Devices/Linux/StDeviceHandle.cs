using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace TapeKit.Devices.Linux;

/// <summary>
/// An st descriptor (docs/devices/st-driver.md#device-nodes-and-opening). Invalid value −1 (0 is a valid descriptor).
/// <see cref="ReleaseHandle"/> closes through TapeKit's own <c>close</c> import — not
/// <c>SafeFileHandle</c>, whose release would bypass the native emulation — and is only the
/// finaliser fallback: <c>StTapeDrive.Dispose</c> closes explicitly and checks the result.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed class StDeviceHandle : SafeHandle
{
    public StDeviceHandle()
        : base(-1, ownsHandle: true)
    {
    }

    public StDeviceHandle(int fd)
        : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>The descriptor number.</summary>
    public int Fd => (int)handle;

    /// <summary>Closes explicitly and returns <c>close</c>'s result and errno; the handle is invalid afterwards either way.</summary>
    public (int Result, int Errno) CloseChecked()
    {
        int fd = (int)handle;
        SetHandleAsInvalid();
        int r = LibcImports.Close(fd);
        int errno = r < 0 ? Marshal.GetLastPInvokeError() : 0;
        return (r, errno);
    }

    protected override bool ReleaseHandle() => LibcImports.Close((int)handle) == 0;
}
