using Microsoft.Extensions.Logging;
using TapeKit;
using TapeKit.Aggregation;
using TapeKit.Hsm.Catalog;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Staging;
using TapeKit.IO;

namespace SmallFilesCache;

/// <summary>
/// The inbox boundary: every entry under <c>Root/inbox</c> comes from users the daemon does not trust. The walk never
/// follows a link; only plain regular files with one link, a name under the member name rules (F12.1) in Unicode NFC,
/// left unmodified for <see cref="SiteOptions.InboxSettleTime"/>, are opened (without following links, never blocking
/// on a FIFO) and ingested; a file that changes while it is copied is not. Links, FIFOs, devices, sockets, hard-linked
/// files and bad names are moved, unread, under <c>Root/rejected/</c> with a logged reason.
/// </summary>
public static partial class InboxIngest
{
    /// <summary>Files per ingest batch: they share one durable commit.</summary>
    public const int BatchFiles = 256;

    /// <summary>Bytes per ingest batch (a batch closes at whichever limit comes first).</summary>
    public const long BatchBytes = 256L << 20;

    /// <summary>
    /// Ingests what the inbox holds now, in batches that share one durable commit (<see cref="DiskMover.WriteManyAsync"/>):
    /// an inbox file is removed only after its batch's commit, when its cache copy and its row are durable. A batch
    /// interrupted before its commit leaves its files in the inbox (a crash may leave rows <c>CREATED</c>, which start-up
    /// recovery completes or rolls back; the next walk then removes or ingests them again). When no file descriptor is
    /// left, the walk stops for the round and the open batch gives half its files back (they wait in the inbox), so that
    /// the rest can create their cache copies. Under a low descriptor limit a batch holds fewer files than
    /// <see cref="BatchFiles"/> (<see cref="DescriptorBudget"/>), so that it leaves the runtime descriptors to work with.
    /// </summary>
    /// <param name="cache">The site.</param>
    /// <param name="inbox">The inbox directory.</param>
    /// <param name="now">The time now (for the settle time).</param>
    /// <param name="logger">Where refusals are logged.</param>
    /// <param name="flushed">Called with an entry's relative path once its cache copy is flushed to disk, before its batch's
    /// commit: progress only, the entry is not ingested yet.</param>
    /// <param name="opened">Called with an entry's relative path once it is opened for its batch, before it is copied
    /// (observation only; tests use it to change a file at that point).</param>
    /// <param name="ct">Cancels between files (a batch in progress is abandoned before its commit).</param>
    /// <returns>Every entry met and what became of it, in the walk's order.</returns>
    public static async Task<IReadOnlyList<InboxEntry>> RunAsync(
        CacheSite cache, string inbox, DateTimeOffset now, ILogger logger, Action<string>? flushed = null, Action<string>? opened = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(cache);
        ArgumentNullException.ThrowIfNull(logger);
        var entries = new List<InboxEntry?>();
        var batch = new List<Pending>();
        long batchBytes = 0;
        int batchFiles = BatchFiles;
        bool limitLogged = false;
        byte[] buffer = new byte[1 << 20];
        using IEnumerator<(string Path, string Relative)> walk = Walk(inbox, inbox).GetEnumerator();
        try
        {
            bool outOfDescriptors = false;
            while (!outOfDescriptors && Next(walk, logger, out outOfDescriptors) is (string path, string relative))
            {
                ct.ThrowIfCancellationRequested();
                (InboxEntry? entry, Pending? pending) = await PrepareAsync(cache, logger, inbox, path, relative, now, buffer, entries.Count, ct);
                if (pending is not null)
                {
                    opened?.Invoke(relative);
                }

                entries.Add(entry);
                if (entry is not null)
                {
                    Settle(cache, logger, path, entry);
                    // The descriptor table is full: no later file can be opened either.
                    outOfDescriptors = entry.Verdict == InboxVerdict.NotYet && entry.Reason.StartsWith(NoDescriptorLeft, StringComparison.Ordinal);
                    continue;
                }

                if (batch.Count == 0 && cache.Options.IngestBatchesFitDescriptorLimit)
                {
                    // Sized as each batch starts, from the descriptors left now (its first file is open already).
                    batchFiles = DescriptorBudget.InboxFilesPerBatch(BatchFiles, out long? left);
                    if (batchFiles < BatchFiles && !limitLogged)
                    {
                        Log.BatchesLimited(logger, batchFiles, left ?? 0, DescriptorBudget.RuntimeReserve);
                        limitLogged = true;
                    }
                }

                batch.Add(pending!);
                batchBytes += pending!.Opened.Size;
                if (batch.Count >= batchFiles || batchBytes >= BatchBytes)
                {
                    await IngestBatchAsync(cache, logger, batch, entries, flushed, ct);
                    batchBytes = 0;
                }
            }

            if (outOfDescriptors)
            {
                // The walk stops; the open batch gives half its files back, so that its writes have descriptors to
                // create their cache copies with. The rest of the inbox waits for the next round.
                await HandBackAsync(batch, entries);
            }

            await IngestBatchAsync(cache, logger, batch, entries, flushed, ct);
        }
        finally
        {
            foreach (Pending p in batch)
            {
                await p.Source.DisposeAsync();
            }
        }

        return [.. entries.OfType<InboxEntry>()];
    }

