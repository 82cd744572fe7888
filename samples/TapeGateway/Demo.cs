using System.Diagnostics;
using TapeKit.Devices.Virtual;
using TapeKit.Hsm.Recall;

namespace TapeGateway;

/// <summary>The demo's arguments.</summary>
/// <param name="Files">Files to archive.</param>
/// <param name="Recalls">Files to recall afterwards.</param>
/// <param name="Seed">The seed of sizes, classes, contents and recalls.</param>
/// <param name="RecallHours">The simulated hours over which the recalls arrive.</param>
/// <param name="Root">Keep each mode's gateway under this directory; a temporary one, deleted afterwards, when null.</param>
/// <param name="Json">Print JSON.</param>
/// <param name="Modes">The modes to run.</param>
public sealed record DemoArguments(int Files = 20_000, int Recalls = 2_000, int Seed = 20261206, double RecallHours = 12, string? Root = null, bool Json = false, IReadOnlyList<string>? Modes = null);

/// <summary>
/// The comparison CASTOR's tape gateway was about: the same files archived and the same recalls served twice, the
/// classic way and TapeKit's, on a fresh virtual library each time.
/// </summary>
public static class Demo
{
    /// <summary>Runs the demo.</summary>
    /// <param name="args">The arguments.</param>
    /// <param name="log">Progress lines (stderr), or null.</param>
    /// <param name="ct">Cancels the run.</param>
    public static async Task<DemoReport> RunAsync(DemoArguments args, TextWriter? log, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var report = new DemoReport
        {
            Files = args.Files,
            Recalls = Math.Min(args.Recalls, args.Files),
            RecallWindowHours = args.RecallHours,
            Seed = args.Seed,
            Media = Options(string.Empty).Media,
        };
        foreach (string name in args.Modes ?? ["classic", "tapekit"])
        {
            GatewayMode mode = GatewayMode.Parse(name);
            ModeReport figures = await RunModeAsync(args, mode, log, ct);
            report = mode == GatewayMode.Classic ? report with { Classic = figures } : report with { Tapekit = figures };
        }

        return report;
    }

    /// <summary>The demo's gateway: two drives, an AUL pool of eight tapes and an NL pool of two; three file classes.</summary>
    /// <param name="root">The gateway's root.</param>
    public static GatewayOptions Options(string root) => new()
    {
        Root = root,
        Media = "LTO-9",
        Drives = 2,
        Pools =
        [
            new TapePoolOptions { Name = "aul", Tapes = 8, VsnPrefix = "A" },
            new TapePoolOptions { Name = "nl", Tapes = 2, VsnPrefix = "N", Unlabelled = true },
        ],
        Classes =
        [
            new FileClass { Name = "raw", Pool = "aul", Format = "il", DemoShare = 0.89 },
            new FileClass { Name = "user", Pool = "aul", Format = "tar", DemoShare = 0.10 },
            new FileClass { Name = "legacy", Pool = "nl", Unlabelled = true, DemoShare = 0.01 },
        ],
        Recall = new RecallOptions(), // The library's defaults: due after 30 min (normal priority), fill wait, 2 h remount guard.
    };

    private static async Task<ModeReport> RunModeAsync(DemoArguments args, GatewayMode mode, TextWriter? log, CancellationToken ct)
    {
        var wall = Stopwatch.StartNew();
        string root = Path.Combine(args.Root ?? Path.Combine(Path.GetTempPath(), "tapekit-gateway-demo-" + Guid.NewGuid().ToString("N")), mode.Name);
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            throw new ArgumentException($"The demo needs an empty directory; '{root}' is not empty.");
        }

