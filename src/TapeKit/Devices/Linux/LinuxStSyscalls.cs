using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using TapeKit.Devices.St;

namespace TapeKit.Devices.Linux;

/// <summary>
/// The st system calls through libc (docs/devices/st-driver.md#device-nodes-and-opening): one system call per block, never
/// <c>FileStream</c>/<c>RandomAccess</c> (which would split a short write into a second block),
/// page-aligned transfer buffers (P20), <c>EINTR</c> left to the front end, errno read right after
/// each call. Descriptors are <see cref="StDeviceHandle"/>s, so a concurrent dispose cannot recycle
/// a descriptor in the middle of an <c>ioctl</c>.
/// </summary>
[SupportedOSPlatform("linux")]
internal sealed unsafe class LinuxStSyscalls : IStSyscalls, IDisposable
{
    private const int Page = 4096;

    private readonly Dictionary<int, StDeviceHandle> _handles = [];
    private readonly (nuint Top, nuint Get, nuint Pos) _requests = MtioRequests.Current;
    private byte* _bounce;
    private nuint _bounceSize;

    public StResult Open(string path, int flags)
    {
        int fd = LibcImports.Open(path, flags);
        if (fd < 0)
        {
            return StResult.Fail(Marshal.GetLastPInvokeError());
        }

        _handles[fd] = new StDeviceHandle(fd);
        return StResult.Ok(fd);
    }

    public StResult Close(int fd)
    {
        if (!_handles.Remove(fd, out var handle))
        {
            return StResult.Fail(Errno.EBADF);
        }

        var (r, errno) = handle.CloseChecked();
        handle.Dispose();
        return r < 0 ? StResult.Fail(errno) : StResult.Ok();
    }

    public StResult Read(int fd, Span<byte> buffer)
    {
        if (!_handles.TryGetValue(fd, out var handle))
        {
            return StResult.Fail(Errno.EBADF);
        }

        fixed (byte* p = buffer)
        {
            bool aligned = ((nuint)p % Page) == 0;
            byte* target = aligned || buffer.IsEmpty ? p : Bounce((nuint)buffer.Length);
            nint r = LibcImports.Read(handle, target, (nuint)buffer.Length);
            if (r < 0)
            {
                return StResult.Fail(Marshal.GetLastPInvokeError());
            }

            if (target != p && r > 0)
            {
                new ReadOnlySpan<byte>(target, (int)r).CopyTo(buffer);
            }

            return StResult.Ok(r);
        }
    }

    public StResult Write(int fd, ReadOnlySpan<byte> data)
    {
        if (!_handles.TryGetValue(fd, out var handle))
        {
            return StResult.Fail(Errno.EBADF);
        }

        fixed (byte* p = data)
        {
            byte* source = p;
            if (((nuint)p % Page) != 0 && !data.IsEmpty)
            {
                source = Bounce((nuint)data.Length);
                data.CopyTo(new Span<byte>(source, data.Length));
            }

            nint r = LibcImports.Write(handle, source, (nuint)data.Length);
            return r < 0 ? StResult.Fail(Marshal.GetLastPInvokeError()) : StResult.Ok(r);
        }
    }

    public StResult MtOp(int fd, short op, int count)
    {
        if (!_handles.TryGetValue(fd, out var handle))
        {
            return StResult.Fail(Errno.EBADF);
        }

        var arg = new MtOp { Op = op, Count = count };
        int r = LibcImports.IoctlOp(handle, _requests.Top, ref arg);
        return r < 0 ? StResult.Fail(Marshal.GetLastPInvokeError()) : StResult.Ok(r);
    }

    public StResult MtGet(int fd, out MtGet status)
    {
        status = default;
        if (!_handles.TryGetValue(fd, out var handle))
        {
            return StResult.Fail(Errno.EBADF);
        }

        int r = LibcImports.IoctlGet(handle, _requests.Get, out status);
        return r < 0 ? StResult.Fail(Marshal.GetLastPInvokeError()) : StResult.Ok(r);
    }

    public StResult MtPos(int fd, out long position)
    {
        position = 0;
        if (!_handles.TryGetValue(fd, out var handle))
        {
            return StResult.Fail(Errno.EBADF);
        }

        int r = LibcImports.IoctlPos(handle, _requests.Pos, out var pos);
        if (r < 0)
        {
            return StResult.Fail(Marshal.GetLastPInvokeError());
        }

        position = pos.BlkNo.Value;
        return StResult.Ok(r);
    }

    /// <summary>Reads <c>/sys/class/scsi_tape/&lt;nstN&gt;/&lt;attribute&gt;</c> with TapeKit's own imports, so the emulation can answer.</summary>
    public string? ReadAttribute(string devicePath, string attribute)
    {
        string name = Path.GetFileName(devicePath);
        if (name.StartsWith("st", StringComparison.Ordinal))
        {
            name = "n" + name;
        }

        int fd = LibcImports.Open($"/sys/class/scsi_tape/{name}/{attribute}", OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC);
        if (fd < 0)
        {
            return null;
        }

        using var handle = new StDeviceHandle(fd);
        byte* buffer = stackalloc byte[64];
        nint n = LibcImports.Read(handle, buffer, 64);
        return n < 0 ? null : Encoding.ASCII.GetString(buffer, (int)n);
    }

    public void Dispose()
    {
        foreach (var handle in _handles.Values)
        {
            handle.Dispose();
        }

        _handles.Clear();
        if (_bounce != null)
        {
            NativeMemory.AlignedFree(_bounce);
            _bounce = null;
        }
    }

    private byte* Bounce(nuint size)
    {
        if (_bounceSize < size)
        {
            if (_bounce != null)
            {
                NativeMemory.AlignedFree(_bounce);
            }

            _bounce = (byte*)NativeMemory.AlignedAlloc(size, Page);
            _bounceSize = size;
        }

        return _bounce;
    }
}
