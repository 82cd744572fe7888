using System.Runtime.Versioning;
using FsCheck.Fluent;
using TapeKit.Conformance.Support;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// Differential tests (spec/tape-devices.md §8.6): random st-level tape scripts give identical
/// observations on the managed st model and on the Linux backend over the native emulation, the
/// cartridges end byte-identical, and a power loss leaves exactly the committed prefix.
/// </summary>
[Collection(EmulationTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class StDifferentialTests(ITestOutputHelper output)
{
    /// <summary>The variable that scales the run (spec §8.6 item 7: 200 per pull request, 10 000 nightly).</summary>
    public const string CasesVariable = "TAPEKIT_DIFFERENTIAL_CASES";

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable(CasesVariable), out int n) && n > 0 ? n : 200;

    [EmulationFact]
    public void Random_scripts_observe_the_same_on_both_st_models()
    {
        NativeEmulation.Require();
        var property = Prop.ForAll(StScriptGenerator.Cases(200), c =>
        {
            string? report = StDifferentialHarness.Run(c);
            if (report is not null)
            {
                throw new Xunit.Sdk.XunitException(report);
            }
        });
        PropertyRun.Check(output, property, maxTest: Cases);
    }

    [EmulationFact]
    public void A_fixed_script_covering_every_rule_group_agrees()
    {
        NativeEmulation.Require();
        StStep[] steps =
        [
            new(StStepKind.Open), new(StStepKind.Write, 4096, 1), new(StStepKind.Write, 80, 2), new(StStepKind.MtOp, 5, 1),
            new(StStepKind.Write, 65536, 3), new(StStepKind.MtOp, 35, 2), new(StStepKind.MtGet), new(StStepKind.MtPos),
            new(StStepKind.MtOp, 6, 1), new(StStepKind.Read, 100), new(StStepKind.Read, 4096), new(StStepKind.Read, 80),
            new(StStepKind.Read, 80), new(StStepKind.MtOp, 1, 5), new(StStepKind.MtGet), new(StStepKind.MtOp, 22, 3),
            new(StStepKind.Read, 65536), new(StStepKind.PowerLoss), new(StStepKind.Read, 10), new(StStepKind.MtOp, 12, 1),
            new(StStepKind.MtGet), new(StStepKind.Attribute, Text: "position_lost_in_reset"), new(StStepKind.Close),
            new(StStepKind.Open, 1, 1), new(StStepKind.Write, 10, 0), new(StStepKind.Close),
        ];
        var options = new TapeKit.Devices.Virtual.VirtualDriveOptions { Scsi2Logical = true, MaxBlockLength = 65536 };
        Assert.Null(StDifferentialHarness.Run(new StCase(options, 0, steps)));
    }
}
