using TapeKit.Hsm.Messaging;
using TapeKit.Hsm.Model;
using TapeKit.Hsm.Policies;
using TapeKit.Hsm.StateMachines;

namespace TapeKit.Hsm.Catalog;

/// <summary>
/// What a disk mover (host code) does through the catalogue on the write path (docs/hsm/rules.md#file-cache-status-c1c19, C1, C2, C3):
/// create the row with its policy decision, mark it written with <c>CacheWritten</c> in the same transaction, or
/// abort. Deletion in the namespace is announced with <see cref="AnnounceDeletedAsync"/>.
/// </summary>
public static class WriteCacheCatalog
{
    /// <summary>
    /// C1: creates the file row <c>CREATED</c> with the policy decision made once, now. A row with the same external id that
    /// start-up recovery rolled back (<see cref="WriteCacheRecovery.WriteAborted"/>) is opened again instead.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="selector">The policy selector.</param>
    /// <param name="attributes">The file's attributes (the size is the expected size; it is routed by it).</param>
    /// <param name="namespacePath">The user-visible name.</param>
    /// <param name="cachePath">The path relative to the disk library's area root.</param>
    /// <param name="externalId">The host's id, if any.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask<FileRecord> CreateAsync(
        ICatalog catalog, IPolicySelector selector, HsmFileAttributes attributes, string namespacePath, string cachePath,
        string? externalId = null, CancellationToken ct = default) =>
        (await CreateManyAsync(catalog, selector, [new NewCacheFile(attributes, namespacePath, cachePath, externalId)], ct))[0];

    /// <summary>
    /// C1 for many files in one transaction (group commit): every row is created <c>CREATED</c>, or — when one of them
    /// cannot be (a duplicate external id) — none is and the error names that file.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="selector">The policy selector.</param>
    /// <param name="files">The new files.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The rows, in the order of <paramref name="files"/>.</returns>
    public static ValueTask<FileRecord[]> CreateManyAsync(
        ICatalog catalog, IPolicySelector selector, IReadOnlyList<NewCacheFile> files, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(selector);
        ArgumentNullException.ThrowIfNull(files);
        foreach (NewCacheFile f in files)
        {
            ArgumentNullException.ThrowIfNull(f.Attributes);
            if (Path.IsPathRooted(f.CachePath))
            {
                throw new ArgumentException($"The cache path '{Aggregation.MemberName.Printable(f.CachePath)}' must be relative to the disk library's area root.", nameof(files));
            }

            if (Areas.CacheArea.Problem(f.CachePath) is { } problem)
            {
                // Checked when the row is made, so that no later step (migrator, stager, purger) meets a path that leaves its area.
                throw new ArgumentException($"The cache path \"{Aggregation.MemberName.Printable(f.CachePath)}\" {problem}; it must be a relative path inside the disk library's area (F12.1).", nameof(files));
            }
        }

        // Set-based: a batch costs a few statements (a server store's round trips), not a few per file.
        return catalog.RunAsync(async txn =>
        {
            var rows = new FileRecord[files.Count];
            string[] externalIds = [.. files.Select(f => f.ExternalId).OfType<string>()];
            IReadOnlyList<FileRecord?> known = externalIds.Length == 0 ? [] : await txn.GetFilesByExternalIdsAsync(externalIds);
            var aborted = new Dictionary<string, FileRecord>(StringComparer.Ordinal);
            foreach (FileRecord? row in known)
            {
                if (row is { ExternalId: { } ext, CacheStatus: CacheStatus.Created, FailureReason: WriteCacheRecovery.WriteAborted })
                {
                    aborted[ext] = row;
                }
            }

            var reopened = new List<int>();
            var created = new List<int>();
            for (int i = 0; i < rows.Length; i++)
            {
                NewCacheFile f = files[i];
                PolicyDecision decision = selector.Decide(f.Attributes);

                // The file as this write describes it, on top of the row it starts from.
                FileRecord Described(FileRecord row) => row with
                {
                    NamespacePath = f.NamespacePath,
                    CachePath = f.CachePath,
                    Size = f.Attributes.Size,
                    Attributes = f.Attributes,
                    Decision = decision,
                    CreatedAt = txn.Now,
                    LastAccessAt = txn.Now,
                };

                // The re-send of a write a crash interrupted and recovery rolled back (C3): the row is opened again, decided anew
                // (once: a second file of the batch with that id is a duplicate, as it would be one by one).
                if (f.ExternalId is not null && aborted.Remove(f.ExternalId, out FileRecord? row))
                {
                    rows[i] = Described(row) with { FailureReason = null };
                    reopened.Add(i);
                }
                else
                {
                    rows[i] = Described(new FileRecord { FileId = 0, ExternalId = f.ExternalId, Size = f.Attributes.Size, Decision = decision });
                    created.Add(i);
                }
            }

            IReadOnlyList<long> ids = await txn.AllocateFileIdsAsync(created.Count);
            for (int k = 0; k < created.Count; k++)
            {
                rows[created[k]] = rows[created[k]] with { FileId = ids[k] };
            }

            if (reopened.Count > 0)
            {
                IReadOnlyList<FileRecord> updated = await txn.UpdateFilesAsync([.. reopened.Select(i => rows[i])]);
                for (int k = 0; k < reopened.Count; k++)
                {
                    rows[reopened[k]] = updated[k];
                }
            }

            await txn.CreateFilesAsync([.. created.Select(i => rows[i])]);
            return rows;
        }, ct);
    }

    /// <summary>C2: the write finished; size and checksums are recorded and <c>CacheWritten</c> is queued in the same transaction.</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="size">The final size (must equal the size the decision was made for).</param>
    /// <param name="checksums">At least one checksum, computed in-stream.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The row, or <see langword="null"/> when the file was not <c>CREATED</c> (a repeated call changes nothing).</returns>
    public static async ValueTask<FileRecord?> CompleteAsync(
        ICatalog catalog, long fileId, long size, IReadOnlyList<Checksum> checksums, CancellationToken ct = default) =>
        (await CompleteManyAsync(catalog, [new CompletedCacheWrite(fileId, size, checksums)], ct))[0];

    /// <summary>
    /// C2 for many files in one transaction (group commit): one durable commit acknowledges them all, so many files
    /// share one fsync. A file that is not <c>CREATED</c> any more is left as it is (its slot in the result is
    /// <see langword="null"/>); a size that differs from the one the decision was made for fails the whole batch.
    /// </summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="writes">The finished writes.</param>
    /// <param name="ct">Cancels the call.</param>
    /// <returns>The rows, in the order of <paramref name="writes"/>.</returns>
    public static ValueTask<FileRecord?[]> CompleteManyAsync(ICatalog catalog, IReadOnlyList<CompletedCacheWrite> writes, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(writes);
        foreach (CompletedCacheWrite w in writes)
        {
            ArgumentNullException.ThrowIfNull(w.Checksums);
            if (w.Checksums.Count == 0)
            {
                throw new ArgumentException($"File {w.FileId}: a written file needs at least one checksum (C2 guard).", nameof(writes));
            }
        }

        // Set-based: one read, one conditional update, one batch of audit rows and one of outbox rows for the batch.
        return catalog.RunAsync(async txn =>
        {
            IReadOnlyList<FileRecord?> current = await txn.GetFilesAsync([.. writes.Select(w => w.FileId)]);
            var moving = new List<int>();
            var checksums = new Dictionary<long, IReadOnlyList<Checksum>>();
            for (int i = 0; i < writes.Count; i++)
            {
                if (current[i] is not { } f)
                {
                    continue;
                }

                if (f.Size != writes[i].Size)
                {
                    throw new ArgumentException($"File {f.FileId} was created for {f.Size} bytes but {writes[i].Size} were written; its policy decision depends on the size.", nameof(writes));
                }

                // A file named twice completes once, as the second of two calls would find it CREATED no more.
                if (f.CacheStatus == CacheStatus.Created && checksums.TryAdd(f.FileId, writes[i].Checksums))
                {
                    moving.Add(i);
                }
            }

            IReadOnlyList<FileRecord?> moved = await txn.TryMoveCacheManyAsync([.. moving.Select(i => current[i]!)], CacheStatus.Created,
                FileCacheEvent.WriteFinished, HsmActor.DiskMover, mutate: f => f with
                {
                    Checksums = [.. checksums[f.FileId]],
                    CachedAt = txn.Now,
                    LastAccessAt = txn.Now,
                });
            var rows = new FileRecord?[writes.Count];
            var messages = new List<OutboundMessage>(moving.Count);
            for (int k = 0; k < moving.Count; k++)
            {
                if (moved[k] is not { } file)
                {
                    continue;
                }

                rows[moving[k]] = file;
                Envelope message = HsmMessages.Create(HsmMessageTypes.CacheWritten,
                    new CacheWrittenEvent(MemberDescriptor.Of(file), file.Decision.PolicyKey, file.Decision.DiskLibrary), catalog.Time,
                    new Envelope { MessageId = Guid.Empty, Type = "", DiskLibrary = file.Decision.DiskLibrary, Priority = file.Decision.Priority });
                messages.Add(new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, message));
            }

            await txn.AddOutboxManyAsync(messages);
            return rows;
        }, ct);
    }

    /// <summary>Queues <c>NamespaceDeleted</c> for the dispatcher (the host's namespace deleted the file).</summary>
    /// <param name="catalog">The catalogue.</param>
    /// <param name="fileId">The file.</param>
    /// <param name="ct">Cancels the call.</param>
    public static async ValueTask AnnounceDeletedAsync(ICatalog catalog, long fileId, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        await using ICatalogTransaction txn = await catalog.BeginAsync(ct);
        Envelope message = HsmMessages.Create(HsmMessageTypes.NamespaceDeleted, new NamespaceDeletedEvent(fileId, txn.Now), catalog.Time);
        await txn.AddOutboxAsync(new OutboundMessage(HsmTopology.EventsExchange, HsmTopology.DispatcherKey, message));
        await txn.CommitAsync(ct);
    }
}

/// <summary>A file a disk mover is about to write into its write cache (C1).</summary>
/// <param name="Attributes">The file's attributes (the size is the expected size; it is routed by it).</param>
/// <param name="NamespacePath">The user-visible name.</param>
/// <param name="CachePath">The path relative to the disk library's area root.</param>
/// <param name="ExternalId">The host's id, if any.</param>
public sealed record NewCacheFile(HsmFileAttributes Attributes, string NamespacePath, string CachePath, string? ExternalId = null);

/// <summary>A finished write into the write cache (C2).</summary>
/// <param name="FileId">The file.</param>
/// <param name="Size">The final size.</param>
/// <param name="Checksums">At least one checksum, computed in-stream.</param>
public sealed record CompletedCacheWrite(long FileId, long Size, IReadOnlyList<Checksum> Checksums);
