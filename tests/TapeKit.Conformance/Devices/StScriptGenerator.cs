using FsCheck;
using FsCheck.Fluent;
using TapeKit.Devices.St;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Devices;

/// <summary>A random differential case: a drive configuration, a cartridge shape and a tape script.</summary>
/// <param name="Options">The drive configuration both models get.</param>
/// <param name="Footprint">The cartridge's filemark footprint.</param>
/// <param name="Steps">The script.</param>
public sealed record StCase(VirtualDriveOptions Options, uint Footprint, StStep[] Steps)
{
    /// <summary>The cartridge capacity: small, so that early warning and the physical end are met.</summary>
    public const long Capacity = 300_000;

    /// <summary>The early-warning distance.</summary>
    public const long EarlyWarningDistance = 60_000;

    /// <summary>The case as a replayable text: drive.conf lines (prefixed <c>conf</c>), then one step per line.</summary>
    public override string ToString() =>
        $"# cartridge capacity={Capacity} ew-distance={EarlyWarningDistance} footprint={Footprint}\n"
        + string.Concat(Options.ToConfText().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "conf " + l + "\n"))
        + string.Join("\n", Steps.Select(s => s.ToString()));
}

/// <summary>FsCheck generators of st-level tape scripts (spec/tape-devices.md §8.6 level 1).</summary>
public static class StScriptGenerator
{
    private static readonly short[] Ops =
    [
        MtOpCode.MTFSF, MtOpCode.MTBSF, MtOpCode.MTFSR, MtOpCode.MTBSR, MtOpCode.MTWEOF, MtOpCode.MTWEOFI, MtOpCode.MTREW,
        MtOpCode.MTOFFL, MtOpCode.MTNOP, MtOpCode.MTRETEN, MtOpCode.MTBSFM, MtOpCode.MTFSFM, MtOpCode.MTEOM, MtOpCode.MTERASE,
        MtOpCode.MTRAS1, MtOpCode.MTSETBLK, MtOpCode.MTSETDENSITY, MtOpCode.MTSEEK, MtOpCode.MTTELL, MtOpCode.MTSETDRVBUFFER,
        MtOpCode.MTFSS, MtOpCode.MTBSS, MtOpCode.MTWSM, MtOpCode.MTLOCK, MtOpCode.MTUNLOCK, MtOpCode.MTLOAD, MtOpCode.MTUNLOAD,
        MtOpCode.MTCOMPRESSION, MtOpCode.MTSETPART, MtOpCode.MTMKPART, MtOpCode.MTRESET, 99,
    ];

    private static readonly short[] FrequentOps =
    [
        MtOpCode.MTFSF, MtOpCode.MTBSF, MtOpCode.MTFSR, MtOpCode.MTBSR, MtOpCode.MTWEOF, MtOpCode.MTWEOFI, MtOpCode.MTREW,
        MtOpCode.MTBSFM, MtOpCode.MTFSFM, MtOpCode.MTEOM, MtOpCode.MTSEEK,
    ];

