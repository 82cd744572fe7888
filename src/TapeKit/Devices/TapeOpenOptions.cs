namespace TapeKit.Devices;

/// <summary>How to open a drive handle (docs/devices/st-driver.md).</summary>
public sealed record TapeOpenOptions
{
    /// <summary>Open <c>O_RDONLY</c>: writes, filemarks and erase fail with <see cref="TapeErrorKind.WriteProtected"/>.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Open <c>O_NONBLOCK</c>: a status-only handle that also opens an empty or not-ready drive (P4).</summary>
    public bool AllowNoMedium { get; init; }

    /// <summary>After the first <c>ENOSPC</c> (early warning) write the same block once more (docs/devices/st-driver.md#errors). Default on.</summary>
    public bool RetryAfterEarlyWarning { get; init; } = true;

    /// <summary>Accept a driver whose filemarks never synchronise (<c>MT_ST_NOWAIT_EOF</c>, docs/devices/st-driver.md#device-nodes-and-opening).</summary>
    public bool AllowUnsafeFilemarks { get; init; }

    /// <summary>The largest block this handle reads or writes; default 8 MiB.</summary>
    public int MaxBlockLength { get; init; } = 8 * 1024 * 1024;
}
