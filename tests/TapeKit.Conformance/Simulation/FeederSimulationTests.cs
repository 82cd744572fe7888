using TapeKit.Devices.Virtual;
using TapeKit.Simulation;
using Xunit.Abstractions;

namespace TapeKit.Conformance.Simulation;

/// <summary>
/// The feeder simulation of bench/ (issue 14, point 2) against the arithmetic. The simple case: every file is
/// 256 KiB − 512 bytes, so with its 512-byte tar header it fills exactly one 256 KiB block, which the writer hands
/// to the drive when it starts the next member. An LTO-9 writes that block in T = 262 144 / 400 MB/s = 655 360 ns;
/// the source (2 ms per file, 1 GB/s) delivers one file in F = 2 ms + 261 632 ns = 2 261 632 ns. The feeder
/// starts at the append point; before the writer needs its first byte the drive writes the tape file's three
/// 80-byte header labels (200 ns each) and an immediate tape mark (1 ms): H = 1 000 600 ns, so with read-ahead
/// the first wait is F − H. Besides the files, the drive streams the manifest's block and six labels.
/// </summary>
public sealed class FeederSimulationTests(ITestOutputHelper output)
{
    private const int Files = 400;
    private const int FileSize = 262_144 - 512;
    private const long BlockTime = 655_360;
    private const long FileTime = 2_000_000 + 261_632;
    private const long HeaderTime = (3 * 200) + 1_000_000;
    private const long FirstGap = FileTime - HeaderTime;
    private const long StreamingTime = ((Files + 1) * BlockTime) + (6 * 200);
    private static readonly SourceProfile Nfs = SourceProfile.NetworkFileSystem;

    [Fact]
    public void Serial_feeder_leaves_the_drive_idle_for_every_file_s_whole_latency_and_transfer()
    {
        // Serial: file j+1 is asked for after block j is on tape, so one file takes T + F and the drive waits F each time.
        FeederResult r = Run(ReadAhead.Serial);
        Assert.Equal(Files, r.Gaps);
        Assert.Equal(Files * FileTime, r.IdleNanoseconds);
        Assert.Equal(FileTime, r.LongestGapNanoseconds);
        Assert.Equal(0, r.BackHitches);
        Assert.InRange(r.StreamingFraction, Share(BlockTime, BlockTime + FileTime) - 0.005, Share(BlockTime, BlockTime + FileTime) + 0.005);
    }

    [Fact]
    public void One_file_of_read_ahead_overlaps_the_next_file_with_the_drive_write()
    {
        // The next file is asked for as soon as the writer has taken this one: a file every F, the drive waits F − T.
        FeederResult r = Run(new ReadAhead(1, long.MaxValue));
        Assert.Equal(Files, r.Gaps);
        Assert.Equal(FirstGap + ((Files - 1) * (FileTime - BlockTime)), r.IdleNanoseconds);
        Assert.Equal(FileTime - BlockTime, r.LongestGapNanoseconds);
        Assert.InRange(r.StreamingFraction, Share(BlockTime, FileTime) - 0.005, Share(BlockTime, FileTime) + 0.005);
    }

    [Fact]
    public void Two_files_in_flight_halve_the_period_and_a_byte_bound_of_two_files_does_the_same()
    {
        // Two latencies overlap: two files every F, still slower than the drive's 2T. They arrive as a pair (the second
        // 261 632 ns after the first), so the drive writes two blocks and then waits F − 2T once.
        FeederResult byCount = Run(new ReadAhead(2, long.MaxValue));
        Assert.Equal(Files / 2, byCount.Gaps);
        Assert.Equal(FirstGap + (((Files / 2) - 1) * (FileTime - (2 * BlockTime))), byCount.IdleNanoseconds);
        Assert.Equal(FirstGap, byCount.LongestGapNanoseconds);
        Assert.InRange(byCount.StreamingFraction, Share(2 * BlockTime, FileTime) - 0.005, Share(2 * BlockTime, FileTime) + 0.005);

        FeederResult byBytes = Run(new ReadAhead(64, 2L * FileSize));
        Assert.Equal(byCount with { ReadAhead = byBytes.ReadAhead }, byBytes);
    }

    [Fact]
    public void Four_files_in_flight_outrun_the_drive_which_then_waits_only_for_the_first_file()
    {
        // F / 4 = 565 408 ns < T: the feeder is ahead after the first file and the drive streams to the end.
        FeederResult r = Run(new ReadAhead(4, long.MaxValue));
        Assert.Equal(1, r.Gaps);
        Assert.Equal(FirstGap, r.IdleNanoseconds);
        Assert.True(r.StreamingFraction > 0.98, $"streaming {r.StreamingFraction:P2}");
    }

