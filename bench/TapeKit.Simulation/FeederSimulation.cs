using TapeKit.Aggregation;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Labels;
using TapeKit.Layout;

namespace TapeKit.Simulation;

/// <summary>
/// A feeder in front of a virtual drive (issue 14, point 2): N files of one size come from a
/// <see cref="SourceProfile"/> through a <see cref="FeederModel"/> with a <see cref="ReadAhead"/> window and are
/// written as ALB tar aggregations to a synthetic cartridge in a <see cref="VirtualTapeDrive"/>, on one
/// <see cref="VirtualClock"/>. Whenever the writer needs bytes that have not arrived yet, simulated time moves to
/// their arrival; the drive then starts its next block late, and its own timing model decides what that costs —
/// idle time, and a back-hitch when the gap is longer than its buffer covers (<see cref="MediaProfile.DriveBuffer"/>
/// at the native rate). Nothing here re-models the drive. Nothing sleeps.
/// </summary>
public static class FeederSimulation
{
    /// <summary>Runs one feeder against one drive.</summary>
    /// <param name="source">Where the files come from.</param>
    /// <param name="readAhead">How far the feeder reads ahead.</param>
    /// <param name="files">The number of files.</param>
    /// <param name="fileSize">The size of each, in bytes (at least 1).</param>
    /// <param name="profile">The media profile (LTO-9 in the issue).</param>
    /// <param name="workDirectory">Where the synthetic cartridge is created; deleted afterwards.</param>
    /// <param name="filesPerAggregation">Members per ALB file.</param>
    /// <param name="blockSize">The data block size S.</param>
    /// <returns>The drive's figures over the write phase.</returns>
    public static FeederResult Run(SourceProfile source, ReadAhead readAhead, int files, int fileSize, MediaProfile profile, string workDirectory, int filesPerAggregation = 10_000, int blockSize = 262144)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(readAhead);
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentOutOfRangeException.ThrowIfLessThan(files, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fileSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(filesPerAggregation, 1);
        string cartridge = Path.Combine(workDirectory, $"feeder-{Guid.NewGuid():N}");
        VirtualCartridge.Create(cartridge, "FEED01", profile, new VirtualCartridgeOptions { SyntheticSeed = 1 });
        try
        {
            var clock = new VirtualClock();
            using var drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions, clock, profile);
            drive.InsertCartridge(cartridge);
            using ITapeDrive handle = drive.OpenHandle();
            var writer = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "SIM", HostName = "simulator" });
            AulVolume volume = AulVolume.Prelabel(handle, writer, "FEED01");

            using AulAppendSession session = volume.Append(0, writer, WriteEfficiencySimulation.AlbFlush);
            // The write phase starts at the append point (mount and positioning excluded), and so does the feeder.
            long start = clock.Nanoseconds;
            DriveStatistics before = drive.Statistics;
            var feeder = new FeederModel(source, readAhead, start);
            var gaps = new GapCounter(drive, before.IdleNanoseconds);
            for (int first = 0; first < files; first += filesPerAggregation)
            {
                int count = Math.Min(filesPerAggregation, files - first);
                IEnumerable<MemberSource> members = Enumerable.Range(first, count).Select(i =>
                    MemberSource.FromStream(new FeederStream(feeder, clock, gaps, i, fileSize), $"feed/file{i:D7}", fileSize) with { FileId = (ulong)i + 1 });
                session.WriteAggregation((ulong)first + 1, members, AggregationFormat.Tar, blockSize, clock);
            }

            // The figures end with the last aggregation on tape; the session's final flush (a synchronising mark) is not the feeder's.
            gaps.Observe();
            DriveStatistics after = drive.Statistics;
            long backHitches = after.BackHitches - before.BackHitches;
            long streaming = after.StreamingNanoseconds - before.StreamingNanoseconds; // the drive counts its back-hitches in it
            return new FeederResult(
                source,
                readAhead,
                files,
                fileSize,
                clock.Nanoseconds - start,
                streaming - (backHitches * profile.BackHitchTime),
                backHitches * profile.BackHitchTime,
                after.IdleNanoseconds - before.IdleNanoseconds,
                after.BusyNanoseconds - before.BusyNanoseconds - streaming,
                gaps.Count,
                gaps.Longest,
                backHitches,
                after.BlocksWritten - before.BlocksWritten,
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

    /// <summary>
    /// Counts the drive's waits for data: the simulated clock moves only when the writer waits for the feeder, so
    /// between two reads at most one drive operation starts late, and each rise of the drive's idle time seen at a
    /// read is one gap.
    /// </summary>
    private sealed class GapCounter(VirtualTapeDrive drive, long idle)
    {
        public long Count { get; private set; }

        public long Longest { get; private set; }

        public void Observe()
        {
            long now = drive.Statistics.IdleNanoseconds;
            if (now > idle)
            {
                Count++;
                Longest = Math.Max(Longest, now - idle);
                idle = now;
            }
        }
    }

    /// <summary>One file's bytes (zeros) as the writer reads them: each read waits, in simulated time, for its bytes to arrive.</summary>
    private sealed class FeederStream(FeederModel feeder, VirtualClock clock, GapCounter gaps, int index, long size) : Stream
    {
        private FileArrival? _arrival;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            gaps.Observe();
            int n = (int)Math.Min(buffer.Length, size - _position);
            if (n <= 0)
            {
                return 0;
            }

            _arrival ??= feeder.Open(index, size, clock.Nanoseconds);
            clock.AdvanceTo(feeder.AvailableAt(_arrival.Value, _position + n));
            buffer[..n].Clear();
            _position += n;
            if (_position == size)
            {
                feeder.Taken(index, clock.Nanoseconds);
            }

            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>What the drive did while one feeder fed it (simulated nanoseconds over the write phase).</summary>
/// <param name="Source">The source.</param>
/// <param name="ReadAhead">The feeder's read-ahead window.</param>
/// <param name="Files">Files written.</param>
/// <param name="FileSize">Bytes per file.</param>
/// <param name="ElapsedNanoseconds">From the append point to the last aggregation on tape (final flush excluded).</param>
/// <param name="StreamingNanoseconds">The drive transferring data at its native rate.</param>
/// <param name="BackHitchNanoseconds">The drive stopping, backing up and starting again after gaps (<see cref="BackHitches"/> × the profile's back-hitch time).</param>
/// <param name="IdleNanoseconds">The drive waiting for the host: here, for the feeder.</param>
/// <param name="OtherBusyNanoseconds">The drive busy otherwise: filemarks of the tape files.</param>
/// <param name="Gaps">How many times the drive ran out of data and waited.</param>
/// <param name="LongestGapNanoseconds">The longest such wait.</param>
/// <param name="BackHitches">Stops charged by the drive's timing model: gaps longer than its buffer covers.</param>
/// <param name="Blocks">Blocks written (labels included).</param>
/// <param name="NativeRate">The media profile's native rate, bytes per second.</param>
public sealed record FeederResult(
    SourceProfile Source,
    ReadAhead ReadAhead,
    long Files,
    long FileSize,
    long ElapsedNanoseconds,
    long StreamingNanoseconds,
    long BackHitchNanoseconds,
    long IdleNanoseconds,
    long OtherBusyNanoseconds,
    long Gaps,
    long LongestGapNanoseconds,
    long BackHitches,
    long Blocks,
    long NativeRate)
{
    /// <summary>Payload bytes.</summary>
    public long PayloadBytes => Files * FileSize;

    /// <summary>Share of the elapsed time the drive was streaming data (back-hitches not included).</summary>
    public double StreamingFraction => ElapsedNanoseconds <= 0 ? 0 : (double)StreamingNanoseconds / ElapsedNanoseconds;

    /// <summary>Share of the elapsed time the drive waited for the feeder.</summary>
    public double IdleFraction => ElapsedNanoseconds <= 0 ? 0 : (double)IdleNanoseconds / ElapsedNanoseconds;

    /// <summary>Payload throughput in MB/s (10⁶ bytes).</summary>
    public double MegabytesPerSecond => ElapsedNanoseconds <= 0 ? 0 : PayloadBytes * 1e3 / ElapsedNanoseconds;
}