    /// <summary>How <see cref="DiskSpace.Exhausted"/> names an exhausted descriptor table (a waiting entry's reason starts with it).</summary>
    private static readonly string NoDescriptorLeft = DiskSpace.Exhausted(new IOException("Too many open files", 24))!;

    /// <summary>
    /// The walk's next entry; <see langword="null"/> at its end, or when listing a directory finds the descriptor table
    /// full (<paramref name="outOfDescriptors"/>, logged: the walk stops there for this round).
    /// </summary>
    private static (string Path, string Relative)? Next(IEnumerator<(string Path, string Relative)> walk, ILogger logger, out bool outOfDescriptors)
    {
        outOfDescriptors = false;
        try
        {
            return walk.MoveNext() ? walk.Current : null;
        }
        catch (IOException e) when (DiskSpace.IsOutOfDescriptors(e))
        {
            Log.WalkStopped(logger, $"{NoDescriptorLeft} ({e.Message})");
            outOfDescriptors = true;
            return null;
        }
    }

    /// <summary>Closes the later half of the open batch (at least one file when it has two or more); those files wait in the inbox.</summary>
    private static async Task HandBackAsync(List<Pending> batch, List<InboxEntry?> entries)
    {
        int keep = (batch.Count + 1) / 2;
        foreach (Pending p in batch.Skip(keep))
        {
            await p.Source.DisposeAsync();
            entries[p.Slot] = new InboxEntry(p.Relative, InboxVerdict.NotYet, null,
                $"{NoDescriptorLeft}: handed back so that the rest of its batch can be written; the file stays in the inbox for a later round");
        }

        batch.RemoveRange(keep, batch.Count - keep);
    }

    /// <summary>An inbox file opened for a batch: where it is, what was seen when it was opened, and its entry's slot.</summary>
    private sealed record Pending(string Path, string Relative, FileStream Source, FileNodeStatus Opened, int Slot);

