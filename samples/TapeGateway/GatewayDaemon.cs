using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TapeGateway;

/// <summary>
/// The gateway as a daemon: every poll interval it migrates the disk pool's candidates (files in the name server with no
/// tape copy) the TapeKit way, and serves the recall requests dropped into <c>Root/recall/*.txt</c> (file ids, one per
/// line) through the recall planner, writing the outcome next to each request as <c>*.done</c>. Idle cartridges go back
/// to their slots after the dismount delay. Its time is the virtual library's: each round lets it run a poll interval.
/// </summary>
/// <param name="options">The gateway.</param>
/// <param name="logger">The log.</param>
public sealed partial class GatewayDaemon(IOptions<GatewayOptions> options, ILogger<GatewayDaemon> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        GatewayOptions gateway = options.Value;
        await using TapeWorld world = await TapeWorld.OpenAsync(gateway, gateway.Recall.RemountDelay, stoppingToken);
        string requests = Path.Combine(world.Root, "recall");
        Directory.CreateDirectory(requests);
        Log.Started(logger, world.Root, world.Names.Files.Count, world.Names.Tapes.Count);
        var migrator = new GatewayMigrator(world, GatewayMode.TapeKit, gateway.PayloadSeed);
        var recalls = new RecallService(world, gateway.PayloadSeed);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                MigrationReport migrated = await migrator.MigrateAsync(stoppingToken);
                if (migrated.Files > 0)
                {
                    Log.Migrated(logger, migrated.Files, migrated.TapeFiles, migrated.Sessions, migrated.Repaired);
                }

                if (migrated.Waiting > 0)
                {
                    Log.CopiesWaiting(logger, migrated.Waiting);
                }

                foreach (string request in Directory.EnumerateFiles(requests, "*.txt").Order(StringComparer.Ordinal))
                {
                    long[] ids = OperatorCommands.ParseIds(File.ReadAllLines(request).Where(l => l.Trim().Length > 0).Select(l => l.Trim()));
                    DateTimeOffset now = world.Clock.GetUtcNow();
                    IReadOnlyList<ServedRecall> served = await recalls.ServeAsync(
                        [.. ids.Where(world.Names.IsOnTape).Distinct().Select(id => new GatewayRecall(Guid.NewGuid(), id, now))], RecallStrategy.Planner, stoppingToken);
                    await File.WriteAllLinesAsync(Path.ChangeExtension(request, ".done"),
                        served.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Request.FileId} {(s.Outcome.Verified ? "verified" : "failed")}")), stoppingToken);
                    File.Delete(request);
                    Log.Recalled(logger, Path.GetFileName(request), served.Count(s => s.Outcome.Verified), ids.Length);
                }

                await world.IdleUntilAsync(world.Clock.GetUtcNow() + gateway.PollInterval, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A daemon outlives a bad round: the name server and the tapes hold the truth, the next round starts from them.
                Log.RoundFailed(logger, e);
            }

            await Task.Delay(gateway.PollInterval, stoppingToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Tape gateway at {Root}: {Files} files known, {Tapes} tapes")]
        public static partial void Started(ILogger logger, string root, int files, int tapes);

        [LoggerMessage(2, LogLevel.Information, "Migrated {Files} files into {TapeFiles} tape files in {Sessions} sessions; {Repaired} of them re-created damaged copies")]
        public static partial void Migrated(ILogger logger, int files, int tapeFiles, int sessions, int repaired);

        [LoggerMessage(5, LogLevel.Warning, "{Copies} file copies wait for a writable tape that holds no other copy of their file; add tapes to their pool")]
        public static partial void CopiesWaiting(ILogger logger, int copies);

        [LoggerMessage(3, LogLevel.Information, "Recall request {Request}: {Verified} of {Files} files verified")]
        public static partial void Recalled(ILogger logger, string request, int verified, int files);

        [LoggerMessage(4, LogLevel.Warning, "A gateway round failed; the next one starts again from the name server")]
        public static partial void RoundFailed(ILogger logger, Exception exception);
    }
}
