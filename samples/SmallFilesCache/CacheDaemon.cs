using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;

namespace SmallFilesCache;

/// <summary>
/// The site as a daemon: files dropped into <c>Root/inbox/&lt;storageGroup&gt;/…</c> are ingested by the disk mover;
/// names listed in <c>Root/recall/*.txt</c> (namespace paths, one per line) are recalled; the dispatcher, migrators,
/// stagers and purgers run in turn every poll interval.
/// </summary>
public sealed partial class CacheDaemon(IOptions<SiteOptions> options, ILoggerFactory loggers, ILogger<CacheDaemon> logger) : BackgroundService
{
    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SiteOptions site = options.Value;
        await using CacheSite cache = await CacheSite.OpenAsync(site, TimeProvider.System, loggers, stoppingToken);
        string inbox = Path.Combine(cache.Root, "inbox");
        string recalls = Path.Combine(cache.Root, "recall");
        Directory.CreateDirectory(inbox);
        Directory.CreateDirectory(recalls);
        Log.Started(logger, cache.Root, cache.Libraries.Count);
        byte[] buffer = new byte[1 << 20];
        DateTimeOffset lastSession = DateTimeOffset.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (string file in Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                string relative = Path.GetRelativePath(inbox, file).Replace('\\', '/');
                string group = relative.Split('/')[0];
                await using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 0))
                {
                    var attributes = new HsmFileAttributes { StorageGroup = group, Size = source.Length };
                    _ = await DiskMover.WriteAsync(cache, attributes, "/" + relative, (offset, chunk) =>
                    {
                        source.Position = offset;
                        source.ReadExactly(chunk.Span);
                    }, buffer, stoppingToken);
                }

                File.Delete(file);
            }

            foreach (string list in Directory.EnumerateFiles(recalls, "*.txt"))
            {
                foreach (string path in await File.ReadAllLinesAsync(list, stoppingToken))
                {
                    FileRecord? f;
                    await using (var txn = await cache.Catalog.BeginAsync(stoppingToken))
                    {
                        f = await txn.GetFileByExternalIdAsync(path.Trim());
                    }

                    if (f is not null)
                    {
                        Log.Recall(logger, path, await RecallCatalog.RequestAsync(cache.Catalog, f.FileId, stoppingToken));
                    }
                }

                File.Delete(list);
            }

            await cache.PumpAsync(stoppingToken);
            int sessionsBefore = cache.Libraries.Values.Sum(l => l.Migrator.Sessions.Count);
            await cache.MigrateAsync(stoppingToken);
            int recallSessions = (await cache.StageAsync(stoppingToken)).Sum(r => r.Sessions);
            _ = await cache.PurgeAsync(stoppingToken);
            if (recallSessions > 0 || cache.Libraries.Values.Sum(l => l.Migrator.Sessions.Count) > sessionsBefore)
            {
                lastSession = DateTimeOffset.UtcNow;
            }
            else if (DateTimeOffset.UtcNow - lastSession >= site.DismountDelay)
            {
                await cache.DismountIdleAsync(stoppingToken);
            }

            await Task.Delay(site.PollInterval, stoppingToken);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SFA site at {Root} serving {Count} disk libraries.")]
        public static partial void Started(ILogger logger, string root, int count);

        [LoggerMessage(2, LogLevel.Information, "Recall of {Path}: {Outcome}.")]
        public static partial void Recall(ILogger logger, string path, RecallRequestOutcome outcome);
    }
}
