using System.Diagnostics;
using TapeKit.Conformance.Support;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// One format, two implementations (spec/tape-devices.md §4.8): the C tool <c>tapekit_vtape</c> and
/// the managed code create byte-identical cartridges and print the same canonical dump of each
/// other's cartridges.
/// </summary>
public sealed class VtapeToolCrossCheckTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tapekit-cross-" + Guid.NewGuid().ToString("N"));

    public VtapeToolCrossCheckTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static (int Code, string Out) Tool(params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(NativeEmulation.ArtifactsDirectory, "tapekit_vtape")) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        string output = p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, output);
    }

    [EmulationFact]
    public void Both_implementations_create_the_same_bytes_and_dump_each_others_cartridges_alike()
    {
        string managed = Path.Combine(_root, "M.tkvt"), native = Path.Combine(_root, "N.tkvt");
        VirtualCartridge.Create(managed, "A00009", MediaProfile.Lto8, new VirtualCartridgeOptions { Capacity = 5_000_000, EarlyWarningDistance = 100_000, FilemarkFootprint = 7 });
        Assert.Equal(0, Tool("create", native, "--vsn", "A00009", "--media", "lto-8", "--capacity", "5000000", "--ew-distance", "100000", "--footprint", "7").Code);
        foreach (string file in new[] { "header", "index", "data" })
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(managed, file)), File.ReadAllBytes(Path.Combine(native, file)));
        }

        using (var drive = VirtualTapeDrive.Open(native))
        {
            var rng = new Random(7);
            for (int i = 0; i < 50; i++)
            {
                byte[] block = new byte[rng.Next(1, 70_000)];
                rng.NextBytes(block);
                drive.WriteBlock(block);
                if (i % 7 == 0)
                {
                    drive.WriteFilemarks(1, immediate: i % 2 == 0);
                }
            }

            drive.Rewind();
            drive.SpaceFilemarks(2);
            drive.SpaceBlocks(2);
            drive.WriteBlock([1, 2, 3]);
        }

        var dump = Tool("dump", "--canonical", native);
        Assert.Equal(0, dump.Code);
        Assert.Equal(VirtualCartridge.CanonicalDump(native), dump.Out);
        Assert.Equal(0, Tool("verify", native).Code);
        File.WriteAllBytes(Path.Combine(native, "data"), new byte[File.ReadAllBytes(Path.Combine(native, "data")).Length]);
        Assert.Equal(3, Tool("verify", native).Code);
        Assert.NotEmpty(VirtualCartridge.Verify(native));
    }
}
