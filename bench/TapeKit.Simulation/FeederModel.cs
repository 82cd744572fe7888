namespace TapeKit.Simulation;

/// <summary>
/// Where the files of an aggregation come from, as a feeder sees it: a fixed latency per file (open, stat, the
/// first byte) and a bandwidth shared by every read. Integer nanoseconds and bytes per second, as
/// <see cref="TapeKit.Devices.Virtual.MediaProfile"/>, so simulated times are identical on every platform.
/// </summary>
/// <param name="Name">A label for reports.</param>
/// <param name="LatencyNanoseconds">From asking for a file to its first byte, nanoseconds.</param>
/// <param name="BytesPerSecond">The source's bandwidth, shared by all files in flight.</param>
public sealed record SourceProfile(string Name, long LatencyNanoseconds, long BytesPerSecond)
{
    /// <summary>A local NVMe SSD: 0.1 ms per file (open, stat, first read), 2 GB/s.</summary>
    public static SourceProfile LocalSsd { get; } = new("local SSD", 100_000, 2_000_000_000);

    /// <summary>A network file system (the issue's case): 2 ms per file, 1 GB/s.</summary>
    public static SourceProfile NetworkFileSystem { get; } = new("network FS", 2_000_000, 1_000_000_000);

    /// <summary>A slow network file system: 5 ms per file, 300 MB/s (less than an LTO-9 takes).</summary>
    public static SourceProfile SlowNetworkFileSystem { get; } = new("slow network FS", 5_000_000, 300_000_000);

    /// <summary>A source that takes 3 s to a file's first byte (a cold object store, a tape-backed file system), then 1 GB/s: longer than an LTO-9's buffer covers.</summary>
    public static SourceProfile SlowFirstByte { get; } = new("3 s to first byte", 3_000_000_000, 1_000_000_000);

    /// <summary>Nanoseconds to move <paramref name="bytes"/> at the source's bandwidth, rounded up.</summary>
    /// <param name="bytes">A byte count.</param>
    /// <returns>The duration.</returns>
    public long Transfer(long bytes) => (long)((((UInt128)(ulong)bytes * 1_000_000_000UL) + (ulong)BytesPerSecond - 1) / (ulong)BytesPerSecond);
}

/// <summary>
/// How far a feeder reads ahead of the writer that packs the files into tape blocks: at most <see cref="Files"/>
/// files and <see cref="Bytes"/> bytes requested from the source and not yet taken by the writer (the file the
/// writer is taking included; one file larger than <see cref="Bytes"/> is still read, alone).
/// <see cref="Files"/> = 0 is the serial feeder: no read-ahead, a file is asked for when the writer needs it.
/// </summary>
/// <param name="Files">Files in the window; 0 for none (serial).</param>
/// <param name="Bytes">Bytes in the window.</param>
public sealed record ReadAhead(int Files, long Bytes)
{
    /// <summary>No read-ahead: each file is opened when the writer comes to it.</summary>
    public static ReadAhead Serial { get; } = new(0, 0);

    /// <summary>Whether this is the serial feeder.</summary>
    public bool IsSerial => Files == 0;

    /// <inheritdoc/>
    public override string ToString() => IsSerial ? "none (serial)" : $"{Files} {(Files == 1 ? "file" : "files")} / {FormatBytes(Bytes)}";

    private static string FormatBytes(long bytes) => bytes switch
    {
        long.MaxValue => "unbounded",
        >= 1L << 30 when bytes % (1L << 30) == 0 => $"{bytes >> 30} GiB",
        >= 1L << 20 when bytes % (1L << 20) == 0 => $"{bytes >> 20} MiB",
        >= 1L << 10 when bytes % (1L << 10) == 0 => $"{bytes >> 10} KiB",
        _ => $"{bytes} B",
    };
}

/// <summary>When one file's bytes arrive.</summary>
/// <param name="Requested">When the feeder asked the source for it.</param>
/// <param name="FirstByte">When its transfer began (latency over, the source's link free).</param>
/// <param name="Complete">When its last byte arrived.</param>
public readonly record struct FileArrival(long Requested, long FirstByte, long Complete);

