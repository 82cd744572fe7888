using System.Runtime.InteropServices;

namespace TapeKit.Devices.St;

/// <summary>
/// The <c>MTIOCTOP</c>/<c>MTIOCGET</c>/<c>MTIOCPOS</c> ioctl request numbers, computed from the
/// process architecture and the managed structure sizes with the kernel's <c>_IOC</c> formula
/// (docs/devices/st-driver.md#requests-and-operations), never typed by hand.
/// </summary>
internal static class MtioRequests
{
    private const uint Magic = 'm';

    /// <summary>The request numbers for the current process.</summary>
    public static readonly (nuint Top, nuint Get, nuint Pos) Current = For(RuntimeInformation.ProcessArchitecture);

    /// <summary>The request numbers for an architecture with this process's structure sizes.</summary>
    public static (nuint Top, nuint Get, nuint Pos) For(Architecture architecture)
    {
        (uint read, uint write, int dirShift) = architecture switch
        {
            Architecture.X64 or Architecture.Arm64 or Architecture.X86 or Architecture.Arm or Architecture.RiscV64
                or Architecture.S390x or Architecture.LoongArch64 or Architecture.Armv6 => (2u, 1u, 30),
            Architecture.Ppc64le => (2u, 4u, 29),
            _ => throw new PlatformNotSupportedException(
                $"TapeKit does not know the ioctl encoding of the {architecture} architecture; the st backend cannot run here."),
        };
        return (
            Encode(write, dirShift, (uint)Marshal.SizeOf<MtOp>(), 1),
            Encode(read, dirShift, (uint)Marshal.SizeOf<MtGet>(), 2),
            Encode(read, dirShift, (uint)Marshal.SizeOf<MtPos>(), 3));
    }

    /// <summary>The size field (bits 16–29) of a request number.</summary>
    public static uint SizeOf(nuint request) => (uint)((request >> 16) & 0x3FFF);

    /// <summary>The command number (bits 0–7) of a request number, when its type is <c>'m'</c>.</summary>
    public static int Number(nuint request) => ((request >> 8) & 0xFF) == Magic ? (int)(request & 0xFF) : -1;

    private static nuint Encode(uint direction, int dirShift, uint size, uint number) =>
        (nuint)((direction << dirShift) | (size << 16) | (Magic << 8) | number);
}
