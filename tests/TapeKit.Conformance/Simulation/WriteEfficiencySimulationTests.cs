using TapeKit.Devices.Virtual;
using TapeKit.Simulation;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Simulation;

/// <summary>The write simulation of bench/ at a small size: the cost model and the layouts behave as the issue expects.</summary>
public sealed class WriteEfficiencySimulationTests(ITestOutputHelper output)
{
    private const int Files = 1000;
    private const int MiB = 1024 * 1024;

    [Fact]
    public void Strategies_rank_as_expected_and_cta_style_matches_what_cta_users_report()
    {
        string work = Path.Combine(Path.GetTempPath(), "tapekit-sim-tests");
        Directory.CreateDirectory(work);
        var results = Enum.GetValues<WriteStrategy>().ToDictionary(s => s, s => WriteEfficiencySimulation.Run(s, Files, MiB, MediaProfile.Lto9, work));
        foreach (SimulationResult r in results.Values)
        {
            output.WriteLine($"{r.Strategy}: {r.DriveSeconds:F1} s, {r.MegabytesPerSecond:F1} MB/s, {r.Efficiency:P1}, {r.SyncPoints} syncs");
        }

        SimulationResult sync = results[WriteStrategy.AulSynchronous], cta = results[WriteStrategy.AulBuffered];
        SimulationResult tar = results[WriteStrategy.AlbTar], il = results[WriteStrategy.AlbIl];

        // Three synchronising marks of 2.5 s per file: CASTOR's 5-9 s per file.
        Assert.Equal(3 * Files, sync.SyncPoints);
        Assert.InRange(sync.DriveSeconds / Files, 7.5, 7.6);

        // CTA users report ~80 MB/s for 1 MB files on a 360 MB/s drive; the model must be within a factor of two.
        Assert.Equal(Files / 200, cta.SyncPoints);
        Assert.InRange(cta.MegabytesPerSecond, 40, 160);

        // tar packs 1 MiB members with one 512-byte header each: barely more blocks than the payload needs.
        long payloadBlocks = (long)Files * MiB / 262144;
        Assert.InRange(tar.DataBlocks, payloadBlocks, payloadBlocks + 10);

        // IL starts every member on a block boundary and spends 1024 bytes per block: 1 MiB takes five 256 KiB blocks.
        Assert.Equal(5L * Files, il.DataBlocks);

        Assert.True(tar.Efficiency > il.Efficiency && il.Efficiency > cta.Efficiency && cta.Efficiency > sync.Efficiency);

        // One synchronising flush (2.5 s) is the only fixed cost of the ALB run at this size.
        double streaming = (double)Files * MiB / MediaProfile.Lto9.NativeRate;
        Assert.InRange(tar.DriveSeconds, streaming, streaming + 3.5);
    }
}