/// <summary>
/// The feeder of an aggregation write in simulated time, as arithmetic (no clock of its own). Files are asked
/// for in order. A file asked for at <c>r</c> starts to arrive at <c>max(r + latency, end of the previous
/// file's transfer)</c> — latencies of files in flight overlap, the bandwidth is shared — and its bytes then
/// arrive at the source's bandwidth. With read-ahead, file j is asked for as soon as the window
/// (<see cref="ReadAhead"/>) has room for it: when the files before it that would overflow the window have been
/// taken by the writer (<see cref="Taken"/>). Serially, it is asked for when the writer first reads it.
/// </summary>
public sealed class FeederModel
{
    private readonly List<long> _sizes = [];
    private readonly List<long> _taken = [];
    private readonly List<FileArrival> _arrivals = [];
    private long _lastRequest;
    private long _linkFree;
    private long _windowBytes;
    private int _windowFirst;

    /// <summary>Creates the feeder of one run.</summary>
    /// <param name="source">The source.</param>
    /// <param name="readAhead">The read-ahead window.</param>
    /// <param name="start">When the feeder starts (simulated nanoseconds): no file is asked for earlier.</param>
    public FeederModel(SourceProfile source, ReadAhead readAhead, long start)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(readAhead);
        ArgumentOutOfRangeException.ThrowIfNegative(source.LatencyNanoseconds);
        ArgumentOutOfRangeException.ThrowIfLessThan(source.BytesPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(readAhead.Files);
        if (!readAhead.IsSerial)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(readAhead.Bytes, 1);
        }

        Source = source;
        Window = readAhead;
        _lastRequest = start;
        _linkFree = start;
    }

    /// <summary>The source.</summary>
    public SourceProfile Source { get; }

    /// <summary>The read-ahead window.</summary>
    public ReadAhead Window { get; }

    /// <summary>Files asked for so far.</summary>
    public int Requested => _arrivals.Count;

    /// <summary>
    /// The writer comes to file <paramref name="index"/> (the next one, in order) at <paramref name="now"/>, every
    /// earlier file taken: when does it arrive?
    /// </summary>
    /// <param name="index">The file's index: <see cref="Requested"/>.</param>
    /// <param name="size">Its size in bytes.</param>
    /// <param name="now">The writer's time.</param>
    /// <returns>Its arrival.</returns>
    public FileArrival Open(int index, long size, long now)
    {
        if (index != _arrivals.Count || _taken.Count != index)
        {
            throw new InvalidOperationException($"File {index} opened out of order ({_arrivals.Count} asked for, {_taken.Count} taken).");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(size);
        long request = Math.Max(_lastRequest, Window.IsSerial ? now : Admission(index, size));
        long first = Math.Max(request + Source.LatencyNanoseconds, _linkFree);
        var arrival = new FileArrival(request, first, first + Source.Transfer(size));
        _sizes.Add(size);
        _arrivals.Add(arrival);
        _lastRequest = request;
        _linkFree = arrival.Complete;
        return arrival;
    }

    /// <summary>When the first <paramref name="bytes"/> of a file are there.</summary>
    /// <param name="arrival">The file's arrival.</param>
    /// <param name="bytes">A prefix length.</param>
    /// <returns>The time.</returns>
    public long AvailableAt(FileArrival arrival, long bytes) => arrival.FirstByte + Source.Transfer(bytes);

    /// <summary>The writer has taken all of file <paramref name="index"/> at <paramref name="time"/>: its place in the window is free.</summary>
    /// <param name="index">The file (the oldest not taken).</param>
    /// <param name="time">When.</param>
    public void Taken(int index, long time)
    {
        if (index != _taken.Count || index >= _arrivals.Count)
        {
            throw new InvalidOperationException($"File {index} taken out of order.");
        }

        _taken.Add(time);
    }

    /// <summary>When file <paramref name="index"/> fits in the window: the files before it that would overflow it taken.</summary>
    private long Admission(int index, long size)
    {
        // The window holds files _windowFirst … index: drop the oldest until both bounds hold (a file alone always fits).
        _windowBytes += size;
        while (_windowFirst < index && (index - _windowFirst + 1 > Window.Files || _windowBytes > Window.Bytes))
        {
            _windowBytes -= _sizes[_windowFirst];
            _windowFirst++;
        }

        // Every file before the window must have been taken; they are, in order, so the last of them says when.
        return _windowFirst == 0 ? 0 : _taken[_windowFirst - 1];
    }
}
