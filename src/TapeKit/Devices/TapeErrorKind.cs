namespace TapeKit.Devices;

/// <summary>Why a drive operation failed (docs/devices/st-driver.md#errors).</summary>
public enum TapeErrorKind
{
    /// <summary>A read or space ran into end of data.</summary>
    EndOfData,

    /// <summary>Block spacing stopped at a filemark.</summary>
    Filemark,

    /// <summary>Backward spacing reached the beginning of the tape.</summary>
    BeginningOfMedium,

    /// <summary><c>ENOSPC</c>: early warning (write not done) or the physical end; see <see cref="TapeDriveException.EndOfMedium"/>.</summary>
    EndOfMedium,

    /// <summary><c>EROFS</c> at open, <c>EACCES</c> on write, filemark or erase.</summary>
    WriteProtected,

    /// <summary><c>ENOMEDIUM</c>: no cartridge.</summary>
    NoMedium,

    /// <summary>An <c>EIO</c> that st attributes to no other cause, including blank tape where no filemark was seen.</summary>
    MediaError,

    /// <summary><c>ENOMEM</c> on read: the block is larger than the buffer and the tape is already past it.</summary>
    BlockTooLarge,

    /// <summary>A reset or power loss; positioning is needed before anything else works.</summary>
    PositionLost,

    /// <summary><c>ENOSYS</c>, <c>ENOTTY</c>, <c>EPERM</c>, no logical positioning, or unsafe driver options.</summary>
    NotSupported,

    /// <summary><c>EBUSY</c>: the drive is already open.</summary>
    Busy,

    /// <summary>Anything else: no such device, driver limits, drive failure.</summary>
    DeviceError,
}
