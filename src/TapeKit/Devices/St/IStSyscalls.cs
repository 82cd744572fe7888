namespace TapeKit.Devices.St;

/// <summary>
/// The st system-call surface (docs/devices/st-driver.md): the one seam below the front end.
/// Implemented by the managed st model (<c>VirtualStSyscalls</c>) and by libc
/// (<c>LinuxStSyscalls</c>). Results are <c>(result, errno)</c> pairs exactly as the system calls
/// give them, so the front end cannot tell the two apart.
/// </summary>
internal interface IStSyscalls
{
    /// <summary><c>open(path, flags)</c>; the result is a descriptor or −1.</summary>
    StResult Open(string path, int flags);

    /// <summary><c>close(fd)</c>; the descriptor is released even when the result is −1.</summary>
    StResult Close(int fd);

    /// <summary><c>read(fd, buffer, buffer.Length)</c>.</summary>
    StResult Read(int fd, Span<byte> buffer);

    /// <summary><c>write(fd, data, data.Length)</c>.</summary>
    StResult Write(int fd, ReadOnlySpan<byte> data);

    /// <summary><c>ioctl(fd, MTIOCTOP, &amp;{op, count})</c>.</summary>
    StResult MtOp(int fd, short op, int count);

    /// <summary><c>ioctl(fd, MTIOCGET, &amp;status)</c>.</summary>
    StResult MtGet(int fd, out MtGet status);

    /// <summary><c>ioctl(fd, MTIOCPOS, &amp;position)</c>.</summary>
    StResult MtPos(int fd, out long position);

    /// <summary>Reads an st sysfs attribute of the device (<c>options</c>, <c>position_lost_in_reset</c>); <see langword="null"/> when it does not exist.</summary>
    string? ReadAttribute(string devicePath, string attribute);
}

/// <summary>A system call's result and, when the result is −1, its <c>errno</c>.</summary>
/// <param name="Value">The return value.</param>
/// <param name="Errno">The error, 0 on success.</param>
internal readonly record struct StResult(long Value, int Errno)
{
    public static StResult Ok(long value = 0) => new(value, 0);

    public static StResult Fail(int errno) => new(-1, errno);

    public bool Failed => Value < 0;

    public override string ToString() => Failed ? "-1/" + St.Errno.Name(Errno) : Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
