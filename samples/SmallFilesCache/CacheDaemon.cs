using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TapeKit.Hsm.Catalog;
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
        Log.Recovered(logger, cache.Incarnation.Name, cache.Incarnation.Epoch, cache.Recovery?.MessagesReleased ?? 0, cache.Recovery?.TapesReleased.Count ?? 0,
            cache.IngestRecovery?.Completed.Count ?? 0, cache.IngestRecovery?.RolledBack.Count ?? 0);
        byte[] buffer = new byte[1 << 20];
        DateTimeOffset lastSession = DateTimeOffset.UtcNow;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await IngestInboxAsync(cache, inbox, buffer, stoppingToken);
                await RequestRecallsAsync(cache, recalls, stoppingToken);
                await cache.PumpAsync(stoppingToken);
                int mountsBefore = cache.Mounts;
                int sessionsBefore = cache.Libraries.Values.Sum(l => l.Migrator.Sessions.Count);
                await cache.MigrateAsync(stoppingToken); // Archive and Stage commands alike.
                _ = await cache.PurgeAsync(stoppingToken);
                if (cache.Mounts > mountsBefore || cache.Libraries.Values.Sum(l => l.Migrator.Sessions.Count) > sessionsBefore)
                {
                    lastSession = DateTimeOffset.UtcNow;
                }
                else if (DateTimeOffset.UtcNow - lastSession >= site.DismountDelay)
                {
                    await cache.DismountIdleAsync(stoppingToken);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A daemon outlives a bad round: the catalogue holds the truth, and the next round starts from it.
                Log.RoundFailed(logger, e);
            }

            await Task.Delay(site.PollInterval, stoppingToken);
        }
    }

    private async Task IngestInboxAsync(CacheSite cache, string inbox, byte[] buffer, CancellationToken ct)
    {
        foreach (string file in Directory.EnumerateFiles(inbox, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            string relative = Path.GetRelativePath(inbox, file).Replace('\\', '/');
            try
            {
                await using (var source = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.None, 0))
                {
                    if (await IngestedBeforeAsync(cache, "/" + relative, source, buffer, ct))
                    {
                        // A crash between the completed ingest and the inbox file's removal: the file is in, only the removal is left.
                        source.Close();
                        File.Delete(file);
                        continue;
                    }

                    var attributes = new HsmFileAttributes { StorageGroup = relative.Split('/')[0], Size = source.Length };
                    _ = await DiskMover.WriteAsync(cache, attributes, "/" + relative, (offset, chunk) =>
                    {
                        source.Position = offset;
                        source.ReadExactly(chunk.Span);
                    }, buffer, ct);
                }

                File.Delete(file);
            }
            catch (Exception e) when (e is IOException or ArgumentException or TapeKit.Hsm.HsmException)
            {
                // Not ingested (a name already in the namespace, a file still being written, …): set aside, never lost.
                string rejected = Path.Combine(cache.Root, "rejected", relative);
                Directory.CreateDirectory(Path.GetDirectoryName(rejected)!);
                File.Move(file, rejected, overwrite: true);
                Log.Rejected(logger, relative, e.Message);
            }
        }
    }

    /// <summary>Whether this inbox file was ingested already: the catalogue has it past CREATED with its size and checksums.</summary>
    private static async Task<bool> IngestedBeforeAsync(CacheSite cache, string namespacePath, FileStream source, byte[] buffer, CancellationToken ct)
    {
        FileRecord? known = await cache.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync(namespacePath), ct);
        if (known is null || known.CacheStatus == CacheStatus.Created || known.Size != source.Length)
        {
            return false;
        }

        var hasher = new TapeKit.Checksums.MemberHasher();
        source.Position = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, read));
        }

        return HsmChecksums.Agree(known.Checksums, hasher.GetDigest());
    }

    private async Task RequestRecallsAsync(CacheSite cache, string recalls, CancellationToken ct)
    {
        foreach (string list in Directory.EnumerateFiles(recalls, "*.txt"))
        {
            var paths = new List<string>();
            var fileIds = new List<long>();
            foreach (string line in await File.ReadAllLinesAsync(list, ct))
            {
                string path = line.Trim();
                FileRecord? f = path.Length == 0 ? null : await cache.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync(path), ct);
                if (f is null)
                {
                    Log.UnknownRecall(logger, path);
                    continue;
                }

                paths.Add(path);
                fileIds.Add(f.FileId);
            }

            // The list is requested whole, so that its files are planned in one pass per tape.
            RecallRequestOutcome[] outcomes = await RecallCatalog.RequestManyAsync(cache.Catalog, fileIds, ct);
            for (int i = 0; i < paths.Count; i++)
            {
                Log.Recall(logger, paths[i], outcomes[i]);
            }

            File.Delete(list);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "SFA site at {Root} serving {Count} disk libraries.")]
        public static partial void Started(ILogger logger, string root, int count);

        [LoggerMessage(2, LogLevel.Information, "Recall of {Path}: {Outcome}.")]
        public static partial void Recall(ILogger logger, string path, RecallRequestOutcome outcome);

        [LoggerMessage(3, LogLevel.Warning, "Recall of {Path}: no such file in the catalogue.")]
        public static partial void UnknownRecall(ILogger logger, string path);

        [LoggerMessage(4, LogLevel.Error, "Inbox file {Path} was not ingested and is set aside under rejected/: {Reason}")]
        public static partial void Rejected(ILogger logger, string path, string reason);

        [LoggerMessage(6, LogLevel.Information, "Instance {Name} epoch {Epoch}: released {Messages} queue leases and {Tapes} tape reservations of earlier runs; {Completed} interrupted ingests completed, {RolledBack} rolled back.")]
        public static partial void Recovered(ILogger logger, string name, long epoch, int messages, int tapes, int completed, int rolledBack);

        [LoggerMessage(5, LogLevel.Error, "A round of the site loop failed; the next round starts again from the catalogue.")]
        public static partial void RoundFailed(ILogger logger, Exception error);
    }
}
