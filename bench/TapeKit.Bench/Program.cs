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
