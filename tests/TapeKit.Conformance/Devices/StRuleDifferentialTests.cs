using System.Runtime.Versioning;
using TapeKit.Conformance.Support;
using TapeKit.Devices.Virtual;

namespace TapeKit.Conformance.Devices;

/// <summary>
/// One scripted scenario per behaviour rule T1–T28 and T30 (spec/tape-devices.md §2), run through
/// both st models; the managed model's expected values are asserted rule by rule in
/// <c>TapeKit.Tests</c>, and these scripts prove the native emulation observes exactly the same.
/// T26 (wrong ioctl structure sizes, other requests) cannot be expressed through the typed
/// <c>IStSyscalls</c> and is tested at the C level (<c>native/tests/native_tests.c</c>). T29
/// (asynchronous reporting) is not implemented by either model (open point O9).
/// </summary>
[Collection(EmulationTests.Name)]
[SupportedOSPlatform("linux")]
public sealed class StRuleDifferentialTests
{
    private const string Status = "ioctl MTIOCGET\nioctl MTIOCPOS\n";

    /// <summary>Rule → (drive.conf text, script).</summary>
    public static TheoryData<string, string, string> Rules => new()
    {
        { "T01", "scsi2logical = 1", "open nst0 rdwr\nopen st0 rdonly\nwrite 100 seed=1\nclose\nopen nst0 rdwr\n" + Status },
        { "T02", "scsi2logical = 1", "open nst1 rdwr\nclose\nfault write-protect\nioctl MTOFFL 1\nioctl MTLOAD 1\nopen nst0 rdwr\nopen nst0 rdwr nonblock\nwrite 10 seed=1\n" + Status + "ioctl MTSEEK 0\nioctl MTLOCK 1\n" },
        { "T03", "block-limits = 4 4096", "open nst0 rdwr\nwrite 0 seed=1\nwrite 3 seed=1\nwrite 4097 seed=1\nwrite 4096 seed=1\nioctl MTREW 1\nread 0\nread 3\nread 4096\n" },
        { "T04", "scsi2logical = 1", "open nst0 rdwr\nwrite 100 seed=1\nwrite 200 seed=2\nioctl MTREW 1\nread 1000\nread 4096\n" + Status },
        { "T05", "scsi2logical = 1", "open nst0 rdwr\nwrite 200 seed=1\nioctl MTREW 1\nread 100\n" + Status + "ioctl MTBSR 1\nread 200\n" },
        { "T06", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=2\nioctl MTREW 1\nread 64\nread 64\n" + Status },
        { "T07", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTREW 1\nread 64\nread 64\nread 64\nread 64\n" + Status + "ioctl MTEOM 1\nread 64\n" },
        { "T08", "scsi2logical = 1", "open nst0 rdwr\nread 64\n" + Status + "write 10 seed=1\nwrite 20 seed=2\nfault media-error read 1 once\nioctl MTREW 1\nread 64\nread 64\n" + Status + "ioctl MTBSR 1\nread 64\n" },
        { "T09", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 20 seed=2\nioctl MTREW 1\nioctl MTFSR 1\nwrite 5 seed=3\nioctl MTEOM 1\n" + Status },
        { "T10", "scsi2logical = 1", "open nst0 rdwr\nfault end-of-medium at 10000\nfault early-warning at 7000\n" + string.Concat(Enumerable.Repeat("write 1000 seed=1\nioctl MTIOCGET\n", 14)) + "ioctl MTWEOF 1\n" + Status },
        { "T11", "scsi2logical = 1", "open nst0 rdonly\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTERASE 0\nioctl MTWSM 1\nioctl MTIOCGET\n" },
        { "T12", "scsi2logical = 1\ntwo-fm = 0", "open nst0 rdwr\nwrite 10 seed=1\nclose\nopen nst0 rdwr\n" + Status + "write 10 seed=1\nioctl MTWEOFI 0\nclose\nopen st0 rdwr\nwrite 10 seed=2\nclose\nopen nst0 rdwr\n" + Status },
        { "T12-two-fm", "scsi2logical = 1\ntwo-fm = 1", "open nst0 rdwr\nwrite 10 seed=1\nclose\nopen nst0 rdwr\n" + Status + "ioctl MTEOM 1\n" + Status },
        { "T13", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=2\nioctl MTBSF 1\n" + Status + "ioctl MTEOM 1\nwrite 10 seed=3\nioctl MTFSR 0\nioctl MTREW 1\nioctl MTEOM 1\n" + Status },
        { "T14", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTWEOF 0\nioctl MTREW 1\nioctl MTFSF 1\n" + Status + "ioctl MTFSF 5\n" + Status + "ioctl MTBSF 1\n" + Status + "ioctl MTBSF 9\n" + Status },
        { "T15", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=1\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTREW 1\nioctl MTFSFM 2\n" + Status + "ioctl MTBSFM 1\n" + Status + "ioctl MTBSFM 4\n" + Status },
        { "T16", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=1\nioctl MTWEOF 0\nioctl MTREW 1\nioctl MTFSR 5\n" + Status + "ioctl MTBSR 1\n" + Status + "ioctl MTSEEK 3\nioctl MTBSR 1\n" + Status + "ioctl MTREW 1\nioctl MTFSR 1\nioctl MTBSR 4\n" + Status },
        { "T17", "scsi2logical = 1\nfast-mteom = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTREW 1\nioctl MTEOM 1\n" + Status + "read 10\n" },
        { "T18", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTEOM 1\nioctl MTLOAD 1\nread 10\n" + Status + "ioctl MTFSF 1\nioctl MTOFFL 1\n" + Status + "read 10\nioctl MTLOAD 1\n" + Status + "ioctl MTUNLOAD 1\nclose\nopen st0 rdwr nonblock\nclose\n" },
        { "T19", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nwrite 10 seed=2\nioctl MTWEOF 1\nwrite 10 seed=3\nioctl MTSEEK 2\n" + Status + "ioctl MTSEEK 99\n" + Status + "read 10\n" },
        { "T19-no-logical", "scsi2logical = 0", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTIOCPOS\nioctl MTSEEK 0\n" + Status + "ioctl MTEOM 1\n" + Status },
        { "T20", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 0\n" + Status + "write 10 seed=2\nioctl MTWEOFI 2\n" + Status + "fault power-loss\nioctl MTREW 1\nioctl MTEOM 1\n" + Status },
        { "T20-nowait", "scsi2logical = 1\nnowait-eof = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nfault power-loss\nioctl MTREW 1\nioctl MTEOM 1\n" + Status },
        { "T21", "scsi2logical = 1\nkernel-profile = legacy", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=1\nioctl MTBSR 1\nioctl MTERASE 0\n" + Status + "ioctl MTEOM 1\n" + Status },
        { "T22", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=1\nioctl MTWEOF 1\nioctl MTBSF 1\n" + Status + "ioctl MTFSR 0\nioctl MTBSR 2\n" + Status + "ioctl MTSEEK 0\n" + Status },
        { "T23", "scsi2logical = 1", "open nst0 rdwr\nioctl MTIOCGET\nfault recovered-errors 3\nfault cleaning-request\nioctl MTIOCGET\nioctl MTIOCGET\nioctl MTSETDENSITY 66\nioctl MTIOCGET\n" },
        { "T24", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOF 1\nwrite 10 seed=1\nfault reset after 1\nwrite 10 seed=2\nread 10\nioctl MTFSF 1\nioctl MTNOP 1\n" + Status + "attr position_lost_in_reset\nclose\nopen nst0 rdwr\nioctl MTLOAD 1\n" + Status + "ioctl MTEOM 1\n" + Status },
        { "T25", "scsi2logical = 1\ncompression = none\ncap-sys-admin = 1", "open nst0 rdwr\nioctl MTNOP 1\nioctl MTCOMPRESSION 1\nioctl MTSETDRVBUFFER 805306400\nattr options\nioctl MTFSS 1\nioctl MTSETPART 1\nioctl MTTELL 1\nioctl MTRAS2 1\nioctl MTRESET 1\nioctl MTSETBLK 16777215\nioctl MTIOCGET\n" },
        { "T27", "scsi2logical = 1", "open nst0 rdwr\nwrite 100 seed=1\nfault random-media-errors seed=5 read-rate=1 write-rate=0\nioctl MTREW 1\nread 100\n" + Status },
        { "T28", "scsi2logical = 1", "open nst0 rdwr\nioctl MTSETBLK 100\nwrite 150 seed=1\nwrite 300 seed=1\nioctl MTWEOF 1\nioctl MTREW 1\nread 200\nread 500\nread 100\n" + Status },
        { "T30", "scsi2logical = 1", "open nst0 rdwr\nwrite 10 seed=1\nioctl MTWEOFI 1\nwrite 10 seed=2\nioctl MTWEOF 0\nwrite 10 seed=3\nioctl MTWEOFI 1\nfault power-loss after 0\nioctl MTEOM 1\n" + Status },
    };

    [EmulationTheory]
    [MemberData(nameof(Rules))]
    public void Rule_scenario_observes_the_same_on_both_models(string rule, string conf, string script)
    {
        NativeEmulation.Require();
        var options = VirtualDriveOptions.Parse("block-limits = 1 65536\n" + conf);
        var steps = script.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(StStep.Parse).ToArray();
        string? report = StDifferentialHarness.Run(new StCase(options, 0, steps));
        Assert.True(report is null, $"{rule}: {report}");
    }
}