    [Fact]
    public void Gaps_longer_than_the_drive_buffer_covers_are_stops()
    {
        // 3 s to each file's first byte, serially: every block waits longer than 1 GiB / 400 MB/s = 2.68 s, and the
        // drive's timing model charges a back-hitch (2 s, streaming time) for each.
        FeederResult r = FeederSimulation.Run(SourceProfile.SlowFirstByte, ReadAhead.Serial, 3, FileSize, MediaProfile.Lto9, WorkDirectory(), filesPerAggregation: 3);
        Assert.Equal(3, r.Gaps);
        Assert.Equal(3, r.BackHitches);
        Assert.Equal(3 * (3_000_000_000L + 261_632), r.IdleNanoseconds);
        Assert.Equal(3 * MediaProfile.Lto9.BackHitchTime, r.BackHitchNanoseconds);
        Assert.Equal((4 * BlockTime) + (6 * 200), r.StreamingNanoseconds);
        Assert.Equal(r.ElapsedNanoseconds, r.StreamingNanoseconds + r.BackHitchNanoseconds + r.IdleNanoseconds + r.OtherBusyNanoseconds);
    }

    [Fact]
    public void Issue_case_network_source_with_read_ahead_keeps_an_lto9_streaming()
    {
        // Issue 14's Done line: 2 ms per file, 1 GB/s, 1 MiB files; ≥ 95 % streaming with read-ahead, far less without.
        string work = WorkDirectory();
        FeederResult serial = FeederSimulation.Run(Nfs, ReadAhead.Serial, 300, 1024 * 1024, MediaProfile.Lto9, work);
        FeederResult ahead = FeederSimulation.Run(Nfs, new ReadAhead(16, 256L << 20), 300, 1024 * 1024, MediaProfile.Lto9, work);
        output.WriteLine($"serial {serial.StreamingFraction:P1}, read-ahead {ahead.StreamingFraction:P1}");
        Assert.True(ahead.StreamingFraction >= 0.95, $"streaming {ahead.StreamingFraction:P1}");
        Assert.True(serial.StreamingFraction < 0.6, $"streaming {serial.StreamingFraction:P1}");
    }

    [Fact]
    public void Model_asks_for_files_as_the_window_allows()
    {
        // 1 ms per file, 1 byte per ns; a window of 2 files or 250 bytes; sizes 100, 100, 100, 400.
        var model = new FeederModel(new SourceProfile("test", 1_000_000, 1_000_000_000), new ReadAhead(2, 250), start: 0);
        Assert.Equal(new FileArrival(0, 1_000_000, 1_000_100), model.Open(0, 100, now: 0));
        model.Taken(0, 1_500_000);
        // File 1 was asked for at 0 beside file 0 (the window holds both): its latency overlapped file 0's, its transfer followed.
        Assert.Equal(new FileArrival(0, 1_000_100, 1_000_200), model.Open(1, 100, now: 1_500_000));
        model.Taken(1, 1_600_000);
        // File 2 needs file 0's place: asked for when the writer took file 0.
        Assert.Equal(new FileArrival(1_500_000, 2_500_000, 2_500_100), model.Open(2, 100, now: 1_600_000));
        model.Taken(2, 2_600_000);
        // File 3 (400 bytes) is larger than the byte bound: read alone, once file 2 is taken.
        FileArrival big = model.Open(3, 400, now: 2_600_000);
        Assert.Equal(new FileArrival(2_600_000, 3_600_000, 3_600_400), big);
        Assert.Equal(3_600_001, model.AvailableAt(big, 1));
        Assert.Equal(3_600_400, model.AvailableAt(big, 400));

        // Serial: asked for when the writer comes to it, never before the feeder's start.
        var serial = new FeederModel(new SourceProfile("test", 1_000_000, 1_000_000_000), ReadAhead.Serial, start: 10);
        Assert.Equal(new FileArrival(10, 1_000_010, 1_000_110), serial.Open(0, 100, now: 5));
        serial.Taken(0, 2_000_000);
        Assert.Equal(new FileArrival(2_500_000, 3_500_000, 3_500_100), serial.Open(1, 100, now: 2_500_000));
    }

    private FeederResult Run(ReadAhead readAhead)
    {
        FeederResult r = FeederSimulation.Run(Nfs, readAhead, Files, FileSize, MediaProfile.Lto9, WorkDirectory(), filesPerAggregation: Files);
        output.WriteLine($"{readAhead}: {r.ElapsedNanoseconds} ns, streaming {r.StreamingNanoseconds} ({r.StreamingFraction:P2}), idle {r.IdleNanoseconds}, other {r.OtherBusyNanoseconds}, gaps {r.Gaps}, longest {r.LongestGapNanoseconds}, back-hitches {r.BackHitches}, blocks {r.Blocks}");

        // Where the drive's time went adds up: every moment of the write phase is streaming, waiting, or the three tape marks.
        Assert.Equal(StreamingTime, r.StreamingNanoseconds);
        Assert.Equal(3 * MediaProfile.Lto9.ImmediateFilemarkTime, r.OtherBusyNanoseconds);
        Assert.Equal(r.ElapsedNanoseconds, r.StreamingNanoseconds + r.IdleNanoseconds + r.OtherBusyNanoseconds);
        Assert.Equal(0, r.BackHitches);
        Assert.Equal(0, r.BackHitchNanoseconds);
        return r;
    }

    private static double Share(long part, long whole) => (double)part / whole;

    private static string WorkDirectory()
    {
        string work = Path.Combine(Path.GetTempPath(), "tapekit-sim-tests");
        Directory.CreateDirectory(work);
        return work;
    }
}