        try
        {
            GatewayOptions options = Options(root);
            options.PayloadSeed = args.Seed;
            await using TapeWorld world = await TapeWorld.OpenAsync(options, mode.Recalls == RecallStrategy.Fifo ? TimeSpan.Zero : options.Recall.RemountDelay, ct);
            foreach (NsFile f in DemoWorkload.Files(args.Files, args.Seed, options.Classes))
            {
                world.Names.AddFile(f);
            }

            // Archive phase.
            log?.WriteLine($"{mode.Name}: archiving {args.Files} files");
            DriveTime before = world.DriveTime;
            int mountsBefore = world.Mounts;
            MigrationReport migration = await new GatewayMigrator(world, mode, options.PayloadSeed).MigrateAsync(ct);
            DriveTime archive = world.DriveTime.Minus(before);
            int archiveMounts = world.Mounts - mountsBefore;

            // The cartridges go back to their slots before the recalls come.
            await world.IdleUntilAsync(world.Clock.GetUtcNow() + TimeSpan.FromHours(1), ct);

            // Recall phase.
            log?.WriteLine($"{mode.Name}: {migration.Files} files on {migration.TapeFiles} tape files; serving {Math.Min(args.Recalls, args.Files)} recalls");
            DriveTime recallStart = world.DriveTime;
            int mountsBeforeRecall = world.Mounts;
            IReadOnlyList<GatewayRecall> requests = DemoWorkload.Recalls([.. world.Names.Files.Keys.Order()], args.Recalls, args.Seed, world.Clock.GetUtcNow(), TimeSpan.FromHours(args.RecallHours));
            IReadOnlyList<ServedRecall> served = await new RecallService(world, options.PayloadSeed).ServeAsync(requests, mode.Recalls, ct);
            int recallMounts = world.Mounts - mountsBeforeRecall;
            DriveTime both = archive.Plus(world.DriveTime.Minus(recallStart));

            double[] latencies = [.. served.Select(s => s.Latency.TotalSeconds).Order()];
            int verified = served.Count(s => s.Outcome.Verified);
            foreach (ServedRecall bad in served.Where(s => !s.Outcome.Verified).Take(5))
            {
                log?.WriteLine($"{mode.Name}: file {bad.Request.FileId} not delivered: {bad.Outcome.Error}");
            }

            int tapesUsed = world.Names.Tapes.Values.Count(t => t.LastFseq > 0);
            return new ModeReport
            {
                Mode = mode.Name,
                FilesArchived = world.Names.Files.Keys.Count(world.Names.IsOnTape),
                BytesArchived = migration.PayloadBytes,
                TapeFiles = migration.TapeFiles,
                Aggregations = world.Names.TapeFiles.Values.Count(t => t.IsAggregation),
                TapesUsed = tapesUsed,
                ArchiveMounts = archiveMounts,
                ArchiveDriveSeconds = Math.Round(archive.BusySeconds, 1),
                ArchiveSecondsPerFile = migration.Files == 0 ? 0 : Math.Round(archive.BusySeconds / migration.Files, 3),
                DriveEfficiency = archive.BusySeconds <= 0 ? 0 : Math.Round(migration.PayloadBytes / (archive.BusySeconds * world.Profile.NativeRate), 6),
                FilesRequested = requests.Count,
                FilesRecalled = served.Count,
                FilesVerified = verified,
                FilesLost = requests.Count - verified,
                RecallMounts = recallMounts,
                FilesPerRecallMount = recallMounts == 0 ? 0 : Math.Round(served.Count / (double)recallMounts, 2),
                MeanRecallLatencySeconds = latencies.Length == 0 ? 0 : Math.Round(latencies.Average(), 1),
                P95RecallLatencySeconds = latencies.Length == 0 ? 0 : Math.Round(latencies[Math.Min(latencies.Length - 1, (int)Math.Ceiling(0.95 * latencies.Length) - 1)], 1),
                Mounts = archiveMounts + recallMounts,
                SimulatedDriveSeconds = Math.Round(both.BusySeconds, 1),
                DriveTime = both.Rounded(),
                WallSeconds = Math.Round(wall.Elapsed.TotalSeconds, 1),
            };
        }
        finally
        {
            if (args.Root is null)
            {
                try
                {
                    Directory.Delete(Path.GetDirectoryName(root)!, recursive: true);
                }
                catch (IOException)
                {
                }
            }
        }
    }
}
