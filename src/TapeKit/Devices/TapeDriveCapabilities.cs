namespace TapeKit.Devices;

/// <summary>What a drive handle allows, derived from the st options at open (docs/devices/st-driver.md#device-nodes-and-opening).</summary>
/// <param name="LogicalPositioning"><c>MTIOCPOS</c>/<c>MTSEEK</c> are usable (st option <c>scsi2logical</c>, docs/devices/st-driver.md#errors).</param>
/// <param name="SynchronousFilemarks">Filemarks synchronise; <see langword="false"/> when <c>MT_ST_NOWAIT_EOF</c> is set.</param>
/// <param name="ImmediateFilemarks"><c>MTWEOFI</c> is available.</param>
/// <param name="DeferredWriteErrors"><c>MT_ST_ASYNC_WRITES</c>: a write's error may surface one call late (docs/devices/st-driver.md#errors).</param>
/// <param name="MaxBlockLength">The largest block this handle reads or writes.</param>
/// <param name="DriverOptions">The raw st option bits read at open.</param>
public sealed record TapeDriveCapabilities(
    bool LogicalPositioning,
    bool SynchronousFilemarks,
    bool ImmediateFilemarks,
    bool DeferredWriteErrors,
    int MaxBlockLength,
    uint DriverOptions);
