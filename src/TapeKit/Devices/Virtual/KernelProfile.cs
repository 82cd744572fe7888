namespace TapeKit.Devices.Virtual;

/// <summary>Which st generation the models imitate (docs/devices/rules.md#dev-t24).</summary>
public enum KernelProfile
{
    /// <summary>Kernel ≥ 6.15: <c>MTIOCGET</c> and <c>MTLOAD</c> work after a reset, <c>MTERASE</c> keeps the position.</summary>
    Modern,

    /// <summary>Kernels ≤ 6.12: <c>MTIOCGET</c> fails after a reset, <c>MTLOAD</c> does not clear it, <c>MTERASE</c> reports 0/0.</summary>
    Legacy,
}
