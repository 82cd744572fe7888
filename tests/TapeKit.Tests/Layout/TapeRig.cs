using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Tests.Layout;

/// <summary>A blank virtual cartridge in a virtual drive, with a handle open and a reproducible label writer.</summary>
internal sealed class TapeRig : IDisposable
{
    public TapeRig(string vsn = "V12345", long capacity = 256L * 1024 * 1024, bool writeProtected = false, VirtualClock? clock = null)
    {
        Vsn = vsn;
        Root = Path.Combine(Path.GetTempPath(), "tapekit-layout-tests", Guid.NewGuid().ToString("N"));
        CartridgePath = Path.Combine(Root, vsn + ".tkvt");
        VirtualCartridge.Create(CartridgePath, vsn, MediaProfile.Lto9, new VirtualCartridgeOptions
        {
            Capacity = capacity,
            EarlyWarningDistance = Math.Min(capacity / 4, 16L * 1024 * 1024),
            WriteProtected = writeProtected,
        });
        Drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions, clock);
        Drive.InsertCartridge(CartridgePath);
        Handle = Drive.OpenHandle();
    }

    public string Vsn { get; }

    public string Root { get; }

    public string CartridgePath { get; }

    public VirtualTapeDrive Drive { get; }

    public ITapeDrive Handle { get; private set; }

    public static LabelWriter Writer { get; } = new(new LabelWriterOptions
    {
        Profile = LabelProfile.ForTapeKit("1.0.0"),
        Clock = new FixedClock(new DateTimeOffset(2024, 5, 2, 12, 0, 0, TimeSpan.Zero)),
        Site = "CERN",
        HostName = "tpsrv001",
        DriveVendor = "IBM",
        DriveProduct = "ULT3580-TD9",
        DriveSerial = "1013005289",
    });

    public AulVolume Prelabel() => AulVolume.Prelabel(Handle, Writer, Vsn);

    /// <summary>Closes the handle and opens a new one, as a new mount would.</summary>
    public void Reopen()
    {
        Handle.Dispose();
        Handle = Drive.OpenHandle();
    }

    /// <summary>The cartridge's canonical dump, taken with the cartridge out of the drive (then loaded again).</summary>
    public string Dump()
    {
        Handle.Dispose();
        Drive.RemoveCartridge();
        string dump = VirtualCartridge.CanonicalDump(CartridgePath);
        Drive.InsertCartridge(CartridgePath);
        Handle = Drive.OpenHandle();
        return dump;
    }

    public static byte[] Data(int length, int seed)
    {
        var data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public void Dispose()
    {
        try
        {
            Handle.Dispose();
        }
        catch (TapeDriveException)
        {
            // A test that failed the drive on purpose.
        }

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
