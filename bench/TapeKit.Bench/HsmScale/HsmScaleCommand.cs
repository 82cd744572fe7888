using System.Globalization;
using TapeKit.Hsm.Policies;

namespace TapeKit.Bench.HsmScale;

/// <summary>
/// <c>hsm-scale [--files N] [--from N] [--json] [--dir PATH] [--keep] [--reuse]</c>: the HSM at site scale (issue "HSM at site scale
/// and through crashes"). For each size — the powers of ten from 10^5 up to N (N below 10^5: just N; <c>--from</c> skips the
/// smaller ones) — bulk-loads an aged catalogue on the embedded default (<c>SqliteHsmStore</c>) in <c>--dir</c> (deleted
/// after each size unless <c>--keep</c>; <c>--reuse</c> keeps it and opens a kept one instead of loading, to look into one
/// figure — its earlier run's fresh files and live lists are still in it) and times the operations over their public APIs.
/// Progress goes to stderr, so that <c>--json</c> leaves one JSON array on stdout.
/// </summary>
internal static class HsmScaleCommand
{
    private const int LifecycleFiles = 3 * BenchPolicies.FilesPerList;
    private const int LiveLists = 1000;

    public static async Task<int> RunAsync(string[] args)
    {
        long largest = 1_000_000;
        long smallest = 0;
        bool json = false;
        bool keep = false;
        bool reuse = false;
        string dir = Path.Combine(Path.GetTempPath(), "tapekit-hsm-scale");
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--files" when i + 1 < args.Length:
                    largest = long.Parse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture);
                    break;
                case "--from" when i + 1 < args.Length:
                    smallest = long.Parse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture);
                    break;
                case "--dir" when i + 1 < args.Length:
                    dir = args[++i];
                    break;
                case "--json":
                    json = true;
                    break;
                case "--keep":
                    keep = true;
                    break;
                case "--reuse":
                    keep = reuse = true;
                    break;
                default:
                    Console.Error.WriteLine($"hsm-scale: unknown argument '{args[i]}'. Usage: hsm-scale [--files N] [--from N] [--json] [--dir PATH] [--keep] [--reuse]");
                    return 2;
            }
        }

        Directory.CreateDirectory(dir);
        var results = new List<ScaleResult>();
        foreach (long files in Sizes(largest).Where(n => n >= smallest))
        {
            results.Add(await RunSizeAsync(files, dir, keep, reuse));
        }

        Console.WriteLine(json ? ScaleReport.ToJson(results) : ScaleReport.ToTable(results));
        return 0;
    }

    /// <summary>The powers of ten from 10^5 up to <paramref name="largest"/>; below 10^5, just it.</summary>
    public static IEnumerable<long> Sizes(long largest)
    {
        if (largest < 100_000)
        {
            yield return Math.Max(largest, 1);
            yield break;
        }

        for (long n = 100_000; n <= largest; n *= 10)
        {
            yield return n;
        }
    }

    private static async Task<ScaleResult> RunSizeAsync(long files, string dir, bool keep, bool reuse)
    {
        string path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"hsm-scale-{files}.db"));
        var shape = new AgedCatalogShape(files);
        var selector = new PolicySelector(BenchPolicies.Create());
        TimeSpan load = TimeSpan.Zero;
        if (reuse && File.Exists(path))
        {
            // A catalogue kept by an earlier run (for looking into one figure): its fresh files and live lists are still there.
            Progress(files, $"reusing {path}");
        }
        else
        {
            DeleteStore(path);
            Progress(files, $"bulk-loading {files:N0} files ({shape.ArchiveLists:N0} DONE lists on {shape.Tapes:N0} tapes, ~{shape.TargetRecalls:N0} pending recalls)");
            load = await BulkLoader.LoadAsync(path, shape, selector, TimeProvider.System);
        }

        long dbBytes = new FileInfo(path).Length;
        Progress(files, $"loaded in {load.TotalSeconds:F0} s, {dbBytes / (1024 * 1024):N0} MiB");

        ProcessStats.ResetPeakMemory(); // The loader's memory is not the HSM's.
        string cacheRoot = Path.Combine(dir, "cache");
        Directory.CreateDirectory(cacheRoot);
        ScaleResult result;
        await using (BenchSite site = await BenchSite.OpenAsync(path, selector, cacheRoot))
        {
            // The recall round, the purge survey and the live check read only their live rows, so they run three times
            // (the median) at every size, like the rest; one run would time a cold first call.
            var ops = new SiteOperations(site, 3);
            var rounds = new SiteOperations(site, files >= 10_000_000 ? 3 : 5);
            double tickIdle = await rounds.DispatcherRoundMsAsync();
            Progress(files, $"dispatcher round, idle: {tickIdle:F1} ms");
            long pending = await CountPendingRecallsAsync(site);
            double recallPlan = await ops.RecallPlanningMsAsync();
            Progress(files, $"recall planning round ({pending:N0} pending): {recallPlan:F0} ms");
            // Both read what their live work needs (the survey nothing below the high watermark; the check the files whose
            // states still move, a page at a time), so neither is skipped at any size.
            double? purgeSurvey = await ops.PurgeSurveyMsAsync();
            Progress(files, $"purge survey: {purgeSurvey:F0} ms");
            (double? check, IReadOnlyList<string> violations) = await ops.CheckAsync();
            Progress(files, $"hsm check: {check:F0} ms, {violations.Count} violations{(violations.Count > 0 ? ", first: " + violations[0] : "")}");

            var lifecycle = new FreshFilesLifecycle(site, LifecycleFiles);
            await lifecycle.RunAsync();
            Progress(files, $"{LifecycleFiles} fresh files: ingest {lifecycle.IngestFilesPerSecond:F0} files/s, append {lifecycle.AppendMs:F2} ms, claim {lifecycle.ClaimMs:F0} ms, commit {lifecycle.CommitMs:F0} ms, {lifecycle.BytesWrittenPerFile:F0} bytes written per file; {lifecycle.BytesWrittenPerLoneAppend:F0} per append handled alone ({string.Join(", ", lifecycle.BytesWrittenPerFileByStep.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Step} {s.BytesPerFile:F0}")))})");
            await rounds.AddLiveListsAsync(LiveLists);
            double tickLive = await rounds.DispatcherRoundMsAsync();
            Progress(files, $"dispatcher round, {LiveLists} live lists: {tickLive:F1} ms");
            result = new ScaleResult
            {
                Files = files,
                TickIdleMs = tickIdle,
                TickLiveMs = tickLive,
                ClaimMs = lifecycle.ClaimMs,
                AppendMs = lifecycle.AppendMs,
                CommitMs = lifecycle.CommitMs,
                RecallPlanMs = recallPlan,
                PurgeSurveyMs = purgeSurvey,
                CheckMs = check,
                IngestFilesPerSecond = lifecycle.IngestFilesPerSecond,
                BytesWrittenPerFile = lifecycle.BytesWrittenPerFile,
                PeakMemoryBytes = ProcessStats.PeakMemoryBytes(),
                PendingRecalls = pending,
                LoadTime = load,
                DatabaseBytes = dbBytes,
                Violations = violations?.Count,
            };
        }

        if (!keep)
        {
            DeleteStore(path);
        }

        return result;
    }

    private static async Task<long> CountPendingRecallsAsync(BenchSite site)
    {
        await using TapeKit.Hsm.Catalog.ICatalogTransaction txn = await site.Catalog.BeginAsync();
        return (await txn.QueryFilesAsync(new TapeKit.Hsm.Catalog.FileQuery { CacheStatus = TapeKit.Hsm.Model.CacheStatus.StagingRequested })).Count;
    }

    private static void DeleteStore(string path)
    {
        foreach (string suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(path + suffix);
        }
    }

    private static void Progress(long files, string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{DateTime.UtcNow:HH:mm:ss}] {files:N0}: {message}"));
}
