using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Simulation;

/// <summary>
/// Writes N user files of one size to a synthetic cartridge (lengths and objects kept, payload
/// bytes discarded) in a virtual drive, by one <see cref="WriteStrategy"/>, and reports the
/// simulated drive time: the cost model is the media profile's (<c>spec/tape-devices.md</c> §6.2).
/// Nothing sleeps; real time is spent only on building blocks and checksums.
/// </summary>
public static class WriteEfficiencySimulation
{
    /// <summary>CTA's flush rule: every 200 files or 32 GB.</summary>
    public static TapeMarkPolicy CtaFlush { get; } = TapeMarkPolicy.Buffered(200, 32_000_000_000);

    /// <summary>The ALB flush rule of the issue: every 32 GB only.</summary>
    public static TapeMarkPolicy AlbFlush { get; } = TapeMarkPolicy.Buffered(int.MaxValue, 32_000_000_000);

    /// <summary>Runs one strategy.</summary>
    /// <param name="strategy">How to write.</param>
    /// <param name="files">The number of user files.</param>
    /// <param name="fileSize">The size of each, in bytes (at least 1).</param>
    /// <param name="profile">The media profile (LTO-9 in the issue).</param>
    /// <param name="workDirectory">Where the (small, synthetic) cartridge is created; deleted afterwards.</param>
    /// <param name="filesPerAggregation">Members per ALB file.</param>
    /// <param name="blockSize">The data block size S.</param>
    /// <returns>The cost.</returns>
    public static SimulationResult Run(WriteStrategy strategy, int files, int fileSize, MediaProfile profile, string workDirectory, int filesPerAggregation = 1000, int blockSize = 262144)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(files, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fileSize, 1);
        ArgumentNullException.ThrowIfNull(profile);
        string cartridge = Path.Combine(workDirectory, $"sim-{strategy}-{Guid.NewGuid():N}");
        VirtualCartridge.Create(cartridge, "SIM001", profile, new VirtualCartridgeOptions { SyntheticSeed = 1 });
        try
        {
            var clock = new VirtualClock();
            using var drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions, clock, profile);
            drive.InsertCartridge(cartridge);
            using ITapeDrive handle = drive.OpenHandle();
            var writer = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "SIM", HostName = "simulator" });
            AulVolume volume = AulVolume.Prelabel(handle, writer, "SIM001");

            byte[] data = new byte[fileSize];
            new Random(42).NextBytes(data);
            long tapeFiles = 0;
            TapeMarkPolicy policy = strategy switch
            {
                WriteStrategy.AulSynchronous => TapeMarkPolicy.SynchronousMarks,
                WriteStrategy.AulBuffered => CtaFlush,
                _ => AlbFlush,
            };
            long start;
            DriveStatistics before;
            using (AulAppendSession session = volume.Append(0, writer, policy))
            {
                // Writing time starts once the session stands at its append point (mount and positioning excluded).
                start = clock.Nanoseconds;
                before = drive.Statistics;
                if (strategy is WriteStrategy.AulSynchronous or WriteStrategy.AulBuffered)
                {
                    using var stream = new MemoryStream(data, writable: false);
                    for (int i = 0; i < files; i++)
                    {
                        stream.Position = 0;
                        session.WriteFile((ulong)i + 1, stream, blockSize);
                        tapeFiles++;
                    }
                }
                else
                {
                    AggregationFormat format = strategy == WriteStrategy.AlbTar ? AggregationFormat.Tar : AggregationFormat.Il;
                    for (int first = 0; first < files; first += filesPerAggregation)
                    {
                        int count = Math.Min(filesPerAggregation, files - first);
                        IEnumerable<MemberSource> members = Enumerable.Range(first, count)
                            .Select(i => MemberSource.FromMemory(data, $"user/file{i:D7}") with { FileId = (ulong)i + 1 });
                        session.WriteAggregation((ulong)first + 1, members, format, blockSize, clock);
                        tapeFiles++;
                    }
                }
            }

            DriveStatistics after = drive.Statistics;
            return new SimulationResult(
                strategy,
                files,
                (long)files * fileSize,
                tapeFiles,
                after.BlocksWritten - before.BlocksWritten - (tapeFiles * 6),
                after.SyncPoints - before.SyncPoints,
                (clock.Nanoseconds - start) / 1e9,
                profile.NativeRate);
        }
        finally
        {
            try
            {
                Directory.Delete(cartridge, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
