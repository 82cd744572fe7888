using System.Diagnostics.CodeAnalysis;

namespace TapeKit.Devices.St;

/// <summary>Builds the <see cref="TapeDriveException"/>s of the front end with operator-readable messages (docs/devices/st-driver.md#errors).</summary>
internal static class StDriveErrors
{
    /// <summary>The kind for an errno that needs no status to classify (docs/devices/st-driver.md#errors table); <see langword="null"/> for <c>EIO</c>.</summary>
    public static TapeErrorKind? KindOf(int errno) => errno switch
    {
        Errno.ENOMEM => TapeErrorKind.BlockTooLarge,
        Errno.ENOSPC => TapeErrorKind.EndOfMedium,
        Errno.EROFS or Errno.EACCES => TapeErrorKind.WriteProtected,
        Errno.ENOMEDIUM => TapeErrorKind.NoMedium,
        Errno.EBUSY => TapeErrorKind.Busy,
        Errno.ENOSYS or Errno.ENOTTY or Errno.EPERM => TapeErrorKind.NotSupported,
        Errno.EIO => null,
        _ => TapeErrorKind.DeviceError,
    };

    /// <summary>A sentence for the kind.</summary>
    public static string Describe(TapeErrorKind kind, int? errno) => kind switch
    {
        TapeErrorKind.EndOfData => "the tape ends here (end of data)",
        TapeErrorKind.Filemark => "spacing stopped at a filemark",
        TapeErrorKind.BeginningOfMedium => "the beginning of the tape was reached",
        TapeErrorKind.EndOfMedium => "the end of the medium was reached",
        TapeErrorKind.WriteProtected => "the cartridge is write-protected or the handle is read-only",
        TapeErrorKind.NoMedium => "no cartridge is loaded in the drive",
        TapeErrorKind.MediaError => "the tape is unreadable here or blank (media error)",
        TapeErrorKind.BlockTooLarge => "the block is larger than the buffer; the tape is already past it (space back one block and read with a larger buffer)",
        TapeErrorKind.PositionLost => "the drive was reset or lost power and no longer knows its position; rewind or locate before anything else",
        TapeErrorKind.NotSupported => "the drive or driver does not support this",
        TapeErrorKind.Busy => "the drive is already open by another program or handle",
        _ => errno is int e ? "the drive reported " + Errno.Name(e) : "the drive failed",
    };

    [DoesNotReturn]
    public static void Throw(string device, string operation, TapeErrorKind kind, int? errno, string? detail = null, EndOfMediumKind? eom = null, bool deferred = false, TapeStatus? after = null)
    {
        string what = detail ?? Describe(kind, errno);
        string code = errno is int e ? $" ({Errno.Name(e)})" : "";
        throw new TapeDriveException($"{device}: {operation} failed{code}: {what}.", kind, errno, operation, device, eom, deferred, after);
    }
}
