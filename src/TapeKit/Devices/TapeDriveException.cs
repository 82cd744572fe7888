namespace TapeKit.Devices;

/// <summary>
/// A tape device failed: the one exception family of TapeKit's device layer (docs/devices/st-driver.md#errors). <see cref="Kind"/> says why, <see cref="Errno"/> which system-call error carried it.
/// </summary>
public class TapeDriveException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">A sentence an operator understands, naming the device and the operation.</param>
    /// <param name="kind">Why the operation failed.</param>
    /// <param name="errno">The system-call error, or <see langword="null"/> when no system call failed.</param>
    /// <param name="operation">The st operation, e.g. <c>MTFSF 3</c> or <c>write 262144</c>.</param>
    /// <param name="device">The device name.</param>
    /// <param name="endOfMedium">Which end of the medium, for <see cref="TapeErrorKind.EndOfMedium"/>.</param>
    /// <param name="mayConcernEarlierWrite">Whether the error may belong to an earlier write (deferred, docs/devices/st-driver.md#errors).</param>
    /// <param name="statusAfter">The status read after the failure, when available.</param>
    public TapeDriveException(
        string message,
        TapeErrorKind kind,
        int? errno,
        string operation,
        string device,
        EndOfMediumKind? endOfMedium = null,
        bool mayConcernEarlierWrite = false,
        TapeStatus? statusAfter = null)
        : base(message)
    {
        Kind = kind;
        Errno = errno;
        Operation = operation;
        Device = device;
        EndOfMedium = endOfMedium;
        MayConcernEarlierWrite = mayConcernEarlierWrite;
        StatusAfter = statusAfter;
        HResult = errno is int e ? unchecked((int)0x80070000 | e) : HResult;
    }

    /// <summary>Why the operation failed.</summary>
    public TapeErrorKind Kind { get; }

    /// <summary>The system-call error (<c>errno</c>), or <see langword="null"/> when the failure was a classification only.</summary>
    public int? Errno { get; }

    /// <summary>The st operation that failed, e.g. <c>MTFSF 3</c>, <c>write 262144</c>, <c>open O_RDWR</c>.</summary>
    public string Operation { get; }

    /// <summary>The device, e.g. <c>/dev/nst0</c>.</summary>
    public string Device { get; }

    /// <summary>For <see cref="TapeErrorKind.EndOfMedium"/>: early warning or the physical end.</summary>
    public EndOfMediumKind? EndOfMedium { get; }

    /// <summary>The error was the first result after a write with deferred error reporting and may belong to that write (docs/devices/st-driver.md#errors).</summary>
    public bool MayConcernEarlierWrite { get; }

    /// <summary>The drive's status read after the failure, when it could be read.</summary>
    public TapeStatus? StatusAfter { get; }
}
