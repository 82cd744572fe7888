using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TapeKit;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.IO;

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
        // Made private if missing; an operator who lets producers drop files widens them on purpose (docs/security.md).
        SafeDirectory.Create(inbox, inbox, site.DirectoryMode, "inbox");
        SafeDirectory.Create(recalls, recalls, site.DirectoryMode, "recall");
        Log.Started(logger, cache.Root, cache.Libraries.Count);
        Log.Recovered(logger, cache.Incarnation.Name, cache.Incarnation.Epoch, cache.Recovery?.MessagesReleased ?? 0, cache.Recovery?.TapesReleased.Count ?? 0,
            cache.IngestRecovery?.Completed.Count ?? 0, cache.IngestRecovery?.RolledBack.Count ?? 0);
        if (cache.StageRecovery > 0)
        {
            Log.StageRecovered(logger, cache.StageRecovery);
        }

        DateTimeOffset lastSession = DateTimeOffset.UtcNow;
        bool catalogueFull = false;
        bool recoverIngests = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                WriteCacheRecoveryReport? resumed = null;
                if (recoverIngests)
                {
                    // Ingests a failed round stopped between their rows and their commit (a full disk, a commit refused), or that
                    // the last walk found unfinished (a failed write whose rollback failed too): completed when their cache copy is
                    // whole, rolled back otherwise, before the inbox is walked again (no ingest runs between two rounds). Until then
                    // their files wait in the inbox; none is set aside as a name already taken.
                    resumed = await cache.RecoverIngestsAsync(cache.Catalog.Time.GetUtcNow(), stoppingToken);
                    recoverIngests = false;
                    if (!catalogueFull && resumed.Completed.Count + resumed.RolledBack.Count > 0)
                    {
                        Log.IngestsRecovered(logger, resumed.Completed.Count, resumed.RolledBack.Count);
                    }
                }

                recoverIngests = await IngestInboxAsync(cache, inbox, stoppingToken);
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

                if (catalogueFull)
                {
                    catalogueFull = false;
                    Log.CatalogueWritable(logger, resumed!.Completed.Count, resumed.RolledBack.Count);
                }
            }
            catch (CatalogStoreException e) when (e.Kind == CatalogStoreErrorKind.Full)
            {
                // A full catalogue disk is waited out: nothing was acknowledged (the transaction rolled back), inbox files stay
                // where they are, and every round tries again. Said once, not every round.
                if (!catalogueFull)
                {
                    Log.CatalogueFull(logger, e.Message);
                }

                catalogueFull = true;
                recoverIngests = true;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A daemon outlives a bad round: the catalogue holds the truth, and the next round starts from it.
                Log.RoundFailed(logger, e);
                recoverIngests = true;
            }

            await Task.Delay(site.PollInterval, stoppingToken);
        }
    }

    /// <summary>Walks the inbox; true when a file waits behind an unfinished ingest of its name (recovered before the next walk).</summary>
    private async Task<bool> IngestInboxAsync(CacheSite cache, string inbox, CancellationToken ct) =>
        (await InboxIngest.RunAsync(cache, inbox, DateTimeOffset.UtcNow, logger, ct: ct)).Any(InboxIngest.WaitsOnUnfinishedIngest);

    /// <summary>
    /// Requests the recalls of every list in <paramref name="recalls"/> (the recall-list boundary: <see cref="RecallListReader"/>).
    /// A list that cannot be read safely is set aside whole under <c>Root/rejected-recalls/</c>; bad lines are refused alone.
    /// </summary>
    private async Task RequestRecallsAsync(CacheSite cache, string recalls, CancellationToken ct)
    {
        foreach (string list in Directory.EnumerateFiles(recalls, "*.txt").Order(StringComparer.Ordinal))
        {
            List<string> lines;
            try
            {
                lines = RecallListReader.Read(list, cache.Options.RecallListMaxEntries, out List<RecallListRefusal> refused);
                foreach (RecallListRefusal r in refused)
                {
                    Log.RefusedRecall(logger, Path.GetFileName(list), r.Line, r.Text, r.Reason);
                }
            }
            catch (Exception e) when (e is UnsafeOperationException or IOException or UnauthorizedAccessException)
            {
                Log.RejectedList(logger, Path.GetFileName(list), (e as UnsafeOperationException)?.Kind.ToString() ?? "Error", e.Message);
                string rejected = Path.Combine(cache.Root, "rejected-recalls");
                SafeDirectory.Create(cache.Root, rejected, cache.Options.DirectoryMode, "rejected-recalls");
                File.Move(list, Path.Combine(rejected, Path.GetFileName(list)), overwrite: true); // the entry itself, never a link's target
                continue;
            }

            var paths = new List<string>();
            var fileIds = new List<long>();
            foreach (string path in lines)
            {
                FileRecord? f = await cache.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync(path), ct);
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

        [LoggerMessage(7, LogLevel.Warning, "Recall list {List} line {Line} refused ({Text}): {Reason}")]
        public static partial void RefusedRecall(ILogger logger, string list, int line, string text, string reason);

        [LoggerMessage(8, LogLevel.Error, "Recall list {List} was not read and is set aside under rejected-recalls/ ({Kind}): {Reason}")]
        public static partial void RejectedList(ILogger logger, string list, string kind, string reason);

        [LoggerMessage(6, LogLevel.Information, "Instance {Name} epoch {Epoch}: released {Messages} queue leases and {Tapes} tape reservations of earlier runs; {Completed} interrupted ingests completed, {RolledBack} rolled back.")]
        public static partial void Recovered(ILogger logger, string name, long epoch, int messages, int tapes, int completed, int rolledBack);

        [LoggerMessage(10, LogLevel.Error, "Catalogue disk full: {Reason} Inbox files wait in the inbox and nothing is acknowledged until space returns; every round tries again.")]
        public static partial void CatalogueFull(ILogger logger, string reason);

        [LoggerMessage(11, LogLevel.Information, "The catalogue can be written again: {Completed} ingests the full disk interrupted were completed, {RolledBack} rolled back (their files are ingested again from the inbox).")]
        public static partial void CatalogueWritable(ILogger logger, int completed, int rolledBack);

        [LoggerMessage(13, LogLevel.Information, "Interrupted ingests recovered between two rounds: {Completed} completed, {RolledBack} rolled back (their files are ingested again from the inbox).")]
        public static partial void IngestsRecovered(ILogger logger, int completed, int rolledBack);

        [LoggerMessage(14, LogLevel.Warning, "{Count} recalls an earlier run had claimed outside any live stage list were given back as requests; they are read again.")]
        public static partial void StageRecovered(ILogger logger, int count);

        [LoggerMessage(5, LogLevel.Error, "A round of the site loop failed; the next round starts again from the catalogue.")]
        public static partial void RoundFailed(ILogger logger, Exception error);
    }
}
