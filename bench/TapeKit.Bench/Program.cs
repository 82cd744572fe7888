using System.Globalization;
using BenchmarkDotNet.Running;
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

    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
