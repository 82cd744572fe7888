using TapeKit.Simulation;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Simulation;

/// <summary>The recall-planning simulation of bench/ at a small size: the planner mounts each tape once and wins on time.</summary>
public sealed class RecallSimulationTests(ITestOutputHelper output)
{
    [Fact]
    public void The_planner_mounts_each_tape_once_and_beats_fifo()
    {
        string work = Path.Combine(Path.GetTempPath(), "tapekit-sim-tests");
        Directory.CreateDirectory(work);
        (RecallResult fifo, RecallResult planner) = RecallSimulation.Run(work, cartridges: 5, filesPerTape: 3, membersPerFile: 16, memberBlocks: 1, requests: 200, seed: 7);
        output.WriteLine($"{fifo}\n{planner}");

        Assert.Equal(200, fifo.Mounts);
        Assert.Equal(1.0, fifo.FilesPerMount);
        Assert.Equal(5, planner.Mounts);
        Assert.True(planner.FilesPerMount >= 40, $"{planner.FilesPerMount} files per mount");
        Assert.True(planner.SimulatedSeconds * 10 < fifo.SimulatedSeconds, $"planner {planner.SimulatedSeconds} s, FIFO {fifo.SimulatedSeconds} s");
    }
}
