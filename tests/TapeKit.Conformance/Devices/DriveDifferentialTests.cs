using System.Globalization;
using System.Runtime.Versioning;
using System.Text;
using FsCheck.Fluent;
using FsCheck;
using TapeKit.Checksums;
using TapeKit.Conformance.Support;
using TapeKit.Devices.Linux;
using TapeKit.Devices.Virtual.Format;
using TapeKit.Devices.Virtual;
using TapeKit.Devices;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// Level 2 of the differential tests (spec/tape-devices.md §8.6 item 3): random <see cref="ITapeDrive"/>
/// call sequences through the one front end, over the managed st model and over the Linux backend
/// on the native emulation; results, exception kinds, errno, end-of-medium kinds and the status after
/// a failure must be identical, and so must the cartridges afterwards.
/// </summary>
[Collection(EmulationTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class DriveDifferentialTests(ITestOutputHelper output)
{
    private static readonly string[] Calls =
    [
        "write", "write", "write", "write", "marks", "marks", "sync", "read", "read", "read", "spacefm", "spaceblk", "spaceblk",
        "startfile", "endfile", "eod", "rewind", "rewind", "locate", "locate", "position", "load", "unload", "status", "erase",
        "powerloss", "reopen",
    ];

    private static Gen<(string Call, int N)> Call =>
        from call in Gen.Elements(Calls)
        from n in Gen.Choose(-4, 12)
        select (call, n);

    [EmulationFact]
    public void Random_drive_calls_behave_the_same_over_both_st_models()
    {
        NativeEmulation.Require();
        var cases = Arb.From(
            from logical in Gen.Elements(true, true, false)
            from calls in Gen.Choose(1, 80).SelectMany(n => Gen.ArrayOf(Call, n))
            select (logical, calls),
            c => Enumerable.Range(0, c.calls.Length).Reverse().Select(i => (c.logical, (ValueTuple<string, int>[])[.. c.calls[..i], .. c.calls[(i + 1)..]])));
        var property = Prop.ForAll(cases, c =>
        {
            string? report = Run(c.logical, c.calls);
            if (report is not null)
            {
                throw new Xunit.Sdk.XunitException(report);
            }
        });
        PropertyRun.Check(output, property, maxTest: 100);
    }

    private static string? Run(bool logical, (string Call, int N)[] calls)
    {
        string dir = Path.Combine(StDifferentialHarness.ScratchRoot, "drive-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.Combine(dir, "drive0"));
        string a = Path.Combine(dir, "A.tkvt"), b = Path.Combine(dir, "B.tkvt");
        var shape = new VirtualCartridgeOptions { Capacity = StCase.Capacity, EarlyWarningDistance = StCase.EarlyWarningDistance };
        VirtualCartridge.Create(a, "A00001", MediaProfile.Lto9, shape);
        VirtualCartridge.Create(b, "A00001", MediaProfile.Lto9, shape);
        File.CreateSymbolicLink(Path.Combine(dir, "drive0", "medium"), b);
        var options = new VirtualDriveOptions { Scsi2Logical = logical, MaxBlockLength = 65536 };
        NativeEmulation.Check(NativeEmulation.Reset(), "tkvst_reset");
        NativeEmulation.Check(NativeEmulation.SetRoot(dir), "tkvst_set_root");
        NativeEmulation.Check(NativeEmulation.Configure(0, options.ToConfText()), "tkvst_configure");
        var log = new StringBuilder($"scsi2logical={logical}\n");
        string? failure = null;
        var vdrive = new VirtualTapeDrive(options, number: 0);
        ITapeDrive? managed = null, native = null;
        try
        {
            vdrive.InsertCartridge(a);
            var open = new TapeOpenOptions { MaxBlockLength = 65536 };
            string om = Observe(() => { managed = vdrive.OpenHandle(open); return "open"; });
            string on = Observe(() => { native = LinuxTapeDrive.Open("/dev/nst0", open); return "open"; });
            foreach (var (call, n) in calls)
            {
                string m = Do(call, n, ref managed, () => vdrive.OpenHandle(open), vdrive.PowerLoss);
                string x = Do(call, n, ref native, () => LinuxTapeDrive.Open("/dev/nst0", open), () => NativeEmulation.PowerLoss(0));
                log.Append(CultureInfo.InvariantCulture, $"{call} {n} -> {m}");
                if (m != x)
                {
                    log.Append(" ≠ native ").Append(x).Append('\n');
                    failure = "the drives disagree";
                    break;
                }

                log.Append('\n');
            }

            if (failure is null)
            {
                string m = Observe(() => { managed?.Dispose(); return "closed"; });
                string x = Observe(() => { native?.Dispose(); return "closed"; });
                managed = native = null;
                if (m != x)
                {
                    failure = $"dispose: managed {m}, native {x}";
                }
            }
        }
        finally
        {
            Observe(() => { managed?.Dispose(); return ""; });
            Observe(() => { native?.Dispose(); return ""; });
            vdrive.Dispose();
            NativeEmulation.Reset();
        }

        if (failure is null)
        {
            foreach (string file in new[] { CartridgeStore.HeaderFile, CartridgeStore.IndexFile, CartridgeStore.DataFile })
            {
                if (!File.ReadAllBytes(Path.Combine(a, file)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(b, file))))
                {
                    failure = $"the cartridges' {file} files differ";
                }
            }
        }

        if (failure is null)
        {
            Directory.Delete(dir, recursive: true);
            return null;
        }

        return failure + "\n" + log;
    }

    private static string Do(string call, int n, ref ITapeDrive? drive, Func<ITapeDrive> reopen, Action powerLoss)
    {
        var d = drive;
        if (call == "powerloss")
        {
            powerLoss();
            return "done";
        }

        if (call == "reopen")
        {
            string closed = Observe(() => { d?.Dispose(); return "closed"; });
            drive = null;
            ITapeDrive? opened = null;
            string result = Observe(() => { opened = reopen(); return "opened"; });
            drive = opened;
            return closed + "/" + result;
        }

        if (d is null)
        {
            return "no handle";
        }

        int count = Math.Max(1, Math.Abs(n));
        return Observe(() => call switch
        {
            "write" => d.WriteBlock(StStep.Payload(n switch { < 0 => 1, < 4 => 80, < 8 => 4096, _ => 65536 }, n)).ToString(),
            "marks" => d.WriteFilemarks(Math.Min(count, 3), immediate: n % 2 == 0).ToString(),
            "sync" => Action(d.Synchronize),
            "read" => Read(d, n switch { < 0 => 80, < 6 => 4096, _ => 65536 }),
            "spacefm" => Action(() => d.SpaceFilemarks(n == 0 ? 1 : Math.Clamp(n, -3, 3))),
            "spaceblk" => Action(() => d.SpaceBlocks(n == 0 ? -1 : n)),
            "startfile" => Action(() => d.MoveToStartOfFile(Math.Min(count, 3))),
            "endfile" => Action(() => d.MoveToEndOfFile(Math.Min(count, 3))),
            "eod" => Action(d.SeekEndOfData),
            "rewind" => Action(d.Rewind),
            "locate" => Action(() => d.Locate(Math.Max(0, n))),
            "position" => d.ReadPosition().ToString(CultureInfo.InvariantCulture),
            "load" => Action(d.Load),
            "unload" => Action(d.Unload),
            "status" => d.GetStatus().ToString(),
            "erase" => Action(() => d.Erase()),
            _ => throw new ArgumentOutOfRangeException(nameof(call)),
        });
    }

    private static string Read(ITapeDrive d, int size)
    {
        var buffer = new byte[size];
        var r = d.ReadBlock(buffer);
        return r.Kind == TapeReadKind.Data ? $"{r} crc={Crc32C.Compute(buffer.AsSpan(0, r.Length)):x8}" : r.ToString();
    }

    private static string Action(Action action)
    {
        action();
        return "ok";
    }

    private static string Observe(Func<string> action)
    {
        try
        {
            return action();
        }
        catch (TapeDriveException e)
        {
            return $"TapeDriveException {e.Kind} errno={e.Errno} eom={e.EndOfMedium} deferred={e.MayConcernEarlierWrite} after={e.StatusAfter}";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return e.GetType().Name;
        }
    }
}
