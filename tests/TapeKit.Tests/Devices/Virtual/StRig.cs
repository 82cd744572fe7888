using TapeKit.Devices.St;
using TapeKit.Devices.Virtual;

namespace TapeKit.Tests.Devices.Virtual;

/// <summary>A temporary cartridge in a virtual drive, driven at the st system-call level.</summary>
internal sealed class StRig : IDisposable
{
    public const int Rdwr = OpenFlags.O_RDWR | OpenFlags.O_CLOEXEC;
    public const int Rdonly = OpenFlags.O_RDONLY | OpenFlags.O_CLOEXEC;
    public const int NonBlock = OpenFlags.O_NONBLOCK;

    public StRig(VirtualDriveOptions? options = null, long capacity = 64L * 1024 * 1024, long? earlyWarningDistance = null, bool writeProtected = false, bool empty = false)
    {
        Root = Path.Combine(Path.GetTempPath(), "tapekit-tests", Guid.NewGuid().ToString("N"));
        CartridgePath = Path.Combine(Root, "A00001.tkvt");
        VirtualCartridge.Create(CartridgePath, "A00001", MediaProfile.Lto9, new VirtualCartridgeOptions
        {
            Capacity = capacity,
            EarlyWarningDistance = earlyWarningDistance ?? 1024 * 1024,
            WriteProtected = writeProtected,
        });
        Drive = new VirtualTapeDrive(options ?? VirtualTapeDrive.DefaultOptions);
        if (!empty)
        {
            Drive.InsertCartridge(CartridgePath);
        }
    }

    public string Root { get; }

    public string CartridgePath { get; }

    public VirtualTapeDrive Drive { get; }

    public IStSyscalls Sys => Drive.Model;

    public int Open(int flags = Rdwr, string path = "/dev/nst0")
    {
        var r = Sys.Open(path, flags);
        Assert.False(r.Failed, $"open failed: {r}");
        return (int)r.Value;
    }

    public StResult Write(int fd, int length, byte seed = 1)
    {
        var data = Payload(length, seed);
        return Sys.Write(fd, data);
    }

    public static byte[] Payload(int length, byte seed)
    {
        var data = new byte[length];
        for (int i = 0; i < length; i++)
        {
            data[i] = (byte)(seed + (i * 7));
        }

        return data;
    }

    public StResult Read(int fd, int count, out byte[] data)
    {
        data = new byte[count];
        return Sys.Read(fd, data);
    }

    public StResult Op(int fd, short op, int count = 1) => Sys.MtOp(fd, op, count);

    public MtGet Get(int fd)
    {
        var r = Sys.MtGet(fd, out var m);
        Assert.False(r.Failed, $"MTIOCGET failed: {r}");
        return m;
    }

    public (int File, int Block) Where(int fd)
    {
        var m = Get(fd);
        return (m.FileNo, m.BlkNo);
    }

    public long Pos(int fd)
    {
        var r = Sys.MtPos(fd, out long p);
        Assert.False(r.Failed, $"MTIOCPOS failed: {r}");
        return p;
    }

    /// <summary>Writes blocks of the given sizes; 0 stands for a filemark (MTWEOF 1).</summary>
    public void Layout(int fd, params int[] objects)
    {
        foreach (int n in objects)
        {
            var r = n == 0 ? Op(fd, MtOpCode.MTWEOF, 1) : Write(fd, n);
            Assert.False(r.Failed, $"layout step {n} failed: {r}");
        }
    }

    public void Dispose()
    {
        Drive.Dispose();
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
