namespace TapeKit.Devices.St;

/// <summary><c>MTIOCTOP</c> operation codes (<c>linux/mtio.h</c>, docs/devices/st-driver.md#requests-and-operations).</summary>
internal static class MtOpCode
{
    public const short MTRESET = 0;
    public const short MTFSF = 1;
    public const short MTBSF = 2;
    public const short MTFSR = 3;
    public const short MTBSR = 4;
    public const short MTWEOF = 5;
    public const short MTREW = 6;
    public const short MTOFFL = 7;
    public const short MTNOP = 8;
    public const short MTRETEN = 9;
    public const short MTBSFM = 10;
    public const short MTFSFM = 11;
    public const short MTEOM = 12;
    public const short MTERASE = 13;
    public const short MTRAS1 = 14;
    public const short MTRAS2 = 15;
    public const short MTRAS3 = 16;
    public const short MTSETBLK = 20;
    public const short MTSETDENSITY = 21;
    public const short MTSEEK = 22;
    public const short MTTELL = 23;
    public const short MTSETDRVBUFFER = 24;
    public const short MTFSS = 25;
    public const short MTBSS = 26;
    public const short MTWSM = 27;
    public const short MTLOCK = 28;
    public const short MTUNLOCK = 29;
    public const short MTLOAD = 30;
    public const short MTUNLOAD = 31;
    public const short MTCOMPRESSION = 32;
    public const short MTSETPART = 33;
    public const short MTMKPART = 34;
    public const short MTWEOFI = 35;

    /// <summary>The name of an operation code, for messages and tape scripts.</summary>
    public static string Name(short op) => op switch
    {
        MTRESET => "MTRESET", MTFSF => "MTFSF", MTBSF => "MTBSF", MTFSR => "MTFSR", MTBSR => "MTBSR",
        MTWEOF => "MTWEOF", MTREW => "MTREW", MTOFFL => "MTOFFL", MTNOP => "MTNOP", MTRETEN => "MTRETEN",
        MTBSFM => "MTBSFM", MTFSFM => "MTFSFM", MTEOM => "MTEOM", MTERASE => "MTERASE", MTRAS1 => "MTRAS1",
        MTRAS2 => "MTRAS2", MTRAS3 => "MTRAS3", MTSETBLK => "MTSETBLK", MTSETDENSITY => "MTSETDENSITY",
        MTSEEK => "MTSEEK", MTTELL => "MTTELL", MTSETDRVBUFFER => "MTSETDRVBUFFER", MTFSS => "MTFSS",
        MTBSS => "MTBSS", MTWSM => "MTWSM", MTLOCK => "MTLOCK", MTUNLOCK => "MTUNLOCK", MTLOAD => "MTLOAD",
        MTUNLOAD => "MTUNLOAD", MTCOMPRESSION => "MTCOMPRESSION", MTSETPART => "MTSETPART",
        MTMKPART => "MTMKPART", MTWEOFI => "MTWEOFI",
        _ => "MTOP" + op.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary><c>GMT_*</c> bits of <c>mt_gstat</c> (docs/devices/st-driver.md#requests-and-operations), tested on the value zero-extended to 64 bits.</summary>
internal static class Gmt
{
    public const ulong EOF = 0x80000000;
    public const ulong BOT = 0x40000000;
    public const ulong EOT = 0x20000000;
    public const ulong SM = 0x10000000;
    public const ulong EOD = 0x08000000;
    public const ulong WR_PROT = 0x04000000;
    public const ulong ONLINE = 0x01000000;
    public const ulong D_6250 = 0x00800000;
    public const ulong D_1600 = 0x00400000;
    public const ulong D_800 = 0x00200000;
    public const ulong DR_OPEN = 0x00040000;
    public const ulong IM_REP_EN = 0x00010000;
    public const ulong CLN = 0x00008000;
}

/// <summary>st driver option bits (docs/devices/st-driver.md#requests-and-operations), as read from <c>/sys/class/scsi_tape/nstN/options</c>.</summary>
internal static class StOption
{
    public const uint BUFFER_WRITES = 0x1;
    public const uint ASYNC_WRITES = 0x2;
    public const uint READ_AHEAD = 0x4;
    public const uint DEBUGGING = 0x8;
    public const uint TWO_FM = 0x10;
    public const uint FAST_MTEOM = 0x20;
    public const uint AUTO_LOCK = 0x40;
    public const uint DEF_WRITES = 0x80;
    public const uint CAN_BSR = 0x100;
    public const uint NO_BLKLIMS = 0x200;
    public const uint CAN_PARTITIONS = 0x400;
    public const uint SCSI2LOGICAL = 0x800;
    public const uint SYSV = 0x1000;
    public const uint NOWAIT = 0x2000;
    public const uint SILI = 0x4000;
    public const uint NOWAIT_EOF = 0x8000;

    /// <summary>The kernel's defaults (buffer writes, async writes, read ahead, can BSR).</summary>
    public const uint KernelDefault = 0x107;

    /// <summary><c>MT_ST_BOOLEANS</c> and friends: the sub-command field of <c>MTSETDRVBUFFER</c>.</summary>
    public const uint BOOLEANS = 0x10000000;
    public const uint SETBOOLEANS = 0x30000000;
    public const uint CLEARBOOLEANS = 0x40000000;
    public const uint OPTIONS_MASK = 0xF0000000;
}

/// <summary>The <c>errno</c> values of docs/devices/st-driver.md#requests-and-operations (generic Linux).</summary>
internal static class Errno
{
    public const int EPERM = 1;
    public const int ENOENT = 2;
    public const int EINTR = 4;
    public const int EIO = 5;
    public const int ENXIO = 6;
    public const int EBADF = 9;
    public const int EAGAIN = 11;
    public const int ENOMEM = 12;
    public const int EACCES = 13;
    public const int EFAULT = 14;
    public const int EBUSY = 16;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int ENOSPC = 28;
    public const int EROFS = 30;
    public const int ENOSYS = 38;
    public const int EOVERFLOW = 75;
    public const int EOPNOTSUPP = 95;
    public const int ENOMEDIUM = 123;

    /// <summary>The symbolic name of an errno value.</summary>
    public static string Name(int errno) => errno switch
    {
        0 => "0", EPERM => "EPERM", ENOENT => "ENOENT", EINTR => "EINTR", EIO => "EIO", ENXIO => "ENXIO",
        EBADF => "EBADF", EAGAIN => "EAGAIN", ENOMEM => "ENOMEM", EACCES => "EACCES", EFAULT => "EFAULT",
        EBUSY => "EBUSY", EINVAL => "EINVAL", ENOTTY => "ENOTTY", ENOSPC => "ENOSPC", EROFS => "EROFS",
        ENOSYS => "ENOSYS", EOVERFLOW => "EOVERFLOW", ENOMEDIUM => "ENOMEDIUM",
        _ => "errno " + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>The <c>open(2)</c> flags of docs/devices/st-driver.md#requests-and-operations.</summary>
internal static class OpenFlags
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_ACCMODE = 3;
    public const int O_NONBLOCK = 0x800;
    public const int O_CLOEXEC = 0x80000;
}