    private static Gen<StStep> Open =>
        from path in Gen.Frequency((9, Gen.Constant(0)), (1, Gen.Constant(1)))
        from flags in Gen.Frequency((6, Gen.Constant(0)), (2, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3)))
        select new StStep(StStepKind.Open, path, flags);

    private static Gen<StStep> Write =>
        from length in Gen.Elements(1, 80, 4096, 65536, 65535, 65537, 0, 30000, 120_000)
        from seed in Gen.Choose(0, 9)
        select new StStep(StStepKind.Write, length, seed);

    private static Gen<StStep> Read =>
        from count in Gen.Elements(0, 1, 79, 80, 81, 4096, 65536, 65537, 200_000)
        select new StStep(StStepKind.Read, count);

    private static Gen<StStep> MtOp =>
        from op in Gen.Frequency((3, Gen.Elements(FrequentOps)), (1, Gen.Elements(Ops)))
        from count in Gen.Frequency(
            (8, Gen.Elements(1, 1, 2, 3, 0)),
            (2, Gen.Choose(0, 12)),
            (1, Gen.Elements(-1, 0x7FFFFF, 0x800000, 100)))
        select Adjust(op, count);

    private static Gen<StStep> Fault =>
        from kind in Gen.Choose(0, 11)
        from n in Gen.Choose(0, 8)
        from sticky in Gen.Elements(" once", " sticky")
        from bytes in Gen.Choose(1_000, 250_000)
        select new StStep(StStepKind.Fault, Text: kind switch
        {
            0 => $"media-error read {n}{sticky}",
            1 => $"media-error write {n}{sticky}",
            2 => $"power-loss after {n + 1}",
            3 => $"reset after {n + 1}",
            4 => $"early-warning at {bytes}",
            5 => $"end-of-medium at {bytes}",
            6 => $"recovered-errors {n}",
            7 => "cleaning-request",
            8 => "write-protect",
            9 => "write-protect off",
            10 => $"drive-failure after {n + 4}",
            _ => $"random-media-errors seed={n} read-rate=0.1 write-rate=0.05",
        });

    /// <summary>One step, weighted towards data and positioning.</summary>
    public static Gen<StStep> Step => Gen.Frequency(
        (8, Open),
        (5, Gen.Constant(new StStep(StStepKind.Close))),
        (25, Write),
        (15, Read),
        (30, MtOp),
        (6, Gen.Constant(new StStep(StStepKind.MtGet))),
        (5, Gen.Constant(new StStep(StStepKind.MtPos))),
        (2, Gen.Elements("options", "position_lost_in_reset").Select(a => new StStep(StStepKind.Attribute, Text: a))),
        (2, Gen.Constant(new StStep(StStepKind.PowerLoss))),
        (1, Gen.Constant(new StStep(StStepKind.Swap))),
        (3, Fault));

    /// <summary>A drive configuration (fixed-block mode stays out of the mix, §10 O5).</summary>
    public static Gen<VirtualDriveOptions> Options =>
        from logical in Gen.Elements(true, true, false)
        from legacy in Gen.Elements(false, false, true)
        from fast in Gen.Elements(false, false, true)
        from twoFm in Gen.Elements(false, false, false, true)
        from nowait in Gen.Elements(false, false, false, true)
        from compression in Gen.Elements(true, false)
        from admin in Gen.Elements(false, false, true)
        select new VirtualDriveOptions
        {
            Scsi2Logical = logical,
            KernelProfile = legacy ? KernelProfile.Legacy : KernelProfile.Modern,
            FastMteom = fast,
            TwoFilemarks = twoFm,
            NowaitEof = nowait,
            MaxBlockLength = 65536,
            CompressionSupported = compression,
            CapSysAdmin = admin,
        };

    /// <summary>A whole case with up to <paramref name="maxSteps"/> steps, opening the drive first most of the time.</summary>
    public static Arbitrary<StCase> Cases(int maxSteps) => Arb.From(
        from options in Options
        from footprint in Gen.Elements(0u, 0u, 100u)
        from length in Gen.Choose(1, maxSteps)
        from steps in Gen.ArrayOf(Step, length)
        from openFirst in Gen.Elements(true, true, true, false)
        select new StCase(options, footprint, openFirst ? [new StStep(StStepKind.Open), .. steps] : steps),
        Shrink);

    private static IEnumerable<StCase> Shrink(StCase c)
    {
        var steps = c.Steps;
        if (steps.Length > 8)
        {
            yield return c with { Steps = steps[..(steps.Length / 2)] };
        }

        for (int i = steps.Length - 1; i >= 0; i--)
        {
            yield return c with { Steps = [.. steps[..i], .. steps[(i + 1)..]] };
        }
    }

    private static StStep Adjust(short op, int count) => op switch
    {
        MtOpCode.MTSETBLK => new StStep(StStepKind.MtOp, op, 0),
        MtOpCode.MTSETDRVBUFFER => new StStep(StStepKind.MtOp, op, count % 2 == 0 ? unchecked((int)0x30000020) : unchecked((int)0x40000800)),
        MtOpCode.MTSETDENSITY => new StStep(StStepKind.MtOp, op, 0x42),
        // Millions of filemarks are valid but slow on both sides; keep large counts on the EINVAL path.
        MtOpCode.MTWEOF or MtOpCode.MTWEOFI when count > 12 => new StStep(StStepKind.MtOp, op, 0x800000),
        _ => new StStep(StStepKind.MtOp, op, count),
    };
}
