using System.Runtime.Versioning;
using System.Text;
using TapeKit.Conformance.Support;
using TapeKit.Devices.Linux;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// Runs one case through the managed st model (a <see cref="VirtualTapeDrive"/>) and through the
/// Linux backend's system calls over the native emulation, on two copies of the same blank
/// cartridge, and reports every difference: per step, in crash consistency, and in the cartridge
/// files afterwards (spec/tape-devices.md §8.6 items 1, 2, 4, 5).
/// </summary>
[SupportedOSPlatform("linux")]
internal static class StDifferentialHarness
{
    private static int _run;

    /// <summary>A scratch root on tmpfs when there is one.</summary>
    public static string ScratchRoot { get; } = Path.Combine(Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath(), "tapekit-diff-" + Environment.ProcessId);

    /// <summary>Runs the case; returns null when both models agree, else the report.</summary>
    public static string? Run(StCase c)
    {
        string dir = Path.Combine(ScratchRoot, Interlocked.Increment(ref _run).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(Path.Combine(dir, "drive0"));
        string managedCart = Path.Combine(dir, "A.tkvt");
        string nativeCart = Path.Combine(dir, "B.tkvt");
        var shape = new VirtualCartridgeOptions { Capacity = StCase.Capacity, EarlyWarningDistance = StCase.EarlyWarningDistance, FilemarkFootprint = c.Footprint };
        VirtualCartridge.Create(managedCart, "A00001", MediaProfile.Lto9, shape);
        VirtualCartridge.Create(nativeCart, "A00001", MediaProfile.Lto9, shape);
        string managedOther = Path.Combine(dir, "C.tkvt"), nativeOther = Path.Combine(dir, "D.tkvt");
        VirtualCartridge.Create(managedOther, "A00002", MediaProfile.Lto9, shape);
        VirtualCartridge.Create(nativeOther, "A00002", MediaProfile.Lto9, shape);
        string link = Path.Combine(dir, "drive0", "medium");
        File.CreateSymbolicLink(link, nativeCart);
        NativeEmulation.Check(NativeEmulation.Reset(), "tkvst_reset");
        NativeEmulation.Check(NativeEmulation.SetRoot(dir), "tkvst_set_root");
        NativeEmulation.Check(NativeEmulation.Configure(0, c.Options.ToConfText()), "tkvst_configure");

        var log = new StringBuilder();
        string? failure = null;
        using var native = new LinuxStSyscalls();
        var drive = new VirtualTapeDrive(c.Options, number: 0);
        try
        {
            drive.InsertCartridge(managedCart);
            LoadOnce(native);
            LoadOnce(drive.Model);
            bool swapped = false;
            var managedSide = new StSide(drive.Model, drive.PowerLoss, drive.Arm, () =>
            {
                // The library exchanges the cartridge; the drive loads the new one and a status open begins its session.
                drive.RemoveCartridge();
                drive.InsertCartridge(swapped ? managedCart : managedOther);
                LoadOnce(drive.Model);
            });
            var nativeSide = new StSide(
                native,
                () => NativeEmulation.Check(NativeEmulation.PowerLoss(0), "tkvst_power_loss"),
                line => NativeEmulation.Check(NativeEmulation.Inject(0, line), "tkvst_inject " + line),
                () =>
                {
                    File.Delete(link);
                    File.CreateSymbolicLink(link, swapped ? nativeCart : nativeOther);
                    swapped = !swapped;
                    LoadOnce(native);
                });
            var snapshot = Snapshot(managedCart);
            foreach (var step in c.Steps)
            {
                string m = managedSide.Execute(step);
                string n = nativeSide.Execute(step);
                log.Append(step).Append("  -> ").Append(m);
                if (m != n)
                {
                    log.Append("   ≠ native ").Append(n).Append('\n');
                    failure = "the models disagree";
                    break;
                }

                log.Append('\n');
                if (step.Kind == StStepKind.Swap && m == "swapped")
                {
                    snapshot = Snapshot(swapped ? managedOther : managedCart);
                }

                if (step.Kind == StStepKind.PowerLoss && !SameCommittedState(swapped ? managedOther : managedCart, snapshot))
                {
                    failure = "after a power loss the managed cartridge does not hold exactly the last committed prefix";
                    break;
                }

                string current = swapped ? managedOther : managedCart;
                if (VirtualCartridge.ReadInfo(current).CommitSequence != snapshot.Sequence)
                {
                    snapshot = Snapshot(current);
                }
            }

            if (failure is null)
            {
                string? m = managedSide.Finish();
                string? n = nativeSide.Finish();
                if (m != n)
                {
                    failure = $"close at the end: managed {m}, native {n}";
                }
            }
        }
        finally
        {
            drive.Dispose();
            NativeEmulation.Reset();
        }

        if (failure is null)
        {
            foreach (var (m, n) in new[] { (managedCart, nativeCart), (managedOther, nativeOther) })
            {
                foreach (string file in new[] { "header", "index", "data" })
                {
                    if (failure is null && !File.ReadAllBytes(Path.Combine(m, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(n, file))))
                    {
                        failure = $"the cartridges' {file} files differ ({Path.GetFileName(m)} vs {Path.GetFileName(n)})";
                    }
                }
            }
        }

        if (failure is null)
        {
            Directory.Delete(dir, recursive: true);
            return null;
        }

        return $"{failure}\n--- case ---\n{c}\n--- run ---\n{log}";
    }

    private static void LoadOnce(TapeKit.Devices.St.IStSyscalls native)
    {
        // Both drives start with the cartridge loaded and a session begun (a status-only open and close).
        var open = native.Open("/dev/nst0", TapeKit.Devices.St.OpenFlags.O_RDONLY | TapeKit.Devices.St.OpenFlags.O_NONBLOCK);
        if (open.Failed)
        {
            throw new InvalidOperationException("the emulated drive did not open: " + open + " " + NativeEmulation.LastError);
        }

        native.Close((int)open.Value);
    }

    private static (ulong Sequence, byte[] Index, byte[] Data) Snapshot(string cartridge)
    {
        var info = VirtualCartridge.ReadInfo(cartridge);
        byte[] index = File.ReadAllBytes(Path.Combine(cartridge, "index"));
        byte[] data = File.ReadAllBytes(Path.Combine(cartridge, "data"));
        return (info.CommitSequence, index.AsSpan(0, (int)Math.Min(index.Length, info.ObjectCount * 32)).ToArray(), data.AsSpan(0, (int)Math.Min(data.Length, info.DataLength)).ToArray());
    }

    private static bool SameCommittedState(string cartridge, (ulong Sequence, byte[] Index, byte[] Data) before)
    {
        byte[] index = File.ReadAllBytes(Path.Combine(cartridge, "index"));
        byte[] data = File.ReadAllBytes(Path.Combine(cartridge, "data"));
        return index.AsSpan().SequenceEqual(before.Index) && data.AsSpan().SequenceEqual(before.Data);
    }
}
