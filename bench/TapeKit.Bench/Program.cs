using System.Globalization;
using BenchmarkDotNet.Running;
using TapeKit.Bench.HsmScale;
using TapeKit.Bench.HsmThroughput;
using TapeKit.Devices.Virtual;
using TapeKit.Simulation;

// `simulate [FILES [SIZE]]` runs the tape-time write simulation (issue #4); anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "simulate")
{
    int files = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
    int size = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 1024 * 1024;
    string work = Path.Combine(Path.GetTempPath(), "tapekit-simulation");
    Directory.CreateDirectory(work);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{files} files of {size} bytes on {MediaProfile.Lto9.Name} ({MediaProfile.Lto9.NativeRate / 1e6:F0} MB/s native), simulated drive time"));
    Console.WriteLine("| strategy | tape files | data blocks | syncs | drive time | MB/s | efficiency | wall time |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|---:|");
    foreach (WriteStrategy strategy in Enum.GetValues<WriteStrategy>())
    {
        var wall = System.Diagnostics.Stopwatch.StartNew();
        SimulationResult r = WriteEfficiencySimulation.Run(strategy, files, size, MediaProfile.Lto9, work);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {strategy} | {r.TapeFiles} | {r.DataBlocks} | {r.SyncPoints} | {TimeSpan.FromSeconds(r.DriveSeconds):d\\.hh\\:mm\\:ss} ({r.DriveSeconds:F0} s) | {r.MegabytesPerSecond:F1} | {r.Efficiency:P1} | {wall.Elapsed.TotalSeconds:F1} s |"));
    }

    return 0;
}

// `recall [REQUESTS]` runs the recall-planning simulation (issue #5): FIFO versus TapeKit's planner.
if (args.Length > 0 && args[0] == "recall")
{
    int requests = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 2000;
    string work = Path.Combine(Path.GetTempPath(), "tapekit-simulation");
    Directory.CreateDirectory(work);
    var wall = System.Diagnostics.Stopwatch.StartNew();
    (RecallResult fifo, RecallResult planned) = RecallSimulation.Run(work, requests: requests);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{requests} random requests for 1 MiB members over 20 LTO-9 cartridges (10 ALB files of 256 members each), one drive"));
    Console.WriteLine("| strategy | mounts | files per mount | locates | bytes read | simulated time |");
    Console.WriteLine("|---|---:|---:|---:|---:|---:|");
    foreach (RecallResult r in new[] { fifo, planned })
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {r.Strategy} | {r.Mounts} | {r.FilesPerMount:F1} | {r.Locates} | {r.BytesRead / 1e9:F1} GB | {TimeSpan.FromSeconds(r.SimulatedSeconds):d\\.hh\\:mm\\:ss} ({r.SimulatedSeconds:F0} s) |"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"planner / FIFO time: {planned.SimulatedSeconds / fifo.SimulatedSeconds:P1}; wall time {wall.Elapsed.TotalSeconds:F1} s"));
    return 0;
}

// `feeder [FILES SIZE]` runs the feeder simulation (issue 14): sources of given per-file latency and bandwidth, read ahead
// or not, feeding ALB tar aggregations to a virtual LTO-9; the drive's streaming share, idle time, gaps and stops.
if (args.Length > 0 && args[0] == "feeder")
{
    (int Files, int Size)[] cases = args.Length > 2
        ? [(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture))]
        : [(10_000, 1024 * 1024), (250_000, 4096)];
    string work = Path.Combine(Path.GetTempPath(), "tapekit-simulation");
    Directory.CreateDirectory(work);
    const long Window = 256L * 1024 * 1024;
    (SourceProfile Source, ReadAhead ReadAhead)[] rows =
    [
        (SourceProfile.NetworkFileSystem, ReadAhead.Serial),
        (SourceProfile.NetworkFileSystem, new ReadAhead(1, Window)),
        (SourceProfile.NetworkFileSystem, new ReadAhead(4, Window)),
        (SourceProfile.NetworkFileSystem, new ReadAhead(16, Window)),
        (SourceProfile.NetworkFileSystem, new ReadAhead(64, Window)),
        (SourceProfile.NetworkFileSystem, new ReadAhead(256, Window)),
        (SourceProfile.NetworkFileSystem, new ReadAhead(1024, Window)),
        (SourceProfile.LocalSsd, ReadAhead.Serial),
        (SourceProfile.LocalSsd, new ReadAhead(16, Window)),
        (SourceProfile.LocalSsd, new ReadAhead(256, Window)),
        (SourceProfile.SlowNetworkFileSystem, ReadAhead.Serial),
        (SourceProfile.SlowNetworkFileSystem, new ReadAhead(256, Window)),
        (SourceProfile.SlowFirstByte, ReadAhead.Serial),
        (SourceProfile.SlowFirstByte, new ReadAhead(1024, 1024L * 1024 * 1024)),
    ];
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Feeder → {MediaProfile.Lto9.Name} ({MediaProfile.Lto9.NativeRate / 1e6:F0} MB/s native, buffer {MediaProfile.Lto9.DriveBuffer >> 20} MiB covers gaps up to {MediaProfile.Lto9.DriveBuffer * 1e3 / MediaProfile.Lto9.NativeRate:F0} ms, back-hitch {MediaProfile.Lto9.BackHitchTime / 1e9:F0} s); ALB tar, 256 KiB blocks, 10 000 files per aggregation; simulated time"));
    Console.WriteLine("| source | files | read-ahead | drive time | streaming | idle | gaps | longest gap | stops (back-hitches) | MB/s | wall |");
    Console.WriteLine("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    foreach ((int files, int size) in cases)
    {
        foreach ((SourceProfile source, ReadAhead readAhead) in rows)
        {
            var wall = System.Diagnostics.Stopwatch.StartNew();
            FeederResult r = FeederSimulation.Run(source, readAhead, files, size, MediaProfile.Lto9, work);
            string sizeText = size % (1024 * 1024) == 0 ? $"{size >> 20} MiB" : size % 1024 == 0 ? $"{size >> 10} KiB" : $"{size} B";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {source.Name} ({source.LatencyNanoseconds / 1e6:0.###} ms, {source.BytesPerSecond / 1e9:0.###} GB/s) | {files:N0} × {sizeText} | {readAhead} | {r.ElapsedNanoseconds / 1e9:F2} s | {r.StreamingFraction:P1} | {r.IdleNanoseconds / 1e9:F2} s ({r.IdleFraction:P1}) | {r.Gaps:N0} | {r.LongestGapNanoseconds / 1e6:F3} ms | {r.BackHitches:N0}{(r.BackHitches > 0 ? $" ({r.BackHitchNanoseconds / 1e9:F0} s)" : "")} | {r.MegabytesPerSecond:F0} | {wall.Elapsed.TotalSeconds:F1} s |"));
        }
    }

    return 0;
}

// `hsm-scale [--files N] [--json]` times the HSM's operations on bulk-loaded catalogues of 10^5… files (issue "HSM at site scale").
if (args.Length > 0 && args[0] == "hsm-scale")
{
    return await HsmScaleCommand.RunAsync(args[1..]);
}

// `hsm-throughput [--json] …` measures queue messages/s and file lifecycles/s with 1, 2 and 4 workers on SQLite, PostgreSQL and RabbitMQ.
if (args.Length > 0 && args[0] == "hsm-throughput")
{
    return await HsmThroughputCommand.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