    /// <summary>Writes a batch through the disk mover; after its commit, removes the ingested files from the inbox.</summary>
    private static async Task IngestBatchAsync(CacheSite cache, ILogger logger, List<Pending> batch, List<InboxEntry?> entries, Action<string>? flushed, CancellationToken ct)
    {
        if (batch.Count == 0)
        {
            return;
        }

        DiskMoverFile[] files = [.. batch.Select(p => new DiskMoverFile(
            new HsmFileAttributes { StorageGroup = p.Relative.Split('/')[0], Size = p.Opened.Size }, "/" + p.Relative, (offset, chunk) =>
            {
                p.Source.Position = offset;
                p.Source.ReadExactly(chunk.Span);
                if (offset + chunk.Length == p.Opened.Size && !p.Opened.SameContentAs(FileNodes.StatusOf(p.Source)))
                {
                    throw new UnsafeOperationException($"{p.Relative} changed while it was being ingested (it is still being written).", p.Relative, UnsafeOperationKind.FileChanging);
                }
            }, p.Opened.Mode))];
        DiskMoverResult[] results = await DiskMover.WriteManyAsync(cache, files, flushed is null ? null : i => flushed(batch[i].Relative), ct);
        Exception? unexpected = null;
        for (int i = 0; i < batch.Count; i++)
        {
            Pending p = batch[i];
            await p.Source.DisposeAsync();
            InboxEntry entry;
            switch (results[i].Error)
            {
                case null:
                    // The batch's commit is in: the cache copy and the row are durable, so the inbox file may go.
                    File.Delete(p.Path);
                    entry = new InboxEntry(p.Relative, InboxVerdict.Ingested, null, "");
                    break;
                case UnsafeOperationException e:
                    entry = new InboxEntry(p.Relative, InboxVerdict.Rejected, e.Kind, e.Message);
                    break;
                case IOException e when DiskSpace.Exhausted(e) is { } exhausted:
                    // A full cache area or no file descriptor left is a wait, not a refusal: the file stays where the client put it.
                    entry = Waiting(logger, p.Relative, exhausted, e);
                    break;
                case Exception e when e is IOException or ArgumentException or UnauthorizedAccessException or TapeKit.Hsm.HsmException and not CatalogStoreException:
                    // Not ingested (a name already in the namespace, a disk error, …): set aside, never lost.
                    entry = new InboxEntry(p.Relative, InboxVerdict.Rejected, null, e.Message);
                    break;
                case Exception e:
                    // Unexpected, or the catalogue's store failed (no file's fault): the file stays in the inbox for the next
                    // round, and the round fails with the error.
                    unexpected ??= e;
                    continue;
            }

            entries[p.Slot] = entry;
            Settle(cache, logger, p.Path, entry);
        }

        batch.Clear();
        if (unexpected is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(unexpected);
        }
    }

    /// <summary>Logs a refusal and sets the entry aside under <c>rejected/</c>; other verdicts need nothing more.</summary>
    private static void Settle(CacheSite cache, ILogger logger, string path, InboxEntry entry)
    {
        if (entry.Verdict != InboxVerdict.Rejected)
        {
            return;
        }

        Log.Rejected(logger, MemberName.Printable(entry.RelativePath), entry.Kind?.ToString() ?? "Error", entry.Reason);
        try
        {
            SetAside(cache, path, entry.RelativePath);
        }
        catch (IOException e)
        {
            Log.NotSetAside(logger, MemberName.Printable(entry.RelativePath), e.Message);
        }
    }

