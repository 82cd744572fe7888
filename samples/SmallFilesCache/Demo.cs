using System.Diagnostics;
using Microsoft.Extensions.Logging;
using SmallFilesCache.Cluster;
using Spectre.Console;
using TapeKit.Devices;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Migration;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Recall;
using TapeKit.Hsm.Staging;
using TapeKit.Labels;
using TapeKit.Layout;

namespace SmallFilesCache;

/// <summary>
/// TapeKit's main job: ingest a generated set of small files into a two-disk-library SFA site, aggregate and write
/// them to tape, purge the cache, recall a random subset with the recall planner, and verify every recalled byte.
/// </summary>
public static class Demo
{
    /// <summary>Files per ingest batch (one durable commit each); the dispatcher is pumped after each batch.</summary>
    private const int IngestBatch = 200;

    /// <summary>Runs the demo and returns the figures.</summary>
    /// <param name="args">The demo's arguments.</param>
    /// <param name="loggers">Loggers.</param>
    /// <param name="progress">Shows progress bars (a terminal, no --json).</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<DemoReport> RunAsync(DemoArguments args, ILoggerFactory loggers, bool progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(args);
        var wall = Stopwatch.StartNew();
        var phases = new PhaseTimes();
        string root = args.Root ?? Path.Combine(Path.GetTempPath(), "tapekit-sfa-demo-" + Guid.NewGuid().ToString("N"));
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new ArgumentException($"The demo needs an empty root directory; '{root}' is not empty.");
        }

        Task<double>? aulComparison = null;
        try
        {
            SiteOptions options = DemoSite(root);
            options.ScheduleDrives = args.ScheduleDrives;
            await using ClusterRun? cluster = args.Cluster ? ClusterRun.Prepare(options, args.Postgres!, args.RabbitMq, args.Chaos) : null;
            await using CacheSite site = await CacheSite.OpenAsync(options, cluster is null ? SiteRole.All : SiteRole.FrontEnd, TimeProvider.System, loggers, ct);
            cluster?.StartDispatcher();
            long setupMounts = await MountsAsync(site, ct);
            phases.Record("setup", wall.Elapsed);
            var sizes = new long[args.Files];
            var random = new Random(args.Seed);
            for (int i = 0; i < sizes.Length; i++)
            {
                // Log-uniform between 4 KiB and 4 MiB.
                sizes[i] = (long)Math.Exp(Math.Log(4096) + (random.NextDouble() * (Math.Log(4 << 20) - Math.Log(4096))));
            }

            var ids = new long[args.Files];
            await Phase(progress, phases, "ingest", "Ingest into the write caches", args.Files, async tick =>
            {
                // Batches of files share one durable commit (the disk mover's group commit); the dispatcher fills lists as
                // their CacheWritten events arrive (in its own process in a cluster), while the next batch is written.
                Task listing = Task.CompletedTask;
                for (int first = 0; first < args.Files; first += IngestBatch)
                {
                    DiskMoverFile[] batch = [.. Enumerable.Range(first, Math.Min(IngestBatch, args.Files - first)).Select(i =>
                    {
                        var attributes = new HsmFileAttributes { StorageGroup = i % 2 == 0 ? "expA" : "expB", FileFamily = "raw", Size = sizes[i] };
                        return new DiskMoverFile(attributes, $"/{attributes.StorageGroup}/run{i / 1000:D3}/file{i:D6}.dat",
                            (offset, chunk) => Payload.Fill(args.Seed, i, offset, chunk.Span));
                    })];
                    DiskMoverResult[] results = await DiskMover.WriteManyAsync(site, batch, ct: ct);
                    for (int k = 0; k < results.Length; k++)
                    {
                        ids[first + k] = (results[k].Record ?? throw results[k].Error!).FileId;
                    }

                    await listing;
                    listing = cluster is null ? site.PumpAsync(ct) : site.RelayAsync(notifications: true, ct);
                    tick(batch.Length);
                }

                await listing;

                if (cluster is null)
                {
                    await site.FlushListsAsync(ct);
                }
                else
                {
                    // Every file listed by the dispatcher process, then the operator's flush closes the last lists.
                    await cluster.WaitAsync("listing", site, async txn => await ListedAsync(txn) >= args.Files, TimeSpan.FromMinutes(5), ct);
                    _ = await site.Dispatcher.FlushAsync(ct: ct);
                }
            });

            if (cluster?.Chaos is { } chaos)
            {
                chaos.Armed = true;
            }

            await Phase(progress, phases, "archive", "Aggregate and write to tape", 1, async tick =>
            {
                if (cluster is null)
                {
                    await site.MigrateAsync(ct);
                }
                else
                {
                    await cluster.StartMigratorsAsync(site, ct);
                    await cluster.WaitAsync("archive", site, async txn => await ArchivedAsync(txn) >= args.Files, TimeSpan.FromMinutes(20), ct);
                }

                tick(1);
            });
            if (cluster?.Chaos is { } pause)
            {
                pause.Armed = false; // Purging is the front end's; the processes are killed again during the recalls.
            }

            int archiveMounts = (int)(await MountsAsync(site, ct) - setupMounts);
            (int archived, int aggregations, int tapesUsed) = await ClusterRun.RetryAsync(async () =>
            {
                await using ICatalogTransaction txn = await site.Catalog.BeginAsync(ct);
                return ((int)await ArchivedAsync(txn), (await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive, States = [FileListState.Done] })).Count,
                    (await txn.QueryTapesAsync()).Count(t => t.LastFseq > 0));
            }, ct);

            // The comparison row needs only the sizes and the media: it runs on the processors the purge and the recall leave
            // idle (both wait on the disk), and its phase below is what is left of it once the verify is done.
            MediaProfile profile = MediaProfile.Get(options.Media);
            aulComparison = Task.Run(() => MeasureAulSynchronous(sizes, profile, Path.Combine(root, "aul-comparison")), CancellationToken.None);

            await Phase(progress, phases, "purge", "Purge the caches", 1, async tick =>
            {
                _ = await ClusterRun.RetryAsync(() => site.PurgeAsync(ct), ct);
                await site.DismountIdleAsync(ct); // Time passes: the drives' dismount delay ends before the recalls come.
                tick(1);
            });

            var recalled = Enumerable.Range(0, args.Files).OrderBy(_ => random.Next()).Take(Math.Min(args.Recalls, args.Files)).ToArray();
            long mountsBeforeRecall = await MountsAsync(site, ct);
            int filesRecalled = 0;
            await Phase(progress, phases, "recall", "Recall (planner: per-tape queues, tape order)", 1, async tick =>
            {
                // One recall list, requested whole: the planner sees every request of it before it plans a pass.
                long[] wanted = [.. recalled.Select(i => ids[i])];
                _ = await ClusterRun.RetryAsync(async () => await RecallCatalog.RequestManyAsync(site.Catalog, wanted, ct), ct);

                if (cluster is null)
                {
                    await site.RecallAsync(ct);
                }
                else
                {
                    if (cluster.Chaos is { } chaos)
                    {
                        chaos.Armed = true;
                    }

                    await cluster.WaitAsync("recall", site, async txn => await ServedAsync(txn, recalled.Select(i => ids[i])) == recalled.Length, TimeSpan.FromMinutes(20), ct);
                    if (cluster.Chaos is { } done)
                    {
                        done.Armed = false;
                    }
                }

                filesRecalled = await ClusterRun.RetryAsync(async () =>
                {
                    await using ICatalogTransaction txn = await site.Catalog.BeginAsync(ct);
                    return await ServedAsync(txn, recalled.Select(i => ids[i]));
                }, ct);
                tick(1);
            });
            int recallMounts = (int)(await MountsAsync(site, ct) - mountsBeforeRecall);

            int verified = 0;
            await Phase(progress, phases, "verify", "Verify every recalled byte", recalled.Length, tick =>
            {
                byte[] expected = new byte[1 << 20];
                byte[] actual = new byte[1 << 20];
                foreach (int i in recalled)
                {
                    var attributes = new HsmFileAttributes { StorageGroup = i % 2 == 0 ? "expA" : "expB", FileFamily = "raw", Size = sizes[i] };
                    string path = Path.Combine(site.LibraryFor(attributes).CacheRoot, $"{attributes.StorageGroup}/run{i / 1000:D3}/file{i:D6}.dat");
                    verified += Verify(path, args.Seed, i, sizes[i], expected, actual) ? 1 : 0;
                    tick(1);
                }

                return Task.CompletedTask;
            });

            IReadOnlyList<string>? problems = null;
            List<ArchiveSessionReport> sessions;
            // The front end's own drives: all of them in one process; in a cluster, those it labelled tapes and dismounted with.
            DriveTime drives = Enumerable.Range(0, site.TapeLibrary.Options.Drives)
                .Aggregate(DriveTime.Zero, (sum, d) => sum.Plus(DriveTime.From(site.TapeLibrary.Drive(d).Statistics)));
            if (cluster is null)
            {
                sessions = [.. site.Libraries.Values.SelectMany(l => l.Migrator.Sessions)];
            }
            else
            {
                await cluster.StopAsync(); // Their last reports are written as they stop.
                problems = await ClusterRun.RetryAsync(() => cluster.AuditAsync(site, ct), ct);
                IReadOnlyList<NodeReport> reports = cluster.Reports();
                sessions = [.. reports.SelectMany(r => r.Sessions)];
                drives = reports.Aggregate(drives, (sum, r) => sum.Plus(r.Drive));
            }

            long payload = sessions.Sum(s => s.PayloadBytes);
            double writingSeconds = sessions.Sum(s => s.WritingTime.TotalSeconds);
            long ingestedBytes = sizes.Sum();
            double aulSeconds = 0;
            await Phase(progress, phases, "aulComparison", "The same files as one AUL file each, synchronous marks", 1, async tick =>
            {
                aulSeconds = await aulComparison;
                tick(1);
            });
            return new DemoReport
            {
                FilesIngested = args.Files,
                BytesIngested = ingestedBytes,
                FilesArchived = archived,
                Aggregations = aggregations,
                TapesUsed = tapesUsed,
                ScheduleDrives = options.ScheduleDrives,
                Mounts = archiveMounts + recallMounts,
                ArchiveMounts = archiveMounts,
                RecallMounts = recallMounts,
                FilesRequested = recalled.Length,
                FilesRecalled = filesRecalled,
                FilesVerified = verified,
                FilesLost = recalled.Length - verified,
                FilesPerMount = recallMounts == 0 ? 0 : Math.Round(filesRecalled / (double)recallMounts, 1),
                SimulatedDriveSeconds = Math.Round(drives.BusySeconds, 1),
                DriveTime = drives.Rounded(),
                ArchiveWritingSeconds = Math.Round(writingSeconds, 2),
                DriveEfficiency = writingSeconds <= 0 ? 0 : Math.Round(payload / (writingSeconds * profile.NativeRate), 4),
                AulSynchronousSeconds = Math.Round(aulSeconds, 0),
                AulSynchronousEfficiency = Math.Round(ingestedBytes / (aulSeconds * profile.NativeRate), 4),
                WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
                PhaseSeconds = phases.Seconds,
                Processes = cluster?.Processes ?? 1,
                Kills = cluster?.Chaos?.Kills,
                NodeRestarts = cluster?.UnplannedRestarts,
                ServerRestarts = cluster?.Chaos is { } c ? [.. c.ServerRestarts] : null,
                ChaosSeed = args.Chaos?.Seed,
                Problems = problems,
                Root = args.Root,
            };
        }
        finally
        {
            if (aulComparison is not null)
            {
                // A run that failed before the comparison's phase lets it finish before its directory goes; the comparison's own
                // failure reaches the caller only when the run got as far as its phase (awaited there).
                try
                {
                    _ = await aulComparison;
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                }
            }

            if (args.Root is null)
            {
                try
                {
                    Directory.Delete(root, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }

    /// <summary>Robot mounts so far, as the drive pools recorded them on the tape rows (every process's).</summary>
    private static Task<long> MountsAsync(CacheSite site, CancellationToken ct) =>
        ClusterRun.RetryAsync(async () =>
        {
            await using ICatalogTransaction txn = await site.Catalog.BeginAsync(ct);
            return (await txn.QueryTapesAsync()).Sum(t => (long)t.MountCount);
        }, ct);

    /// <summary>Files in archive lists of any state, or archived: the dispatcher has seen their <c>CacheWritten</c>.</summary>
    private static async ValueTask<long> ListedAsync(ICatalogTransaction txn) =>
        (await txn.QueryListsAsync(new ListQuery { Kind = FileListKind.Archive })).Where(l => l.State != FileListState.Done).Sum(l => (long)l.MemberCount)
        + await ArchivedAsync(txn);

    private static async ValueTask<long> ArchivedAsync(ICatalogTransaction txn) =>
        (await txn.CountFilesAsync()).Where(c => c.ArchiveStatus == ArchiveStatus.Archived && !c.Deleted).Sum(c => c.Files);

    /// <summary>Requested files served: published into the read cache, or failed for good with no readable copy.</summary>
    private static async ValueTask<int> ServedAsync(ICatalogTransaction txn, IEnumerable<long> ids)
    {
        int served = 0;
        foreach (long id in ids)
        {
            served += (await txn.GetFileAsync(id))?.CacheStatus is CacheStatus.Cached or CacheStatus.Failed ? 1 : 0;
        }

        return served;
    }

    /// <summary>The demo's site: two disk libraries, one drive and one pool each, everything purged, recalls due at once.</summary>
    /// <param name="root">The site root.</param>
    public static SiteOptions DemoSite(string root) => new()
    {
        Root = root,
        Media = "LTO-9",
        TapesPerPool = 2,
        DiskLibraries =
        [
            new DiskLibraryOptions { Name = "dl1", Drives = [0] },
            new DiskLibraryOptions { Name = "dl2", Drives = [1] },
        ],
        Policies = new TapeKit.Hsm.Policies.PolicySet
        {
            Version = 1,
            Rules =
            [
                new() { Name = "experiment-a", Match = new() { ["storageGroup"] = "expA" }, DiskLibrary = "dl1", TapePool = "pool-dl1", MaxFilesPerAggregation = 1000 },
                new() { Name = "experiment-b", Match = new() { ["storageGroup"] = "expB" }, DiskLibrary = "dl2", TapePool = "pool-dl2", MaxFilesPerAggregation = 1000 },
                new() { Name = "default", DiskLibrary = "dl1", TapePool = "pool-dl1" },
            ],
        },
        // The demo compresses hours into seconds: requests are due at once, and every archived copy may be purged.
        Recall = new RecallOptions
        {
            MinRequestAge = Enum.GetValues<RequestPriority>().ToDictionary(p => p, _ => TimeSpan.Zero),
            FillWait = TimeSpan.Zero,
            RemountDelay = TimeSpan.Zero,
        },
        PurgeMinAge = TimeSpan.Zero,
        PurgeHighWatermark = null,
        PurgeLowWatermark = null,
    };

    /// <summary>
    /// Writes files of the same sizes one AUL file each with synchronous tape marks — what a system without
    /// aggregation or buffered marks does — to a synthetic cartridge (lengths kept, bytes discarded) in a drive of its
    /// own, and returns the simulated writing time (mount and positioning excluded).
    /// </summary>
    private static double MeasureAulSynchronous(long[] sizes, MediaProfile profile, string directory)
    {
        VirtualCartridge.Create(directory, "AUL001", profile, new VirtualCartridgeOptions { SyntheticSeed = 1 });
        var clock = new VirtualClock();
        using var drive = new VirtualTapeDrive(VirtualTapeDrive.DefaultOptions, clock, profile);
        drive.InsertCartridge(directory);
        using ITapeDrive handle = drive.OpenHandle();
        var writer = new LabelWriter(new LabelWriterOptions { Clock = clock, Site = "SFA", HostName = "mover01" });
        AulVolume volume = AulVolume.Prelabel(handle, writer, "AUL001");
        byte[] zeros = new byte[sizes.Max()];
        using AulAppendSession session = volume.Append(0, writer, TapeMarkPolicy.SynchronousMarks);
        long start = clock.Nanoseconds;
        for (int i = 0; i < sizes.Length; i++)
        {
            using var data = new MemoryStream(zeros, 0, (int)sizes[i], writable: false);
            _ = session.WriteFile((ulong)i + 1, data);
        }

        return (clock.Nanoseconds - start) / 1e9;
    }

    private static bool Verify(string path, int seed, int number, long size, byte[] expected, byte[] actual)
    {
        if (!File.Exists(path) || new FileInfo(path).Length != size)
        {
            return false;
        }

        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0);
        for (long offset = 0; offset < size; offset += expected.Length)
        {
            int n = (int)Math.Min(expected.Length, size - offset);
            Payload.Fill(seed, number, offset, expected.AsSpan(0, n));
            input.ReadExactly(actual, 0, n);
            if (!expected.AsSpan(0, n).SequenceEqual(actual.AsSpan(0, n)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Runs one phase of the demo, with a progress bar when <paramref name="progress"/>, and records its wall time under <paramref name="key"/>.</summary>
    private static async Task Phase(bool progress, PhaseTimes phases, string key, string name, int total, Func<Action<int>, Task> body)
    {
        long start = Stopwatch.GetTimestamp();
        try
        {
            await ShowAsync(progress, name, total, body);
        }
        finally
        {
            phases.Record(key, Stopwatch.GetElapsedTime(start));
        }
    }

    private static async Task ShowAsync(bool progress, string name, int total, Func<Action<int>, Task> body)
    {
        if (!progress)
        {
            await body(_ => { });
            return;
        }

        await AnsiConsole.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask(name, maxValue: total);
                await body(n => task.Increment(n));
                task.Value = total;
            });
    }
}
