using System.Runtime.InteropServices;

namespace TapeKit.Devices.St;

/// <summary><c>struct mtop</c>: 8 bytes on every Linux ABI (docs/devices/st-driver.md#requests-and-operations).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtOp
{
    public short Op;
    public int Count;
}

/// <summary><c>struct mtget</c>: 48 bytes on LP64, 28 on ILP32; every C <c>long</c> is a <see cref="CLong"/> (docs/devices/st-driver.md#requests-and-operations).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtGet
{
    public CLong Type;
    public CLong Resid;
    public CLong DsReg;
    public CLong GStat;
    public CLong ErReg;
    public int FileNo;
    public int BlkNo;

    /// <summary><c>mt_gstat</c> zero-extended to 64 bits (docs/devices/st-driver.md#requests-and-operations: never sign-extend <c>GMT_EOF</c>).</summary>
    public readonly ulong GeneralStatus => (ulong)GStat.Value & 0xFFFFFFFFUL;
}

/// <summary><c>struct mtpos</c>: the logical object identifier of the next object.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct MtPos
{
    public CLong BlkNo;
}