    /// <summary>Every entry below <paramref name="directory"/> that is not a directory, in ordinal order, without following links.</summary>
    private static IEnumerable<(string Path, string Relative)> Walk(string inbox, string directory)
    {
        IEnumerable<string> names;
        try
        {
            names = [.. Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        }
        catch (DirectoryNotFoundException)
        {
            yield break; // removed while walking
        }

        foreach (string name in names)
        {
            string path = Path.Combine(directory, name);
            if (name.StartsWith('.'))
            {
                continue; // being written, by convention (rename into place when done); never ingested
            }

            FileNodeStatus status;
            try
            {
                status = FileNodes.Inspect(path);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            if (status.Type == FileNodeType.Directory)
            {
                foreach (var inner in Walk(inbox, path))
                {
                    yield return inner;
                }

                continue;
            }

            yield return (path, Path.GetRelativePath(inbox, path));
        }
    }

    /// <summary>
    /// Decides what to do with one entry before any byte is copied: a verdict now (a bad name, not settled, ingested
    /// before, refused when opened), or the opened file for the next batch.
    /// </summary>
    private static async Task<(InboxEntry? Entry, Pending? Pending)> PrepareAsync(
        CacheSite cache, ILogger logger, string inbox, string path, string relative, DateTimeOffset now, byte[] buffer, int slot, CancellationToken ct)
    {
        if (NameProblem(relative) is { } problem)
        {
            return (new InboxEntry(relative, InboxVerdict.Rejected, problem.Kind, $"the name {problem.Text}"), null);
        }

        FileStream? source = null;
        try
        {
            FileNodeStatus seen = FileNodes.Inspect(path);
            if (seen.Type == FileNodeType.Regular && seen.LinkCount == 1 && now - seen.ModifiedAt < cache.Options.InboxSettleTime)
            {
                return (new InboxEntry(relative, InboxVerdict.NotYet, null, "modified less than the settle time ago"), null);
            }

            // Opened from the inbox down, no link followed on the way: a directory swapped for a link since the walk is refused.
            source = FileNodes.OpenRegularBeneath(inbox, relative, allowHardLinks: false, out FileNodeStatus opened);
            switch (await EarlierIngestAsync(cache, "/" + relative, source, buffer, ct))
            {
                case EarlierIngest.Done:
                    // A crash between the completed ingest and the inbox file's removal: the file is in, only the removal is left.
                    await source.DisposeAsync();
                    File.Delete(path);
                    return (new InboxEntry(relative, InboxVerdict.AlreadyIngested, null, ""), null);
                case EarlierIngest.Unfinished:
                    // A batch that failed between its rows and its commit (the catalogue's commit refused, say) left this name's
                    // row CREATED: the name is not taken by another file, so the file waits for that row's recovery (completed
                    // when its cache copy is whole, rolled back otherwise) instead of being set aside as a name already in use.
                    await source.DisposeAsync();
                    return (Waiting(logger, relative, UnfinishedIngest), null);
                default:
                    return (null, new Pending(path, relative, source, opened, slot));
            }
        }
        catch (CatalogStoreException)
        {
            // A catalogue that cannot be read or written (full, locked) is no file's fault: it fails the round, the file waits.
            if (source is not null)
            {
                await source.DisposeAsync();
            }

            throw;
        }
        catch (Exception e) when (e is UnsafeOperationException or IOException or ArgumentException or UnauthorizedAccessException or TapeKit.Hsm.HsmException)
        {
            if (source is not null)
            {
                await source.DisposeAsync();
            }

            return DiskSpace.Exhausted(e) is { } exhausted
                ? (Waiting(logger, relative, exhausted, e), null)
                : (new InboxEntry(relative, InboxVerdict.Rejected, (e as UnsafeOperationException)?.Kind, e.Message), null);
        }
    }

    /// <summary>An inbox file left for a later round because a resource is exhausted; logged, never set aside.</summary>
    private static InboxEntry Waiting(ILogger logger, string relative, string exhausted, Exception e) =>
        Waiting(logger, relative, $"{exhausted} ({e.Message}); the file stays in the inbox until it comes back");

    /// <summary>An inbox file left for a later round, for the reason given; logged, never set aside.</summary>
    private static InboxEntry Waiting(ILogger logger, string relative, string reason)
    {
        var entry = new InboxEntry(relative, InboxVerdict.NotYet, null, reason);
        Log.Waiting(logger, MemberName.Printable(relative), entry.Reason);
        return entry;
    }

    /// <summary>Why an inbox path cannot be a namespace path: the member name rules (F12.1), and Unicode NFC so that two names never collide once normalised.</summary>
    private static (UnsafeOperationKind Kind, string Text)? NameProblem(string relative)
    {
        if (MemberName.Problem(relative) is { } problem)
        {
            UnsafeOperationKind kind = relative.AsSpan().IndexOfAnyInRange('\0', '\x1F') >= 0 || relative.Contains('\x7F', StringComparison.Ordinal)
                ? UnsafeOperationKind.ControlCharacters
                : UnsafeOperationKind.InvalidMemberName;
            return (kind, problem);
        }

        if (Decomposed(relative))
        {
            return (UnsafeOperationKind.InvalidMemberName, "is not in Unicode normalisation form C (it could collide with another spelling of the same name)");
        }

        return null;
    }

    /// <summary>
    /// Whether the name spells a Latin, Greek or Cyrillic letter with a separate combining mark (NFD), where NFC has one
    /// character. Checked by character category because TapeKit runs with invariant globalization, where .NET's
    /// normalisation calls do not look at non-ASCII text; scripts whose marks have no precomposed form are not affected.
    /// </summary>
    private static bool Decomposed(string name)
    {
        for (int i = 1; i < name.Length; i++)
        {
            if (name[i - 1] is >= 'A' and <= '\u04FF' && char.IsLetter(name[i - 1])
                && char.GetUnicodeCategory(name[i]) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the entry waits behind an unfinished ingest of its own name (a row <c>CREATED</c>, neither committed nor rolled
    /// back): the caller should complete or roll back its interrupted ingests (<see cref="CacheSite.RecoverIngestsAsync"/>)
    /// before the next walk, when no ingest of its own is running.
    /// </summary>
    /// <param name="entry">An entry of <see cref="RunAsync"/>'s result.</param>
    public static bool WaitsOnUnfinishedIngest(InboxEntry entry) =>
        entry is { Verdict: InboxVerdict.NotYet } && string.Equals(entry.Reason, UnfinishedIngest, StringComparison.Ordinal);

    /// <summary>The reason a file waits behind its name's unfinished ingest (<see cref="EarlierIngest.Unfinished"/>).</summary>
    private const string UnfinishedIngest =
        "an earlier ingest of this name stopped between its catalogue row and its commit; the file stays in the inbox until that ingest is completed or rolled back";

    /// <summary>What the catalogue holds of an inbox file's name before the file is ingested.</summary>
    private enum EarlierIngest
    {
        /// <summary>Nothing that stops an ingest: no row, a rolled-back row (reopened), or another file's row (its name is refused at creation).</summary>
        None,

        /// <summary>This very file, ingested: past CREATED with its size and checksums.</summary>
        Done,

        /// <summary>A row CREATED and not rolled back: an ingest of the name that has not been committed or recovered yet.</summary>
        Unfinished,
    }

    /// <summary>Whether this inbox file was ingested already, or its name waits on an unfinished ingest.</summary>
    private static async Task<EarlierIngest> EarlierIngestAsync(CacheSite cache, string namespacePath, FileStream source, byte[] buffer, CancellationToken ct)
    {
        FileRecord? known = await cache.Catalog.ReadAsync(txn => txn.GetFileByExternalIdAsync(namespacePath), ct);
        if (known is { CacheStatus: CacheStatus.Created } && known.FailureReason != WriteCacheRecovery.WriteAborted)
        {
            return EarlierIngest.Unfinished;
        }

        if (known is null || known.CacheStatus == CacheStatus.Created || known.Size != source.Length)
        {
            return EarlierIngest.None;
        }

        var hasher = new TapeKit.Checksums.MemberHasher();
        source.Position = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, ct)) > 0)
        {
            hasher.Append(buffer.AsSpan(0, read));
        }

        return HsmChecksums.Agree(known.Checksums, hasher.GetDigest()) ? EarlierIngest.Done : EarlierIngest.None;
    }

    /// <summary>Moves the entry itself (a rename: a link or a FIFO is moved, never followed or opened) under <c>Root/rejected/</c>.</summary>
    private static void SetAside(CacheSite cache, string path, string relative)
    {
        string rejectedRoot = Path.Combine(cache.Root, "rejected");
        string target = Path.Combine(rejectedRoot, relative); // the walk's own names: no "..", no absolute part
        SafeDirectory.Create(rejectedRoot, Path.GetDirectoryName(target)!, cache.Options.DirectoryMode, relative);
        File.Move(path, target, overwrite: true);
    }

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Error, "Inbox file {Path} was not ingested and is set aside under rejected/ ({Kind}): {Reason}")]
        public static partial void Rejected(ILogger logger, string path, string kind, string reason);

        [LoggerMessage(9, LogLevel.Warning, "Inbox file {Path} was not ingested: {Reason}.")]
        public static partial void Waiting(ILogger logger, string path, string reason);

        [LoggerMessage(15, LogLevel.Information, "Ingest batches hold at most {Files} inbox files this round: {Left} file descriptors are left under the process's limit (RLIMIT_NOFILE), {Reserve} of them kept for the runtime, and each file of a batch holds one for its inbox file and one for its cache copy while it is written. Raise the limit (LimitNOFILE=) for full batches.")]
        public static partial void BatchesLimited(ILogger logger, int files, long left, int reserve);

        [LoggerMessage(12, LogLevel.Warning, "The inbox walk stopped for this round: {Reason}; the files not reached stay in the inbox.")]
        public static partial void WalkStopped(ILogger logger, string reason);

        [LoggerMessage(7, LogLevel.Error, "Inbox file {Path} could not be set aside under rejected/ and stays in the inbox: {Reason}")]
        public static partial void NotSetAside(ILogger logger, string path, string reason);
    }
}
