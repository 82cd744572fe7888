using System.Globalization;
using TapeKit.Bench.HsmScale;

namespace TapeKit.Bench.HsmThroughput;

/// <summary>
/// <c>hsm-throughput [--messages N] [--files N] [--list N] [--batch N] [--workers 1,2,4] [--runs 3] [--providers sqlite,postgres,rabbitmq]
/// [--parts queue,lifecycle] [--postgres CS] [--rabbitmq URI] [--json]</c>: queue messages per second
/// (<see cref="QueueThroughput"/>) and file lifecycles per second (<see cref="LifecycleThroughput"/>) with 1, 2 and 4
/// workers on SQLite, the PostgreSQL queue and RabbitMQ, in one run; each figure the median of <c>--runs</c> runs on a
/// fresh store. A provider whose server is not configured is skipped with a line saying so. Progress goes to stderr.
/// </summary>
internal static class HsmThroughputCommand
{
    private const string Usage = "hsm-throughput [--messages N] [--files N] [--list N] [--batch N] [--workers 1,2,4] [--runs 3] [--providers sqlite,postgres,rabbitmq] [--parts queue,lifecycle] [--postgres CS] [--rabbitmq URI] [--json]";

    private static readonly string[] Parts = ["queue", "lifecycle"];

    public static async Task<int> RunAsync(string[] args)
    {
        var s = new ThroughputSettings();
        for (int i = 0; i < args.Length; i++)
        {
            string? value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--messages" when value is not null: s.Messages = Int(args[++i]); break;
                case "--files" when value is not null: s.Files = Int(args[++i]); break;
                case "--list" when value is not null: s.FilesPerList = Int(args[++i]); break;
                case "--batch" when value is not null: s.Batch = Int(args[++i]); break;
                case "--runs" when value is not null: s.Runs = Int(args[++i]); break;
                case "--workers" when value is not null: s.Workers = [.. args[++i].Split(',').Select(Int)]; break;
                case "--providers" when value is not null: s.Providers = args[++i].Split(',').ToHashSet(StringComparer.Ordinal); break;
                case "--parts" when value is not null: s.Parts = args[++i].Split(',').ToHashSet(StringComparer.Ordinal); break;
                case "--postgres" when value is not null: s.Postgres = args[++i]; break;
                case "--rabbitmq" when value is not null: s.RabbitMq = args[++i]; break;
                case "--json": s.Json = true; break;
                default:
                    Console.Error.WriteLine($"hsm-throughput: unknown argument '{args[i]}'. Usage: {Usage}");
                    return 2;
            }
        }

        if (s.Files % s.FilesPerList != 0)
        {
            Console.Error.WriteLine($"hsm-throughput: --files {s.Files} is not a multiple of --list {s.FilesPerList}.");
            return 2;
        }

        var results = new List<ThroughputResult>();
        string[] order = [ThroughputWorlds.Sqlite, ThroughputWorlds.Postgres, ThroughputWorlds.RabbitMq];
        foreach (string part in Parts.Where(s.Parts.Contains))
        {
            foreach (string provider in order.Where(s.Providers.Contains))
            {
                if (ThroughputWorlds.Unavailable(provider, s, needsCatalog: part == "lifecycle") is { } why)
                {
                    Console.Error.WriteLine($"hsm-throughput: {part} on {provider} skipped: {why}");
                    continue;
                }

                foreach (int workers in s.Workers)
                {
                    var runs = new List<double>();
                    for (int run = 0; run < s.Runs; run++)
                    {
                        double rate = part == "queue" ? await RunQueueAsync(provider, s, workers) : await RunLifecycleAsync(provider, s, workers);
                        runs.Add(rate);
                        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {part} {provider} {workers} worker(s), run {run + 1}: {rate:N0}/s (load {LoadAverage()})"));
                    }

                    results.Add(new ThroughputResult(part, provider, workers, runs, Timing.Median(runs)));
                }
            }
        }

        Console.WriteLine(s.Json ? ThroughputReport.ToJson(results) : ThroughputReport.ToTable(results, s.Workers));
        return 0;
    }

    private static async Task<double> RunQueueAsync(string provider, ThroughputSettings s, int workers)
    {
        await using ThroughputWorld world = await ThroughputWorlds.OpenAsync(provider, s, workers, QueueThroughput.Topology, needsCatalog: false);
        return await QueueThroughput.RunAsync(world, s.Messages, s.Batch);
    }

    private static async Task<double> RunLifecycleAsync(string provider, ThroughputSettings s, int workers)
    {
        await using ThroughputWorld world = await ThroughputWorlds.OpenAsync(provider, s, workers, LifecycleThroughput.Topology(workers), needsCatalog: true);
        return await new LifecycleThroughput(world, s).RunAsync();
    }

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "?";

    private static int Int(string text) => int.Parse(text, NumberStyles.Integer, CultureInfo.InvariantCulture);
}
